"""Creating and changing events, their sessions, tables and programme.

Services validate, change the session and flush; the route commits once.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from sqlalchemy import func, select

from .. import audit
from ..errors import Conflict, Invalid, NotFound
from ..extensions import db
from .models import Event, MeetingSession, ProgrammeItem, Table
from .slots import SessionSpec, Slot, derive_slots, overlapping
from .states import STATES, can_move, home_section, state_of

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_TABLES = 1000


@cache
def known_timezones() -> frozenset[str]:
    return frozenset(available_timezones())


def check_timezone(name: str) -> str:
    name = (name or "").strip()
    if name not in known_timezones():
        raise Invalid(
            f"Unknown time zone {name!r}; use an IANA name such as Europe/Helsinki.", "timezone"
        )
    return name


def event_by_slug(slug: str) -> Event:
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    if event is None:
        raise NotFound("No such event.")
    return event


def _check_event_fields(data: dict) -> None:
    if not SLUG_RE.match(data.get("slug") or ""):
        raise Invalid(
            "Use lowercase letters, digits and single hyphens, e.g. bell-mission-2026.", "slug"
        )
    check_timezone(data.get("timezone", ""))
    opens, closes = data.get("registration_opens_at"), data.get("registration_closes_at")
    if opens and closes and closes <= opens:
        raise Invalid("Registration must close after it opens.", "registration_closes_at")


EVENT_FIELDS = (
    "name",
    "slug",
    "description",
    "venue",
    "timezone",
    "registration_opens_at",
    "registration_closes_at",
    "booking_deadline",
    "requires_approval",
    "max_meetings_per_participant",
    "late_registration",
    "schedule_tie_break",
)


def create_event(organiser, **data) -> Event:
    """Create a draft event organised by ``organiser``."""
    _check_event_fields(data)
    if db.session.scalar(select(Event.id).where(Event.slug == data["slug"])):
        raise Conflict("Another event uses this address already.", "slug")
    event = Event(status="draft", **{k: v for k, v in data.items() if k in EVENT_FIELDS})
    event.organisers.append(organiser)
    db.session.add(event)
    db.session.flush()
    audit.record(event, organiser, "event.created")
    return event


def update_event(event: Event, **data) -> Event:
    _check_event_fields(data)
    clash = db.session.scalar(
        select(Event.id).where(Event.slug == data["slug"], Event.id != event.id)
    )
    if clash:
        raise Conflict("Another event uses this address already.", "slug")
    for key in EVENT_FIELDS:
        if key in data:
            setattr(event, key, data[key])
    db.session.flush()
    audit.record(event, audit.current_actor(), "event.edited")
    return event


def set_status(event: Event, status: str) -> None:
    """Move the event to ``status`` if its state offers that move (``events.states``)."""
    if not can_move(event, status):
        target = STATES[status].label.lower() if status in STATES else status
        raise Conflict(
            f"An event that is {state_of(event).label.lower()} cannot become {target}.",
            "status",
        )
    if status == "open" and not event.sessions:
        raise Invalid("Add at least one meeting session before opening registration.", "status")
    event.status = status
    db.session.flush()
    audit.record(event, audit.current_actor(), "event.status", {"to": status})


# --- sessions --------------------------------------------------------------------------


def _spec(session: MeetingSession) -> SessionSpec:
    return SessionSpec(
        id=session.id or 0,
        day=session.day,
        start_time=session.start_time,
        end_time=session.end_time,
        slot_minutes=session.slot_minutes,
        pause_minutes=session.pause_minutes,
        name=session.name,
    )


def _check_session(event: Event, candidate: SessionSpec, ignore_id: int | None = None) -> None:
    if candidate.end_time <= candidate.start_time:
        raise Invalid("The session must end after it starts.", "end_time")
    if not 5 <= candidate.slot_minutes <= 240:
        raise Invalid("Slots last between 5 and 240 minutes.", "slot_minutes")
    if not 0 <= candidate.pause_minutes <= 120:
        raise Invalid("A pause lasts between 0 and 120 minutes.", "pause_minutes")
    length = datetime.combine(date.min, candidate.end_time) - datetime.combine(
        date.min, candidate.start_time
    )
    if timedelta(minutes=candidate.slot_minutes) > length:
        raise Invalid(
            f"A {candidate.slot_minutes}-minute slot does not fit in this "
            f"{int(length.total_seconds() // 60)}-minute session.",
            "slot_minutes",
        )
    for other in event.sessions:
        if other.id != ignore_id and overlapping(candidate, _spec(other)):
            raise Invalid(
                f"Overlaps the session of {other.day:%a %d %b} "
                f"{other.start_time:%H:%M}–{other.end_time:%H:%M}.",
                "start_time",
            )


def add_session(
    event: Event,
    *,
    day: date,
    start_time: time,
    end_time: time,
    slot_minutes: int,
    pause_minutes: int = 0,
    name: str = "",
) -> MeetingSession:
    """Add a meeting session; nothing is saved if it is invalid or overlaps another."""
    spec = SessionSpec(0, day, start_time, end_time, slot_minutes, pause_minutes, name)
    _check_session(event, spec)
    session = MeetingSession(
        day=day,
        start_time=start_time,
        end_time=end_time,
        slot_minutes=slot_minutes,
        pause_minutes=pause_minutes,
        name=name.strip(),
    )
    event.sessions.append(session)
    db.session.flush()
    return session


def delete_session(event: Event, session_id: int) -> None:
    session = db.session.get(MeetingSession, session_id)
    if session is None or session.event_id != event.id:
        raise NotFound("No such session.")
    event.sessions.remove(session)
    db.session.flush()


def event_slots(event: Event) -> list[Slot]:
    """The event's slots in time order (UTC and local)."""
    return derive_slots([_spec(s) for s in event.sessions], event.timezone)


def slots_by_day(slots: list[Slot]) -> list[tuple[date, list[Slot]]]:
    days: dict[date, list[Slot]] = {}
    for slot in slots:
        days.setdefault(slot.day, []).append(slot)
    return list(days.items())


# --- tables ----------------------------------------------------------------------------


def add_tables(
    event: Event, count: int, prefix: str = "Table", capacity_note: str = ""
) -> list[Table]:
    """Bulk-create ``prefix N`` tables, numbering on from the highest existing number."""
    if not 1 <= count <= MAX_TABLES:
        raise Invalid(f"Add between 1 and {MAX_TABLES} tables at a time.", "count")
    prefix = prefix.strip() or "Table"
    if len(event.tables) + count > MAX_TABLES:
        raise Invalid(f"An event has at most {MAX_TABLES} tables.", "count")
    taken = {t.name for t in event.tables}
    numbers = [
        int(m.group(1))
        for t in event.tables
        if (m := re.fullmatch(re.escape(prefix) + r" (\d+)", t.name))
    ]
    start = max(numbers, default=0) + 1
    position = max((t.position for t in event.tables), default=0)
    created = []
    for number in range(start, start + count):
        name = f"{prefix} {number}"
        if name in taken:
            continue
        position += 1
        table = Table(name=name, capacity_note=capacity_note.strip(), position=position)
        event.tables.append(table)
        created.append(table)
    db.session.flush()
    return created


def rename_table(event: Event, table_id: int, name: str, capacity_note: str = "") -> Table:
    table = _table(event, table_id)
    name = name.strip()
    if not name:
        raise Invalid("A table needs a name.", "name")
    if any(t.name == name and t.id != table.id for t in event.tables):
        raise Conflict(f"There is a {name} already.", "name")
    table.name, table.capacity_note = name, capacity_note.strip()
    db.session.flush()
    return table


def delete_table(event: Event, table_id: int) -> None:
    from ..meetings.models import Meeting

    table = _table(event, table_id)
    in_use = db.session.scalar(
        select(func.count(Meeting.id)).where(
            Meeting.table_id == table.id, Meeting.status == "active"
        )
    )
    if in_use:
        raise Conflict(f"{table.name} has {in_use} scheduled meetings; move them first.")
    event.tables.remove(table)
    db.session.flush()


def _table(event: Event, table_id: int) -> Table:
    table = db.session.get(Table, table_id)
    if table is None or table.event_id != event.id:
        raise NotFound("No such table.")
    return table


# --- programme -------------------------------------------------------------------------


def local_to_utc(event: Event, day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=ZoneInfo(event.timezone)).astimezone(ZoneInfo("UTC"))


def add_programme_item(
    event: Event,
    *,
    title: str,
    day: date,
    start_time: time,
    end_time: time,
    place: str = "",
    description: str = "",
    attendance: str = "all",
) -> ProgrammeItem:
    """Add a seminar, tour or dinner; it blocks the slots it covers for its attendees."""
    if not title.strip():
        raise Invalid("Give the programme item a title.", "title")
    if end_time <= start_time:
        raise Invalid("The item must end after it starts.", "end_time")
    if attendance not in ("all", "opt_in"):
        raise Invalid("Choose who attends.", "attendance")
    item = ProgrammeItem(
        title=title.strip(),
        description=description.strip(),
        place=place.strip(),
        starts_at=local_to_utc(event, day, start_time),
        ends_at=local_to_utc(event, day, end_time),
        attendance=attendance,
    )
    event.programme.append(item)
    db.session.flush()
    return item


def delete_programme_item(event: Event, item_id: int) -> None:
    item = db.session.get(ProgrammeItem, item_id)
    if item is None or item.event_id != event.id:
        raise NotFound("No such programme item.")
    event.programme.remove(item)
    db.session.flush()


def programme_slot_keys(
    event: Event, item: ProgrammeItem, slots: list[Slot] | None = None
) -> set[datetime]:
    """UTC starts of the slots an item overlaps (blocked for its attendees)."""
    slots = event_slots(event) if slots is None else slots
    return {s.starts_at for s in slots if s.starts_at < item.ends_at and item.starts_at < s.ends_at}


def home_lists(user) -> dict[str, list[Event]]:
    """The home page's lists: "join" (registration open), "yours", "past" (finished).

    Where an event goes is its state's decision (``states.home_section``); drafts are
    listed only to their organisers.
    """
    from ..participants.models import Participant

    mine: set[int] = set()
    public = [s.status for s in STATES.values() if s.public]
    query = select(Event).order_by(Event.name)
    if user is not None and user.is_authenticated:
        mine = set(
            db.session.scalars(select(Participant.event_id).where(Participant.user_id == user.id))
        )
        mine |= set(db.session.scalars(select(Event.id).where(Event.organisers.any(id=user.id))))
        query = query.where(Event.status.in_(public) | Event.id.in_(mine))
    else:
        query = query.where(Event.status.in_(public))
    lists: dict[str, list[Event]] = {"join": [], "yours": [], "past": []}
    for event in db.session.scalars(query):
        section = home_section(event, event.id in mine)
        if section:
            lists[section].append(event)
    return lists


def organised_by(user) -> list[Event]:
    query = select(Event).order_by(Event.created_at.desc())
    if not user.is_admin:
        query = query.where(Event.organisers.any(id=user.id))
    return list(db.session.scalars(query))


def set_programme_attendance(item: ProgrammeItem, participant, attending: bool) -> None:
    """Opt a participant in to (or out of) an opt-in programme item."""
    from .models import ProgrammeAttendance

    if item.attendance != "opt_in":
        raise Conflict("Everyone attends this item; there is nothing to sign up for.")
    if participant.status != "approved" or participant.event_id != item.event_id:
        raise NotFound("No such programme item.")
    row = db.session.get(ProgrammeAttendance, (item.id, participant.id))
    if attending and row is None:
        db.session.add(ProgrammeAttendance(item_id=item.id, participant_id=participant.id))
    elif not attending and row is not None:
        db.session.delete(row)
    db.session.flush()


def attended_item_ids(event: Event, participant) -> set[int]:
    """Programme items ``participant`` attends: everyone's, and the opt-ins they chose."""
    from .models import ProgrammeAttendance

    if participant is None:
        return set()
    chosen = set(
        db.session.scalars(
            select(ProgrammeAttendance.item_id).where(
                ProgrammeAttendance.participant_id == participant.id
            )
        )
    )
    return {i.id for i in event.programme if i.attendance == "all" or i.id in chosen}
