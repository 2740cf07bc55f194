"""The figures of an event's report, in a handful of grouped queries (no row per meeting
is loaded as an ORM object, so a 10,000-meeting event stays quick and small).

``reports.tables`` gives every figure as a titled table: the page shows them under
their charts and the XLSX writes one sheet each, so the two always agree.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from statistics import fmean

from sqlalchemy import case, func, select, true, union

from ..desk.models import MeetingReport
from ..events.models import Event
from ..extensions import db
from ..meetings.models import MeetingParticipant, MeetingRequest
from ..outcomes.models import (
    EXPECTED_RESULTS,
    VALUE_BANDS,
    SurveyAnswer,
    SurveyResponse,
)
from ..participants.countries import country_name
from ..participants.models import ORGANISATION_KINDS, Organisation, Participant
from ..participants.tags import unpack_tags
from ..planning.models import PublishedMeeting, ScheduleRevision, SolverRun
from ..templating import to_zone

MEETING_STATES = {
    "scheduled": "scheduled",
    "held": "held",
    "no_show": "not held (no-show)",
    "unmarked": "not marked",
}
COMMENTS_SHOWN = 20
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
    agreement_contacts: int = 0
    comment_count: int = 0
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
        return self.agreement_contacts


def _mean(counts: Counter) -> float | None:
    values = [k for k, n in counts.items() for _ in range(n)]
    return round(fmean(values), 2) if values else None


def _confirmed(event: Event):
    return (PublishedMeeting.event_id == event.id) & (PublishedMeeting.status == "confirmed")


def meeting_states(
    event: Event, ids: list[int] | None = None, where=None, sides=None
) -> dict[int, str]:
    """Meeting id -> ``held``, ``no_show`` or ``unmarked`` (of the meetings ``ids``, or
    those whose published meeting matches ``where``, or all): the event day's attendance
    marks (``desk``) when there are any, else the sides' survey answers (held by either
    side: held; "not held" by every side that answered: no-show). ``sides`` (meeting id
    -> participant ids), when the caller has read them already, saves a query. Queries
    run on the connection (Core rows, no ORM loading step: a 10,000-meeting event's
    XLSX reads every meeting's state)."""

    def only(column):
        found = column.in_(ids) if ids is not None else true()
        return found & where if where is not None else found

    def published(query, source):
        return query.join(PublishedMeeting, PublishedMeeting.meeting_id == source.meeting_id)

    run = db.session.connection().execute
    if sides is None:
        sides = {}
        for mid, pid in run(
            published(
                select(MeetingParticipant.meeting_id, MeetingParticipant.participant_id),
                MeetingParticipant,
            ).where(_confirmed(event), only(MeetingParticipant.meeting_id))
        ):
            sides.setdefault(mid, []).append(pid)
    states = dict.fromkeys(sides, "unmarked")
    desk: dict[int, dict[int, str]] = {}
    for mid, reporter, outcome in run(
        published(
            select(MeetingReport.meeting_id, MeetingReport.reporter_id, MeetingReport.outcome),
            MeetingReport,
        ).where(_confirmed(event), only(MeetingReport.meeting_id))
    ):
        desk.setdefault(mid, {})[reporter] = outcome
    for mid, reports in desk.items():  # the desk's rule (desk.attendance.attendance_of)
        absent = set()
        for reporter, outcome in reports.items():
            if outcome == "partner_absent":
                absent |= {p for p in sides.get(mid, []) if p != reporter}
        states[mid] = "no_show" if absent - set(reports) else "held"
    said = select(SurveyAnswer.meeting_id, func.max(case((SurveyAnswer.held, 1), else_=0)))
    if where is not None:
        said = published(said, SurveyAnswer)
    for mid, held in run(
        said.where(SurveyAnswer.event_id == event.id, only(SurveyAnswer.meeting_id)).group_by(
            SurveyAnswer.meeting_id
        )
    ):
        if mid in states and mid not in desk:
            states[mid] = "held" if held else "no_show"
    return states


def _state_counts(event: Event):
    """How many meetings are held, no_show, unmarked, in one grouped query: the rule of
    ``meeting_states`` (a side reported its partner absent and not every side reported:
    no-show; any desk report else: held; then the survey answers) without a row per
    meeting in Python, so memory stays flat as the event grows."""

    def per_meeting(*columns, source):
        query = (
            select(source.meeting_id, *columns)
            .join(PublishedMeeting, PublishedMeeting.meeting_id == source.meeting_id)
            .where(_confirmed(event))
            .group_by(source.meeting_id)
        )
        return query.subquery()

    sides = per_meeting(func.count().label("n"), source=MeetingParticipant)
    desk = per_meeting(
        func.count().label("reports"),
        func.max(case((MeetingReport.outcome == "partner_absent", 1), else_=0)).label("absent"),
        source=MeetingReport,
    )
    said = per_meeting(
        func.max(case((SurveyAnswer.held, 1), else_=0)).label("held"), source=SurveyAnswer
    )
    state = case(
        ((desk.c.absent == 1) & (desk.c.reports < sides.c.n), "no_show"),
        (desk.c.reports.is_not(None), "held"),
        (said.c.held == 1, "held"),
        (said.c.held == 0, "no_show"),
        else_="unmarked",
    )
    return (
        select(state, func.count())
        .select_from(sides)
        .outerjoin(desk, desk.c.meeting_id == sides.c.meeting_id)
        .outerjoin(said, said.c.meeting_id == sides.c.meeting_id)
        .group_by(state)
    )


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
            )
            .tuples()
            .all()
        )
    )
    states = dict(db.session.execute(_state_counts(event)).tuples().all())
    report.meetings["scheduled"] = sum(states.values())
    report.meetings.update({k: n for k, n in states.items() if n})
    counts = Counter(
        dict(
            db.session.execute(
                select(MeetingParticipant.participant_id, func.count())
                .join(
                    PublishedMeeting, PublishedMeeting.meeting_id == MeetingParticipant.meeting_id
                )
                .where(_confirmed(event))
                .group_by(MeetingParticipant.participant_id)
            )
            .tuples()
            .all()
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
    """Outcome figures in grouped queries (no row per answer is held in memory)."""
    confirmed = select(PublishedMeeting.meeting_id).where(_confirmed(event))
    mine = (SurveyAnswer.event_id == event.id) & SurveyAnswer.meeting_id.in_(confirmed)

    def grouped(column, *conditions) -> dict:
        query = select(column, func.count()).where(mine, column.is_not(None), *conditions)
        return dict(db.session.execute(query.group_by(column)).tuples().all())

    report.sides_answered = db.session.scalar(select(func.count()).where(mine)) or 0
    report.promising.update(grouped(SurveyAnswer.promising, SurveyAnswer.held))
    for key, n in grouped(SurveyAnswer.expected_result, SurveyAnswer.held).items():
        report.expected[EXPECTED_RESULTS[key]] += n
    report.agreements.update(grouped(SurveyAnswer.agreement))
    report.agreement_answers = sum(report.agreements.values())
    for key, n in grouped(SurveyAnswer.agreement_value, SurveyAnswer.agreement != "none").items():
        report.values[VALUE_BANDS[key]] += n
    report.agreement_contacts = (
        db.session.scalar(
            select(func.count(func.distinct(SurveyAnswer.meeting_id))).where(
                mine, SurveyAnswer.agreement.is_not(None), SurveyAnswer.agreement != "none"
            )
        )
        or 0
    )
    responses = SurveyResponse.event_id == event.id
    people = union(
        select(SurveyAnswer.participant_id).where(mine),
        select(SurveyResponse.participant_id).where(responses),
    ).subquery()
    report.responded = db.session.scalar(select(func.count()).select_from(people)) or 0
    report.satisfaction.update(
        dict(
            db.session.execute(
                select(SurveyResponse.satisfaction, func.count())
                .where(responses, SurveyResponse.satisfaction.is_not(None))
                .group_by(SurveyResponse.satisfaction)
            )
            .tuples()
            .all()
        )
    )
    said = (SurveyResponse.comment != "") & responses
    report.comment_count = db.session.scalar(select(func.count()).where(said)) or 0
    report.comments = list(
        db.session.scalars(
            select(SurveyResponse.comment)
            .where(said)
            .order_by(SurveyResponse.answered_at.desc())
            .limit(COMMENTS_SHOWN)
        )
    )


def _quality(event: Event, report: Report) -> None:
    report.run = db.session.scalar(
        select(SolverRun)
        .where(SolverRun.event_id == event.id, SolverRun.status == "succeeded")
        .order_by(SolverRun.finished_at.desc(), SolverRun.id.desc())
        .limit(1)
    )
    report.revisions = (
        db.session.scalar(select(func.count()).where(ScheduleRevision.event_id == event.id)) or 0
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
