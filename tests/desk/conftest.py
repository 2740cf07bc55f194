"""An event held today (in its zone) with a published schedule: the event day's tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

import pytest


@dataclass
class Day:
    event: object
    organiser: object
    people: list
    meetings: list  # placed and published: [0] and [1] in the first slot, [2] in the last
    slots: list


@pytest.fixture
def day_event(db, make_user, make_event, make_participant):
    from zoneinfo import ZoneInfo

    from matchmaker.events import services as events
    from matchmaker.meetings.services import create_meeting, place_meeting
    from matchmaker.planning.services import publish

    def make(days: int = 1) -> Day:
        """``days``: today and the days after it (a later day has a 09:00-10:00 session)."""
        organiser = make_user("organiser")
        event = make_event(organiser=organiser, sessions=False, tables=2, status="draft")
        today = datetime.now(ZoneInfo(event.timezone)).date()
        events.add_session(
            event,
            day=today,
            start_time=time(0, 0),
            end_time=time(23, 55),
            slot_minutes=20,
            pause_minutes=5,
        )
        for later in range(1, days):
            events.add_session(
                event,
                day=today + timedelta(days=later),
                start_time=time(9, 0),
                end_time=time(10, 0),
                slot_minutes=20,
                pause_minutes=5,
            )
        events.set_status(event, "open")
        people = [
            make_participant(event, name=n)
            for n in ("Anna Virtanen", "Thandi Nkosi", "Kadri Tamm", "Jukka Laine")
        ]
        slots = [s for s in events.event_slots(event) if s.day == today]
        tables = event.tables
        meetings = [
            create_meeting(event, [people[0], people[1]]),
            create_meeting(event, [people[2], people[3]]),
            create_meeting(event, [people[0], people[2]]),
        ]
        place_meeting(meetings[0], slots[0].starts_at, slots[0].ends_at, tables[0].id)
        place_meeting(meetings[1], slots[0].starts_at, slots[0].ends_at, tables[1].id)
        place_meeting(meetings[2], slots[-1].starts_at, slots[-1].ends_at, tables[0].id)
        publish(event, organiser)
        db.flush()
        return Day(event, organiser, people, meetings, slots)

    return make
