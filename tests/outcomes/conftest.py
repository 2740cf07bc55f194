"""An event held ten days ago (in its zone), its schedule published: four people, three
meetings (Anna-Thandi and Kadri-Jukka in the first slot, Anna-Kadri in the last)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

import pytest


@dataclass
class Past:
    event: object
    organiser: object
    people: list
    meetings: list
    day: object
    slots: list


@pytest.fixture
def past_event(db, make_user, make_event, make_participant):
    from zoneinfo import ZoneInfo

    from matchmaker.events import services as events
    from matchmaker.meetings.services import create_meeting, place_meeting
    from matchmaker.participants.models import Organisation
    from matchmaker.planning.services import publish

    def make(days_ago: int = 10) -> Past:
        organiser = make_user("organiser")
        event = make_event(organiser=organiser, sessions=False, tables=2, status="draft")
        day = datetime.now(ZoneInfo(event.timezone)).date() - timedelta(days=days_ago)
        events.add_session(
            event,
            day=day,
            start_time=time(9),
            end_time=time(12),
            slot_minutes=20,
            pause_minutes=5,
        )
        events.set_status(event, "open")
        people = []
        for name, org, country, kind in (
            ("Anna Virtanen", "Hydroline Oy", "FI", "sme"),
            ("Thandi Nkosi", "Bell Equipment", "ZA", "large"),
            ("Kadri Tamm", "Tartu Robotics", "EE", "startup"),
            ("Jukka Laine", "Laine Research", "FI", "research"),
        ):
            organisation = Organisation(name=org, country=country, kind=kind, sectors="|mining|")
            # They agreed to show their contact details to the people they meet.
            people.append(
                make_participant(event, name=name, organisation=organisation, share_contact=True)
            )
        slots = events.event_slots(event)
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
        event.status = "finished"
        db.flush()
        return Past(event, organiser, people, meetings, day, slots)

    return make
