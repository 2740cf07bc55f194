"""The live board: the current and next slot, table by table, for a screen in the room.

Opened through a secret link (``EventBoard.token``), no log-in. Reads only the
published schedule with two small queries, so a refresh stays cheap and the board keeps
working when the job worker is down.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from ..dbtypes import utcnow
from ..events.models import Event, Table
from ..events.services import event_slots
from ..events.slots import Slot
from ..extensions import db
from ..meetings.models import MeetingParticipant
from ..participants.models import Organisation, Participant, display_name
from ..planning.models import PublishedMeeting
from .models import EventBoard


def board_of(event: Event) -> EventBoard:
    """The event's board link, made on first use."""
    board = db.session.get(EventBoard, event.id)
    if board is None:
        board = EventBoard(event_id=event.id, token=secrets.token_urlsafe(24))
        db.session.add(board)
        db.session.flush()
    return board


def new_link(event: Event) -> EventBoard:
    """A new secret link: the old one stops working (a screen left logged in elsewhere)."""
    board = board_of(event)
    board.token = secrets.token_urlsafe(24)
    db.session.flush()
    return board


def event_of_token(token: str) -> Event | None:
    if not token or len(token) > 64:
        return None
    board = db.session.scalar(select(EventBoard).where(EventBoard.token == token))
    return db.session.get(Event, board.event_id) if board else None


@dataclass
class Live:
    now: datetime
    current: Slot | None
    next: Slot | None
    tables: list[Table]
    # table id -> names in the current / the next slot's meeting
    now_at: dict[int, list[str]]
    next_at: dict[int, list[str]]


def live(event: Event, now: datetime | None = None) -> Live:
    now = now or utcnow()
    slots = event_slots(event)
    current = next((s for s in slots if s.starts_at <= now < s.ends_at), None)
    upcoming = next((s for s in slots if s.starts_at > now), None)
    starts = [s.starts_at for s in (current, upcoming) if s]
    names: dict[tuple[datetime, int], list[str]] = {}
    if starts:
        rows = db.session.execute(
            select(
                PublishedMeeting.starts_at,
                PublishedMeeting.table_id,
                Participant.name,
                Organisation.name,
            )
            .join(MeetingParticipant, MeetingParticipant.meeting_id == PublishedMeeting.meeting_id)
            .join(Participant, Participant.id == MeetingParticipant.participant_id)
            .join(Organisation, Organisation.id == Participant.organisation_id)
            .where(
                PublishedMeeting.event_id == event.id,
                PublishedMeeting.status == "confirmed",
                PublishedMeeting.starts_at.in_(starts),
                PublishedMeeting.table_id.is_not(None),
            )
            .order_by(PublishedMeeting.table_id, Participant.name)
        )
        for start, table_id, person, org in rows:
            names.setdefault((start, table_id), []).append(display_name(person, org))
    tables = list(
        db.session.scalars(
            select(Table).where(Table.event_id == event.id).order_by(Table.position, Table.id)
        )
    )

    def at(slot: Slot | None) -> dict[int, list[str]]:
        if slot is None:
            return {}
        return {t.id: names.get((slot.starts_at, t.id), []) for t in tables}

    return Live(now, current, upcoming, tables, at(current), at(upcoming))
