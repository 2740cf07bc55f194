"""Was a meeting held? Each side says so (or that the partner did not come) from their
agenda; organisers say it for anyone. One row per meeting and reporting side
(``MeetingReport``), written with one upsert: both sides marking at once never lose an
answer. Functions flush and never commit."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select

from ..dbtypes import utcnow
from ..errors import Conflict, Invalid, NotFound
from ..events.models import Event
from ..extensions import db
from ..meetings.models import MeetingParticipant
from ..participants.models import Organisation, Participant, display_name
from ..planning.models import PublishedMeeting
from .models import MeetingReport
from .upsert import insert_for


@dataclass
class Attendance:
    """A meeting's state on the day: ``held``, ``no_show`` (with who did not come) or
    ``unmarked``, from its sides' reports."""

    state: str = "unmarked"
    absent: set[int] = field(default_factory=set)
    reports: dict[int, str] = field(default_factory=dict)  # reporter id -> outcome


def attendance_of(meeting_ids, attendees: dict[int, list[int]]) -> dict[int, Attendance]:
    """Meeting id -> :class:`Attendance`. ``attendees``: meeting id -> participant ids."""
    result = {mid: Attendance() for mid in meeting_ids}
    if not result:
        return result
    rows = db.session.execute(
        select(MeetingReport.meeting_id, MeetingReport.reporter_id, MeetingReport.outcome).where(
            MeetingReport.meeting_id.in_(list(result))
        )
    )
    for mid, reporter, outcome in rows:
        result[mid].reports[reporter] = outcome
    for mid, a in result.items():
        for reporter, outcome in a.reports.items():
            if outcome == "partner_absent":
                a.absent |= {p for p in attendees.get(mid, []) if p != reporter}
        # Someone who reported is there, whatever the others say.
        a.absent -= set(a.reports)
        if a.absent:
            a.state = "no_show"
        elif a.reports:
            a.state = "held"
    return result


def _upsert(meeting_id: int, reporter_id: int, outcome: str, user) -> None:
    stmt = insert_for(MeetingReport).values(
        meeting_id=meeting_id,
        reporter_id=reporter_id,
        outcome=outcome,
        marked_by_id=user.id if user else None,
        marked_at=utcnow(),
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=["meeting_id", "reporter_id"],
        set_={
            "outcome": stmt.excluded.outcome,
            "marked_by_id": stmt.excluded.marked_by_id,
            "marked_at": stmt.excluded.marked_at,
        },
    )
    db.session.execute(stmt)


def published_meeting(event: Event, meeting_id: int) -> PublishedMeeting:
    pm = db.session.get(PublishedMeeting, meeting_id)
    if pm is None or pm.event_id != event.id or pm.status != "confirmed":
        raise NotFound("No such meeting.")
    return pm


def _started(pm: PublishedMeeting, now: datetime | None) -> None:
    if pm.starts_at > (now or utcnow()):
        raise Conflict("The meeting has not started yet.")


def report(
    event: Event,
    participant: Participant,
    meeting_id: int,
    outcome: str,
    user,
    now: datetime | None = None,
) -> None:
    """``participant`` says their meeting was ``held`` or that the partner did not come."""
    if outcome not in ("held", "partner_absent"):
        raise Invalid("Say whether the meeting was held or your partner did not come.")
    pm = published_meeting(event, meeting_id)
    sides = _sides(meeting_id)
    if participant.id not in sides:
        raise NotFound("No such meeting.")
    _started(pm, now)
    _upsert(meeting_id, participant.id, outcome, user)


def organiser_mark(
    event: Event, meeting_id: int, value: str, user, now: datetime | None = None
) -> None:
    """An organiser's word: ``held`` (for every side), ``absent:<id>`` (that participant
    did not come: the others report it) or ``clear`` (no reports)."""
    pm = published_meeting(event, meeting_id)
    sides = _sides(meeting_id)
    if value == "clear":
        db.session.execute(delete(MeetingReport).where(MeetingReport.meeting_id == meeting_id))
        return
    _started(pm, now)
    if value == "held":
        for pid in sides:
            _upsert(meeting_id, pid, "held", user)
        return
    kind, _, ident = value.partition(":")
    absent = int(ident) if kind == "absent" and ident.isdigit() else None
    if absent not in sides:
        raise Invalid("Choose who did not come.")
    db.session.execute(
        delete(MeetingReport).where(
            MeetingReport.meeting_id == meeting_id, MeetingReport.reporter_id == absent
        )
    )
    for pid in sides:
        if pid != absent:
            _upsert(meeting_id, pid, "partner_absent", user)


def _sides(meeting_id: int) -> list[int]:
    return list(
        db.session.scalars(
            select(MeetingParticipant.participant_id)
            .where(MeetingParticipant.meeting_id == meeting_id)
            .order_by(MeetingParticipant.participant_id)
        )
    )


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    label: str


@dataclass
class Cell:
    meeting_id: int
    starts_at: datetime
    ends_at: datetime
    table_id: int | None
    people: list[Person]
    attendance: Attendance


def _cells(event: Event, *where) -> list[Cell]:
    """Published, confirmed meetings (with ``where``) and their people, by plain column
    queries: a whole day of a large event is thousands of cells."""
    rows = db.session.execute(
        select(
            PublishedMeeting.meeting_id,
            PublishedMeeting.starts_at,
            PublishedMeeting.ends_at,
            PublishedMeeting.table_id,
            Participant.id,
            Participant.name,
            Organisation.name,
        )
        .join(MeetingParticipant, MeetingParticipant.meeting_id == PublishedMeeting.meeting_id)
        .join(Participant, Participant.id == MeetingParticipant.participant_id)
        .join(Organisation, Organisation.id == Participant.organisation_id)
        .where(
            PublishedMeeting.event_id == event.id,
            PublishedMeeting.status == "confirmed",
            *where,
        )
        .order_by(PublishedMeeting.starts_at, PublishedMeeting.meeting_id, Participant.id)
    )
    cells: dict[int, Cell] = {}
    for mid, starts, ends, table, pid, name, org in rows:
        if mid not in cells:
            cells[mid] = Cell(mid, starts, ends, table, [], Attendance())
        cells[mid].people.append(Person(pid, name, display_name(name, org)))
    states = attendance_of(cells.keys(), {m: [p.id for p in c.people] for m, c in cells.items()})
    for mid, c in cells.items():
        c.attendance = states[mid]
    return list(cells.values())


def day_meetings(event: Event, day: date, slots=None) -> list[Cell]:
    """The published meetings of ``day`` (event's zone), or of those of its ``slots``,
    with their attendance."""
    tz = ZoneInfo(event.timezone)
    begins = datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)
    ends = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
    if slots is not None:
        if not slots:
            return []
        begins, ends = slots[0].starts_at, slots[-1].ends_at
    return _cells(event, PublishedMeeting.starts_at >= begins, PublishedMeeting.starts_at < ends)


def cell(event: Event, meeting_id: int) -> Cell:
    published_meeting(event, meeting_id)
    return _cells(event, PublishedMeeting.meeting_id == meeting_id)[0]
