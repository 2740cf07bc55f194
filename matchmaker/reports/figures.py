"""The figures of an event's report, in a handful of grouped queries (no row per meeting
is loaded as an ORM object, so a 10,000-meeting event stays quick and small).

``tables(report)`` gives every figure as a titled table: the page shows them under
their charts and the XLSX writes one sheet each, so the two always agree.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from statistics import fmean

from sqlalchemy import case, func, select, true

from ..desk.models import MeetingReport
from ..events.models import Event
from ..extensions import db
from ..meetings.models import MeetingParticipant, MeetingRequest
from ..outcomes.models import (
    AGREEMENT_KINDS,
    EXPECTED_RESULTS,
    VALUE_BANDS,
    SurveyAnswer,
    SurveyResponse,
)
from ..participants.countries import country_name
from ..participants.models import ORGANISATION_KINDS, Organisation, Participant
from ..participants.tags import unpack_tags
from ..schedules.models import PublishedMeeting, ScheduleRevision, SolverRun
from ..templating import to_zone

MEETING_STATES = {
    "scheduled": "scheduled",
    "held": "held",
    "no_show": "not held (no-show)",
    "unmarked": "not marked",
}
REQUEST_ORDER = ("pending", "accepted", "declined", "withdrawn", "cancelled")


@dataclass
class Report:
    event: Event
    participants: int = 0
    organisations: int = 0
    countries: Counter = field(default_factory=Counter)
    kinds: Counter = field(default_factory=Counter)
    sectors: Counter = field(default_factory=Counter)
    requests: Counter = field(default_factory=Counter)
    meetings: Counter = field(default_factory=Counter)  # scheduled, held, no_show, unmarked
    per_participant: Counter = field(default_factory=Counter)  # meetings -> participants
    utilisation: list[tuple[str, int]] = field(default_factory=list)  # (slot, meetings)
    tables: int = 0
    surveyed: int = 0  # participants with a confirmed meeting
    responded: int = 0  # of whom answered at least one survey
    sides: int = 0  # meeting sides (one per participant of a meeting)
    sides_answered: int = 0
    promising: Counter = field(default_factory=Counter)
    expected: Counter = field(default_factory=Counter)
    agreements: Counter = field(default_factory=Counter)
    values: Counter = field(default_factory=Counter)
    agreement_answers: int = 0
    #: Meetings (contacts) at least one side says led to an agreement.
    agreement_meetings: set = field(default_factory=set)
    satisfaction: Counter = field(default_factory=Counter)
    comments: list[str] = field(default_factory=list)
    run: SolverRun | None = None
    revisions: int = 0
    changes: int = 0

    @property
    def response_rate(self) -> float:
        return self.responded / self.surveyed if self.surveyed else 0.0

    @property
    def promising_mean(self) -> float | None:
        return _mean(self.promising)

    @property
    def satisfaction_mean(self) -> float | None:
        return _mean(self.satisfaction)

    @property
    def utilisation_bars(self) -> list[tuple[str, int]]:
        """(slot's local time, % of the tables in use) for the chart."""
        n = self.tables or 1
        return [(label[-5:], round(100 * m / n)) for label, m in self.utilisation]

    @property
    def agreements_signed(self) -> int:
        """Contacts that led to an agreement: both sides saying so count once."""
        return len(self.agreement_meetings)


def _mean(counts: Counter) -> float | None:
    values = [k for k, n in counts.items() for _ in range(n)]
    return round(fmean(values), 2) if values else None


def _confirmed(event: Event):
    return (PublishedMeeting.event_id == event.id) & (PublishedMeeting.status == "confirmed")


def meeting_states(event: Event, ids: list[int] | None = None) -> dict[int, str]:
    """Meeting id -> ``held``, ``no_show`` or ``unmarked`` (of the meetings ``ids``, or
    all): the event day's attendance marks (``desk``) when there are any, else the
    sides' survey answers (held by either side: held; "not held" by every side that
    answered: no-show)."""

    def only(column):
        return column.in_(ids) if ids is not None else true()

    sides: dict[int, list[int]] = {}
    for mid, pid in db.session.execute(
        select(MeetingParticipant.meeting_id, MeetingParticipant.participant_id)
        .join(PublishedMeeting, PublishedMeeting.meeting_id == MeetingParticipant.meeting_id)
        .where(_confirmed(event), only(MeetingParticipant.meeting_id))
    ):
        sides.setdefault(mid, []).append(pid)
    states = dict.fromkeys(sides, "unmarked")
    desk: dict[int, dict[int, str]] = {}
    for mid, reporter, outcome in db.session.execute(
        select(MeetingReport.meeting_id, MeetingReport.reporter_id, MeetingReport.outcome)
        .join(PublishedMeeting, PublishedMeeting.meeting_id == MeetingReport.meeting_id)
        .where(_confirmed(event), only(MeetingReport.meeting_id))
    ):
        desk.setdefault(mid, {})[reporter] = outcome
    for mid, reports in desk.items():  # the desk's rule (desk.attendance.attendance_of)
        absent = set()
        for reporter, outcome in reports.items():
            if outcome == "partner_absent":
                absent |= {p for p in sides.get(mid, []) if p != reporter}
        states[mid] = "no_show" if absent - set(reports) else "held"
    for mid, held in db.session.execute(
        select(SurveyAnswer.meeting_id, func.max(case((SurveyAnswer.held, 1), else_=0)))
        .where(SurveyAnswer.event_id == event.id, only(SurveyAnswer.meeting_id))
        .group_by(SurveyAnswer.meeting_id)
    ):
        if mid in states and mid not in desk:
            states[mid] = "held" if held else "no_show"
    return states


def _participants(event: Event, report: Report) -> None:
    approved = (Participant.event_id == event.id) & (Participant.status == "approved")
    rows = db.session.execute(
        select(Organisation.id, Organisation.country, Organisation.kind, Organisation.sectors)
        .join(Participant, Participant.organisation_id == Organisation.id)
        .where(approved)
    ).all()
    report.participants = len(rows)
    report.organisations = len({r[0] for r in rows})
    for _, country, kind, sectors in rows:
        report.countries[country_name(country) if country else "Not given"] += 1
        report.kinds[ORGANISATION_KINDS.get(kind, kind)] += 1
        for sector in unpack_tags(sectors) or ["Not given"]:
            report.sectors[sector] += 1


def _meetings(event: Event, report: Report) -> None:
    report.requests.update(
        dict(
            db.session.execute(
                select(MeetingRequest.status, func.count())
                .where(MeetingRequest.event_id == event.id)
                .group_by(MeetingRequest.status)
            ).all()
        )
    )
    states = meeting_states(event)
    report.meetings["scheduled"] = len(states)
    report.meetings.update(Counter(states.values()))
    counts = Counter(
        dict(
            db.session.execute(
                select(MeetingParticipant.participant_id, func.count())
                .join(
                    PublishedMeeting, PublishedMeeting.meeting_id == MeetingParticipant.meeting_id
                )
                .where(_confirmed(event))
                .group_by(MeetingParticipant.participant_id)
            ).all()
        )
    )
    report.per_participant = Counter(counts.values())
    if report.participants > len(counts):
        report.per_participant[0] += report.participants - len(counts)
    report.surveyed = len(counts)
    report.sides = sum(counts.values())
    report.tables = len(event.tables)
    for starts, n in db.session.execute(
        select(PublishedMeeting.starts_at, func.count())
        .where(_confirmed(event))
        .group_by(PublishedMeeting.starts_at)
        .order_by(PublishedMeeting.starts_at)
    ):
        report.utilisation.append((to_zone(starts, event.timezone).strftime("%a %d %b %H:%M"), n))


def _outcomes(event: Event, report: Report) -> None:
    confirmed = select(PublishedMeeting.meeting_id).where(_confirmed(event))
    rows = db.session.execute(
        select(
            SurveyAnswer.meeting_id,
            SurveyAnswer.participant_id,
            SurveyAnswer.held,
            SurveyAnswer.promising,
            SurveyAnswer.expected_result,
            SurveyAnswer.agreement,
            SurveyAnswer.agreement_value,
        ).where(SurveyAnswer.event_id == event.id, SurveyAnswer.meeting_id.in_(confirmed))
    )
    answered_people = set()
    for mid, pid, held, promising, expected, agreement, value in rows:
        answered_people.add(pid)
        report.sides_answered += 1
        if held and promising:
            report.promising[promising] += 1
        if held and expected:
            report.expected[EXPECTED_RESULTS[expected]] += 1
        if agreement:
            report.agreement_answers += 1
            report.agreements[agreement] += 1
            if agreement != "none":
                report.agreement_meetings.add(mid)
            if agreement != "none" and value:
                report.values[VALUE_BANDS[value]] += 1
    for pid, satisfaction, comment in db.session.execute(
        select(
            SurveyResponse.participant_id, SurveyResponse.satisfaction, SurveyResponse.comment
        ).where(SurveyResponse.event_id == event.id)
    ):
        answered_people.add(pid)
        if satisfaction:
            report.satisfaction[satisfaction] += 1
        if comment:
            report.comments.append(comment)
    report.responded = len(answered_people)


def _quality(event: Event, report: Report) -> None:
    report.run = db.session.scalar(
        select(SolverRun)
        .where(SolverRun.event_id == event.id, SolverRun.status == "succeeded")
        .order_by(SolverRun.finished_at.desc(), SolverRun.id.desc())
        .limit(1)
    )
    report.revisions = db.session.scalar(
        select(func.count()).where(ScheduleRevision.event_id == event.id)
    )
    report.changes = sum(
        len(c or [])
        for c in db.session.scalars(
            select(ScheduleRevision.changes).where(
                ScheduleRevision.event_id == event.id, ScheduleRevision.number > 1
            )
        )
    )


def build(event: Event) -> Report:
    report = Report(event=event)
    _participants(event, report)
    _meetings(event, report)
    _outcomes(event, report)
    _quality(event, report)
    return report


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
