"""Printed material: table signs (one page per table: its name and its day) and badges."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from ..events.models import Event, Table
from ..events.services import event_slots
from ..events.slots import Slot
from ..extensions import db
from .attendance import Person, day_meetings


@dataclass
class Sign:
    table: Table
    rows: list[tuple[Slot, list[Person]]]  # every slot of the day; [] when free


def table_signs(event: Event, day: date) -> list[Sign]:
    slots = [s for s in event_slots(event) if s.day == day]
    placed = {(c.starts_at, c.table_id): c.people for c in day_meetings(event, day)}
    tables = db.session.scalars(
        select(Table).where(Table.event_id == event.id).order_by(Table.position, Table.id)
    )
    return [Sign(t, [(s, placed.get((s.starts_at, t.id), [])) for s in slots]) for t in tables]
