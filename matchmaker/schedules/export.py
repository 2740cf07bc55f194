"""The schedule as rows for a CSV download (organisers)."""

from __future__ import annotations

from ..events.models import Event
from ..templating import to_zone
from .board import load_board


def schedule_rows(event: Event) -> tuple[list[str], list[list]]:
    """One row per meeting of the current (draft) schedule, in time and table order;
    meetings without a place come last."""
    board = load_board(event)
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
