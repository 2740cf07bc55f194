"""Every figure of the report as a titled table: the page shows them under their charts
and the XLSX writes one sheet each, so the two always agree."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from ..outcomes.models import AGREEMENT_KINDS, EXPECTED_RESULTS, VALUE_BANDS
from .figures import MEETING_STATES, REQUEST_ORDER, Report


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "–"


def _sorted(counts: Counter) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))


@dataclass
class Figures:
    """One table of figures: the page's table under a chart, and one XLSX sheet."""

    key: str
    title: str
    header: tuple[str, ...]
    rows: list[tuple]


def tables(r: Report) -> list[Figures]:
    run = r.run
    summary = [
        ("Participants", r.participants),
        ("Organisations", r.organisations),
        ("Countries", len(r.countries)),
        ("Meeting requests made", sum(r.requests.values())),
        ("Meetings scheduled", r.meetings["scheduled"]),
        ("Meetings held", r.meetings["held"]),
        ("Meetings not held (no-show)", r.meetings["no_show"]),
        ("Participants surveyed", r.surveyed),
        ("Participants who answered", r.responded),
        ("Response rate", _pct(r.responded, r.surveyed)),
        ("Meeting sides answered", f"{r.sides_answered} of {r.sides}"),
        ("Promising, mean (1-5)", r.promising_mean if r.promising_mean is not None else "–"),
        (
            "Satisfaction, mean (1-5)",
            r.satisfaction_mean if r.satisfaction_mean is not None else "–",
        ),
        ("Contacts that led to an agreement", r.agreements_signed),
        ("Schedule revisions published", r.revisions),
    ]
    quality = [
        (
            "Meetings placed",
            f"{run.placed} of {run.total}" if run and run.total is not None else "–",
        ),
        ("Breaks between meetings", run.breaks if run and run.breaks is not None else "–"),
        ("Proven bound on breaks", run.bound if run and run.bound is not None else "–"),
        ("Solver status", run.solver_status or "–" if run else "no run"),
        ("Revisions published", r.revisions),
        ("Meeting changes after the first", r.changes),
    ]
    n = r.tables or 1
    return [
        Figures("summary", "Summary", ("Figure", "Value"), summary),
        Figures(
            "countries",
            "Participants by country",
            ("Country", "Participants"),
            _sorted(r.countries),
        ),
        Figures(
            "kinds", "Participants by organisation type", ("Type", "Participants"), _sorted(r.kinds)
        ),
        Figures(
            "sectors", "Participants by sector", ("Sector", "Participants"), _sorted(r.sectors)
        ),
        Figures(
            "requests",
            "Meeting requests",
            ("Status", "Requests"),
            [("made", sum(r.requests.values()))] + [(s, r.requests[s]) for s in REQUEST_ORDER],
        ),
        Figures(
            "meetings",
            "Meetings",
            ("Meetings", "Number"),
            [(label, r.meetings[k]) for k, label in MEETING_STATES.items()],
        ),
        Figures(
            "per_participant",
            "Meetings per participant",
            ("Meetings", "Participants"),
            [(k, r.per_participant[k]) for k in range(0, max(r.per_participant, default=0) + 1)],
        ),
        Figures(
            "utilisation",
            "Table use per slot",
            ("Slot", "Meetings", "Tables", "Use"),
            [(s, m, r.tables, _pct(m, n)) for s, m in r.utilisation],
        ),
        Figures(
            "promising",
            "How promising (meetings held)",
            ("Score", "Answers"),
            [(k, r.promising[k]) for k in range(1, 6)],
        ),
        Figures(
            "expected",
            "Expected results",
            ("Result", "Answers"),
            [(label, r.expected[label]) for label in EXPECTED_RESULTS.values()],
        ),
        Figures(
            "agreements",
            "Agreements (second stage)",
            ("Agreement", "Answers"),
            [(AGREEMENT_KINDS[k], r.agreements[k]) for k in AGREEMENT_KINDS],
        ),
        Figures(
            "values",
            "Agreement values",
            ("Value", "Agreements"),
            [(label, r.values[label]) for label in VALUE_BANDS.values()],
        ),
        Figures(
            "satisfaction",
            "Satisfaction with the event",
            ("Score", "Answers"),
            [(k, r.satisfaction[k]) for k in range(1, 6)],
        ),
        Figures("quality", "Schedule quality", ("Figure", "Value"), quality),
    ]
