"""Meetings: create, cancel and place them, keeping the no-double-booking index true.

Meeting requests (ask, accept, decline, withdraw) live in ``requests.py`` beside this.
Every function flushes and never commits; the route commits once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError

from ..errors import Conflict, Invalid
from ..extensions import db
from .models import Meeting, MeetingParticipant, MeetingRequest


def create_meeting(
    event,
    participants,
    *,
    created_by=None,
    request: MeetingRequest | None = None,
    priority: int = 1,
) -> Meeting:
    """A meeting to schedule between ``participants`` (two or more, all of ``event``)."""
    ids = [p.id for p in participants]
    if len(set(ids)) < 2:
        raise Invalid("A meeting needs at least two different participants.", "participants")
    if any(p.event_id != event.id for p in participants):
        raise Invalid("Every participant must belong to this event.", "participants")
    meeting = Meeting(
        event_id=event.id,
        request=request,
        priority=priority,
        created_by_id=created_by.id if created_by else None,
    )
    meeting.attendees = [MeetingParticipant(participant_id=i) for i in dict.fromkeys(ids)]
    db.session.add(meeting)
    db.session.flush()
    return meeting


def cancel_meeting(meeting: Meeting) -> None:
    """Cancel a meeting: it frees its slot and table (the row stays, for calendars)."""
    meeting.status = "cancelled"
    for attendee in meeting.attendees:
        attendee.status = "cancelled"
    db.session.flush()


def place_meeting(
    meeting: Meeting, slot_start: datetime | None, slot_end: datetime | None, table_id: int | None
) -> None:
    """Put a meeting in a slot at a table (or take it out with ``None``).

    The database refuses a second meeting for a participant or a table in one slot;
    that refusal becomes a ``Conflict`` (409) and nothing is changed.
    """
    with db.session.no_autoflush:  # loading attendees must not flush half a move
        meeting.slot_start, meeting.slot_end, meeting.table_id = slot_start, slot_end, table_id
        for attendee in meeting.attendees:
            attendee.slot_start = slot_start
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise Conflict("That slot or table is taken already; reload and choose another.") from None
