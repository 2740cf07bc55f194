"""Check-in at the desk: search as one types, check in (or undo) for a day, counts.

Functions flush and never commit; the route commits once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, or_, select

from ..dbtypes import utcnow
from ..errors import Invalid, NotFound
from ..events.models import Event
from ..events.services import event_slots
from ..extensions import db
from ..participants.models import Organisation, Participant, Unavailability
from ..templating import to_zone
from .models import CheckIn
from .upsert import insert_for

SEARCH_LIMIT = 25


def event_days(event: Event) -> list[date]:
    """The event's meeting days, in its time zone."""
    return sorted({s.day for s in event_slots(event)})


def pick_day(event: Event, value: str | None = None, now: datetime | None = None) -> date:
    """The day the desk works on: the one asked for, else today (in the event's zone)
    when it is a meeting day, else the next meeting day, else the first."""
    days = event_days(event)
    if value:
        try:
            asked = date.fromisoformat(value)
        except ValueError:
            raise Invalid("Choose one of the event's days.", "day") from None
        if asked not in days:
            raise Invalid("Choose one of the event's days.", "day")
        return asked
    today = to_zone(now or utcnow(), event.timezone).date()
    if not days:
        return today
    return next((d for d in days if d >= today), days[0])


def approved(event: Event, participant_id: int) -> Participant:
    p = db.session.get(Participant, participant_id)
    if p is None or p.event_id != event.id or p.status != "approved":
        raise NotFound("No such participant.")
    return p


@dataclass
class Row:
    id: int
    name: str
    organisation: str
    checked_in_at: datetime | None


def search(event: Event, day: date, query: str, limit: int | None = SEARCH_LIMIT) -> list[Row]:
    """Approved participants whose name or organisation contains ``query`` (any case),
    with their check-in of ``day``: names that start with it first."""
    words = (query or "").strip().lower()
    stmt = (
        select(Participant.id, Participant.name, Organisation.name, CheckIn.checked_in_at)
        .join(Organisation, Organisation.id == Participant.organisation_id)
        .outerjoin(CheckIn, (CheckIn.participant_id == Participant.id) & (CheckIn.day == day))
        .where(Participant.event_id == event.id, Participant.status == "approved")
    )
    if words:
        name, org = func.lower(Participant.name), func.lower(Organisation.name)
        stmt = stmt.where(
            or_(name.contains(words, autoescape=True), org.contains(words, autoescape=True))
        ).order_by(
            ~or_(name.startswith(words, autoescape=True), org.startswith(words, autoescape=True)),
            Participant.name,
        )
    else:
        stmt = stmt.order_by(Participant.name)
    return [Row(*r) for r in db.session.execute(stmt.limit(limit))]


def row_of(event: Event, participant: Participant, day: date) -> Row:
    at = db.session.scalar(
        select(CheckIn.checked_in_at).where(
            CheckIn.participant_id == participant.id, CheckIn.day == day
        )
    )
    return Row(participant.id, participant.name, participant.organisation.name, at)


def check_in(event: Event, participant: Participant, day: date, user, method: str = "desk") -> bool:
    """Check ``participant`` in for ``day``. One statement that does nothing when they are
    checked in already (another desk was quicker): True when this call did it."""
    stmt = (
        insert_for(CheckIn)
        .values(
            event_id=event.id,
            participant_id=participant.id,
            day=day,
            checked_in_at=utcnow(),
            checked_in_by_id=user.id if user else None,
            method=method,
        )
        .on_conflict_do_nothing(index_elements=["participant_id", "day"])
        .returning(CheckIn.id)
    )
    return db.session.execute(stmt).scalar() is not None


def undo_check_in(participant: Participant, day: date) -> None:
    db.session.execute(
        delete(CheckIn).where(CheckIn.participant_id == participant.id, CheckIn.day == day)
    )


#: What "expected" counts, as the check-in page says it.
EXPECTED_RULE = (
    "Expected: approved participants who have a published meeting or a visit that day, or "
    "have not said they are unavailable the whole day, less those marked absent; "
    "anyone checked in counts."
)


def counts(event: Event, day: date) -> tuple[int, int]:
    """(checked in on ``day``, expected on ``day``: see :func:`expected_ids`)."""
    checked = db.session.scalar(
        select(func.count(CheckIn.id)).where(CheckIn.event_id == event.id, CheckIn.day == day)
    )
    return checked or 0, len(expected_ids(event, day))


def expected_ids(event: Event, day: date) -> set[int]:
    """Who the desk expects on ``day`` (:data:`EXPECTED_RULE`): an approved participant
    with a published meeting or a visit that day, or not unavailable in every slot of the
    day; not marked absent for it; and whoever checked in, whatever else."""
    from ..meetings.models import MeetingParticipant
    from ..planning.models import PublishedMeeting
    from ..visits.models import VisitOption, VisitPlace
    from .models import Absence

    zone = ZoneInfo(event.timezone)
    start = datetime.combine(day, time(), zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(), zone).astimezone(UTC)
    of_event = select(Participant.id).where(
        Participant.event_id == event.id, Participant.status == "approved"
    )
    approved = set(db.session.scalars(of_event))
    starts = [s.starts_at for s in event_slots_of_day(event, day)]
    away_all_day = set()
    if starts:
        away_all_day = set(
            db.session.scalars(
                select(Unavailability.participant_id)
                .where(
                    Unavailability.participant_id.in_(of_event),
                    Unavailability.slot_start.in_(starts),
                )
                .group_by(Unavailability.participant_id)
                .having(func.count() >= len(starts))
            )
        )
    meeting = set(
        db.session.scalars(
            select(MeetingParticipant.participant_id)
            .join(PublishedMeeting, PublishedMeeting.meeting_id == MeetingParticipant.meeting_id)
            .where(
                PublishedMeeting.event_id == event.id,
                PublishedMeeting.status == "confirmed",
                PublishedMeeting.starts_at >= start,
                PublishedMeeting.starts_at < end,
            )
        )
    )
    visit = set(
        db.session.scalars(
            select(VisitPlace.participant_id)
            .join(VisitOption, VisitOption.id == VisitPlace.option_id)
            .where(
                VisitPlace.participant_id.in_(of_event),
                VisitOption.starts_at < end,
                VisitOption.ends_at > start,
            )
        )
    )
    absent = set(
        db.session.scalars(
            select(Absence.participant_id).where(
                Absence.participant_id.in_(of_event), Absence.day == day
            )
        )
    )
    coming = (approved - away_all_day) | ((meeting | visit) & approved)
    return (coming - absent) | (checked_in_ids(event, day) & approved)


def checked_in_ids(event: Event, day: date) -> set[int]:
    return set(
        db.session.scalars(
            select(CheckIn.participant_id).where(CheckIn.event_id == event.id, CheckIn.day == day)
        )
    )


def event_slots_of_day(event: Event, day: date):
    return [s for s in event_slots(event) if s.day == day]


def late_after(event: Event) -> time | None:
    from .models import EventBoard

    return db.session.scalar(select(EventBoard.late_after).where(EventBoard.event_id == event.id))


def set_late_after(event: Event, value: str) -> time | None:
    """The local time after which someone not checked in is flagged ("" for none)."""
    from .live import board_of

    text = (value or "").strip()
    try:
        at = time.fromisoformat(text) if text else None
    except ValueError:
        raise Invalid("Give a time such as 09:30.", "late_after") from None
    board_of(event).late_after = at
    db.session.flush()
    return at


def is_late(event: Event, now: datetime | None = None) -> bool:
    """Whether it is past today's "late after" time in the event's zone."""
    at = late_after(event)
    return at is not None and to_zone(now or utcnow(), event.timezone).time() >= at
