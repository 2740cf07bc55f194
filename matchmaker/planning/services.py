"""Adjusting the draft schedule by hand, and publishing it.

Every function flushes and never commits; the route (or the command line) commits once.
Manual changes go through ``meetings.services.place_meeting``, so the database's
partial unique indexes have the last word on double booking (``Conflict``, 409), and
``Meeting.version`` makes a change based on a stale page fail with 409 as well.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm.exc import StaleDataError

from .. import audit
from ..accounts.models import User
from ..dbtypes import utcnow
from ..errors import Conflict, Invalid, NotFound
from ..events.models import Event, Table
from ..events.services import event_slots
from ..events.states import after_publish
from ..extensions import db
from ..meetings.models import Meeting, MeetingParticipant
from ..meetings.services import create_meeting, place_meeting
from ..notifications.services import notify
from ..participants.models import Participant
from ..web import absolute_url, parse_id, site_url
from . import changes as revision_changes
from .board import free_targets
from .models import PublishedMeeting, ScheduleRevision


def meeting_of(event: Event, meeting_id: int) -> Meeting:
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or meeting.event_id != event.id:
        raise NotFound("No such meeting.")
    return meeting


def _check_version(meeting: Meeting, version: int | None) -> None:
    if version is not None and version != meeting.version:
        raise Conflict(
            "Someone changed this meeting while you were looking at it; reload and try again."
        )


def _flush_versioned() -> None:
    try:
        db.session.flush()
    except StaleDataError:
        raise Conflict(
            "Someone changed this meeting at the same moment; reload and try again."
        ) from None


def parse_target(value: str) -> tuple[str, int]:
    """A move target as the form sends it: ``<slot key>@<table id>``."""
    slot_key, _, table = (value or "").partition("@")
    table_id = parse_id(table)
    if not slot_key or table_id is None:
        raise Invalid("Choose where the meeting should go.", "target")
    return slot_key, table_id


def move_meeting(
    event: Event, meeting: Meeting, slot_key: str, table_id: int, version: int | None = None
) -> None:
    """Move ``meeting`` to a slot and table; only conflict-free targets are accepted.
    A meeting moved by hand is locked: a re-run keeps it where the organiser put it."""
    if meeting.status != "active":
        raise Conflict("This meeting is cancelled.", "target")
    _check_version(meeting, version)
    slot = next((s for s in event_slots(event) if s.key == slot_key), None)
    if slot is None:
        raise Invalid("That slot does not exist in this event.", "target")
    free = {(s.key, t.id) for s, tables in free_targets(event, meeting) for t in tables}
    if (slot_key, table_id) not in free:
        raise Conflict(
            "That slot or table is not free for this meeting any more; choose another.", "target"
        )
    try:
        place_meeting(meeting, slot.starts_at, slot.ends_at, table_id)
        meeting.locked = True
        _flush_versioned()
        audit.record(
            event,
            audit.current_actor(),
            "schedule.moved",
            {"meeting_id": meeting.id, "slot": slot_key, "table_id": table_id},
        )
    except StaleDataError:
        raise Conflict(
            "Someone changed this meeting at the same moment; reload and try again."
        ) from None


def set_locked(meeting: Meeting, locked: bool, version: int | None = None) -> None:
    """Lock a placed meeting to its slot and table (re-runs keep it), or unlock it."""
    _check_version(meeting, version)
    if locked and (meeting.slot_start is None or meeting.table_id is None):
        raise Invalid("Place the meeting in a slot and at a table before locking it.")
    meeting.locked = locked
    _flush_versioned()


def add_meeting(event: Event, first_id: int, second_id: int, user) -> Meeting:
    """A meeting added by hand between two approved participants of the event."""
    people = []
    for field, pid in (("first", first_id), ("second", second_id)):
        p = db.session.get(Participant, pid) if pid else None
        if p is None or p.event_id != event.id or p.status != "approved":
            raise Invalid("Choose an approved participant of this event.", field)
        people.append(p)
    if people[0].id == people[1].id:
        raise Invalid("Choose two different participants.", "second")
    mine = select(MeetingParticipant.meeting_id).where(
        MeetingParticipant.participant_id == people[0].id
    )
    clash = db.session.scalar(
        select(Meeting.id)
        .join(MeetingParticipant, MeetingParticipant.meeting_id == Meeting.id)
        .where(
            Meeting.status == "active",
            Meeting.id.in_(mine),
            MeetingParticipant.participant_id == people[1].id,
        )
        .limit(1)
    )
    if clash:
        raise Conflict("These two have a meeting already.", "second")
    meeting = create_meeting(event, people, created_by=user)
    audit.record(event, user, "schedule.added", {"meeting_id": meeting.id})
    return meeting


# --- publishing -------------------------------------------------------------------------


def _place(starts_at: datetime | None, table_id: int | None, names: dict[int, str]) -> dict:
    return {
        "start": starts_at.isoformat() if starts_at else None,
        "table": table_id,
        "table_name": names.get(table_id, "") if table_id else "",
    }


def draft_changes(event: Event) -> list[dict]:
    """What publishing now would change for participants, compared with the last
    publication: ``added``, ``moved`` (time or table) and ``cancelled`` meetings."""
    published = {
        pm.meeting_id: pm
        for pm in db.session.scalars(
            select(PublishedMeeting).where(PublishedMeeting.event_id == event.id)
        )
    }
    tables = db.session.execute(select(Table.id, Table.name).where(Table.event_id == event.id))
    names = {table_id: name for table_id, name in tables}
    changes = []
    seen = set()
    for m in db.session.scalars(
        select(Meeting).where(Meeting.event_id == event.id).order_by(Meeting.id)
    ):
        placed = m.status == "active" and m.slot_start is not None and m.table_id is not None
        pm = published.get(m.id)
        seen.add(m.id)
        if placed and (pm is None or pm.status == "cancelled"):
            changes.append(
                {"meeting": m.id, "change": "added", "to": _place(m.slot_start, m.table_id, names)}
            )
        elif (
            placed and pm is not None and (pm.starts_at, pm.table_id) != (m.slot_start, m.table_id)
        ):
            changes.append(
                {
                    "meeting": m.id,
                    "change": "moved",
                    "from": _place(pm.starts_at, pm.table_id, names),
                    "to": _place(m.slot_start, m.table_id, names),
                }
            )
        elif not placed and pm is not None and pm.status == "confirmed":
            changes.append(
                {
                    "meeting": m.id,
                    "change": "cancelled",
                    "from": _place(pm.starts_at, pm.table_id, names),
                }
            )
    return changes


def publish(event: Event, user) -> ScheduleRevision:
    """Make the draft what participants and calendars see, as a new revision.

    New meetings get a ``PublishedMeeting`` (sequence 0); moved or cancelled ones are
    updated with ``sequence + 1`` and ``changed_at = now``; unchanged ones are not
    touched.  Only the participants of changed meetings are notified, once each.
    """
    last = db.session.scalar(
        select(func.max(ScheduleRevision.number)).where(ScheduleRevision.event_id == event.id)
    )
    changes = draft_changes(event)
    if last and not changes:
        raise Conflict("Nothing has changed since the last publication.")
    now = utcnow()
    revision = ScheduleRevision(
        event_id=event.id,
        number=(last or 0) + 1,
        published_by_id=user.id if user else None,
        published_at=now,
        changes=changes,
    )
    db.session.add(revision)
    db.session.flush()
    touched: set[int] = set()
    for change in changes:
        meeting = db.session.get_one(Meeting, change["meeting"])
        pm = db.session.get(PublishedMeeting, meeting.id)
        if pm is None:
            pm = PublishedMeeting(meeting_id=meeting.id, event_id=event.id, sequence=0)
            db.session.add(pm)
        else:
            pm.sequence += 1  # a change of status is a change for calendars too
        if change["change"] == "cancelled":
            pm.status = "cancelled"
        else:
            # Added or moved: a placed meeting (see ``draft_changes``).
            assert meeting.slot_start is not None and meeting.slot_end is not None
            pm.status = "confirmed"
            pm.starts_at, pm.ends_at, pm.table_id = (
                meeting.slot_start,
                meeting.slot_end,
                meeting.table_id,
            )
        pm.changed_at, pm.revision_id = now, revision.id
        touched.update(meeting.participant_ids)
    event.status = after_publish(event)
    db.session.flush()
    audit.record(
        event, user, "schedule.published", {"revision": revision.number, "changes": len(changes)}
    )
    _notify(event, revision, touched, changes)
    return revision


def _notify(
    event: Event, revision: ScheduleRevision, participant_ids: set[int], changes: list[dict]
) -> None:
    """Tell each participant concerned; after the first publication, what changed for
    them ("Tue 14:50 Table 3 → Wed 09:25 Table 5, with Anna Virtanen (HydroCyl Oy)")."""
    if not participant_ids:
        return
    base = site_url()
    path = absolute_url("schedules.agenda", base_url=base, slug=event.slug)[len(base) :]
    lines = revision_changes.per_participant(event, changes) if revision.number > 1 else {}
    people = db.session.scalars(
        select(Participant).where(Participant.id.in_(sorted(participant_ids)))
    )
    for participant in people:
        if revision.number == 1:
            message = f"Your meeting agenda for {event.name} is published."
        else:
            mine = "; ".join(lines.get(participant.id, []))
            message = (
                f"Your meeting agenda for {event.name} has changed (revision {revision.number})"
                + (f": {mine}." if mine else ".")
            )
        notify(participant.user, message, kind="schedule", link=path, event=event)


def revisions(event: Event) -> list[ScheduleRevision]:
    return list(
        db.session.scalars(
            select(ScheduleRevision)
            .where(ScheduleRevision.event_id == event.id)
            .order_by(ScheduleRevision.number.desc())
        )
    )


def publishers(revs: list[ScheduleRevision]) -> dict[int, str]:
    """User id -> name of whoever published these revisions."""
    ids = {r.published_by_id for r in revs if r.published_by_id}
    if not ids:
        return {}
    rows = db.session.execute(select(User.id, User.name).where(User.id.in_(ids)))
    return dict(rows.tuples().all())
