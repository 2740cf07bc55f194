"""Meeting slots derived from an event's sessions. Pure: no database, no Flask."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class SessionSpec:
    id: int
    day: date
    start_time: time
    end_time: time
    slot_minutes: int
    pause_minutes: int
    name: str = ""


@dataclass(frozen=True)
class Slot:
    index: int  # position in the whole event, 0-based, in time order
    session_id: int
    number: int  # 1-based within its session
    starts_at: datetime  # UTC
    ends_at: datetime  # UTC
    local_start: datetime
    local_end: datetime

    @property
    def key(self) -> str:
        """Stable identifier: the UTC start, e.g. ``2026-03-10T07:00Z``."""
        return self.starts_at.strftime("%Y-%m-%dT%H:%MZ")

    @property
    def day(self) -> date:
        return self.local_start.date()


def session_bounds(spec: SessionSpec, tz: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(spec.day, spec.start_time, tzinfo=tz)
    end = datetime.combine(spec.day, spec.end_time, tzinfo=tz)
    return start, end


def session_slots(spec: SessionSpec, tz: ZoneInfo) -> list[tuple[datetime, datetime]]:
    """(local start, local end) of each slot that fits wholly inside the session."""
    start, end = session_bounds(spec, tz)
    length = timedelta(minutes=spec.slot_minutes)
    step = length + timedelta(minutes=spec.pause_minutes)
    slots, cursor = [], start
    while cursor + length <= end:
        slots.append((cursor, cursor + length))
        cursor += step
    return slots


def derive_slots(sessions: Iterable[SessionSpec], tz_name: str) -> list[Slot]:
    """All slots of the event in time order, in UTC and in the event's zone."""
    tz = ZoneInfo(tz_name)
    slots: list[Slot] = []
    ordered = sorted(sessions, key=lambda s: (s.day, s.start_time))
    for spec in ordered:
        for number, (local_start, local_end) in enumerate(session_slots(spec, tz), start=1):
            slots.append(
                Slot(
                    index=len(slots),
                    session_id=spec.id,
                    number=number,
                    starts_at=local_start.astimezone(UTC),
                    ends_at=local_end.astimezone(UTC),
                    local_start=local_start,
                    local_end=local_end,
                )
            )
    return slots


def overlapping(a: SessionSpec, b: SessionSpec) -> bool:
    return a.day == b.day and a.start_time < b.end_time and b.start_time < a.end_time
