"""Fixtures for the schedule tests: an event with participants and accepted meetings."""

from __future__ import annotations

from dataclasses import dataclass

import pytest


@dataclass
class Scheduled:
    event: object
    organiser: object
    people: list  # participants
    meetings: list


@pytest.fixture
def scheduled_event(db, make_user, make_event, make_participant):
    """An event (15 slots, 4 tables) with 6 participants and 8 meetings to schedule."""
    from matchmaker.meetings.services import create_meeting

    def make(tables: int = 4, pairs=None) -> Scheduled:
        organiser = make_user("organiser")
        event = make_event(organiser=organiser, tables=tables)
        # They agreed to show their contact details to the people they meet.
        people = [make_participant(event, share_contact=True) for _ in range(6)]
        pairs = pairs or [(0, 1), (0, 2), (0, 3), (1, 2), (1, 4), (2, 5), (3, 4), (4, 5)]
        meetings = [create_meeting(event, [people[a], people[b]]) for a, b in pairs]
        db.flush()
        return Scheduled(event, organiser, people, meetings)

    return make


def assert_valid_schedule(db, event) -> None:
    """No participant and no table twice in one slot; every placed meeting has both."""
    from sqlalchemy import select

    from matchmaker.meetings.models import Meeting

    db.expire_all()
    seen_tables, seen_people = set(), set()
    for m in db.scalars(select(Meeting).where(Meeting.event_id == event.id)):
        if m.status != "active" or m.slot_start is None:
            continue
        assert m.table_id is not None and m.slot_end > m.slot_start
        assert (m.slot_start, m.table_id) not in seen_tables
        seen_tables.add((m.slot_start, m.table_id))
        for a in m.attendees:
            assert a.slot_start == m.slot_start
            assert (m.slot_start, a.participant_id) not in seen_people
            seen_people.add((m.slot_start, a.participant_id))


# Enough for the engine to place all 8 meetings even on a busy 2-core machine.
SOLVE_SECONDS = 4
