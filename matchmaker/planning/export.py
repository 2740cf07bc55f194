"""The schedule as rows for a CSV download (organisers) and ``flask schedule export``."""

from __future__ import annotations

from types import SimpleNamespace
from typing import cast

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..events.models import Event
from ..extensions import db
from ..meetings.models import Meeting
from ..templating import to_zone
from .board import load_board
from .models import PublishedMeeting


def current_schedule_rows(event: Event) -> tuple[list[str], list[list]]:
    """The draft schedule's rows, or the published schedule's when no meeting of the
    draft has a place (``flask schedule export``)."""
    board = load_board(event)
    if any(m.slot_start is not None for m in board.meetings):
        return schedule_rows(event, board)
    published = list(
        db.session.scalars(
            select(PublishedMeeting)
            .where(PublishedMeeting.event_id == event.id, PublishedMeeting.status == "confirmed")
            .options(selectinload(PublishedMeeting.meeting).selectinload(Meeting.attendees))
        )
    )
    if not published:
        return schedule_rows(event, board)
    # The published placements stand in for the meetings: the attributes the rows read.
    stand_ins = [
        SimpleNamespace(
            id=p.meeting_id,
            slot_start=p.starts_at,
            slot_end=p.ends_at,
            table_id=p.table_id,
            locked=p.meeting.locked,
            attendees=p.meeting.attendees,
        )
        for p in published
    ]
    board.meetings = cast(list[Meeting], stand_ins)
    return schedule_rows(event, board)


def schedule_rows(event: Event, board=None) -> tuple[list[str], list[list]]:
    """One row per meeting of the current (draft) schedule, in time and table order;
    meetings without a place come last."""
    board = board or load_board(event)
    width = max((len(m.attendees) for m in board.meetings), default=2)
    header = [f"Day ({event.timezone})", "Start", "End", "Table", "Locked"]
    for n in range(1, max(width, 2) + 1):
        header += [f"Organisation {n}", f"Person {n}", f"E-mail {n}"]
    tables = {t.id: t.name for t in board.tables}
    order = {t.id: i for i, t in enumerate(board.tables)}

    def key(m):
        return (m.slot_start is None, m.slot_start or 0, order.get(m.table_id, 0), m.id)

    rows = []
    for m in sorted(board.meetings, key=key):
        if m.slot_start is not None:
            start, end = to_zone(m.slot_start, event.timezone), to_zone(m.slot_end, event.timezone)
            row = [start.date().isoformat(), f"{start:%H:%M}", f"{end:%H:%M}"]
        else:
            row = ["", "", ""]
        row += [tables.get(m.table_id, ""), "yes" if m.locked else ""]
        for a in m.attendees:
            p = a.participant
            row += [p.organisation.name, p.name, p.email]
        rows.append(row)
    return header, rows
