"""Check-in at the desk: search as one types, check in (or undo) for a day, counts.

Functions flush and never commit; the route commits once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import delete, func, or_, select

from ..dbtypes import utcnow
from ..errors import Invalid, NotFound
from ..events.models import Event
from ..events.services import event_slots
from ..extensions import db
from ..participants.models import Organisation, Participant
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


def counts(event: Event, day: date) -> tuple[int, int]:
    """(checked in on ``day``, approved participants expected)."""
    checked = db.session.scalar(
        select(func.count(CheckIn.id)).where(CheckIn.event_id == event.id, CheckIn.day == day)
    )
    expected = db.session.scalar(
        select(func.count(Participant.id)).where(
            Participant.event_id == event.id, Participant.status == "approved"
        )
    )
    return checked or 0, expected or 0


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
