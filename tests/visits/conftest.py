"""Fixtures for the visit tests: the schedule tests' event with a visit of two groups."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.planning.conftest import scheduled_event  # noqa: F401  (a fixture)


@pytest.fixture
def visit_event(db, scheduled_event):  # noqa: F811
    """The scheduled event (9 Mar 2027, SAST = UTC+2) with a plant tour: group 1 at
    09:00-10:00 local with 15 min travel each way, group 2 at 14:00-15:00; 1 place each."""
    from matchmaker.visits import services

    def make(places: int = 1):
        s = scheduled_event()
        visit = services.create_visit(
            s.event,
            title="Bell ADT assembly line",
            host="Bell Equipment",
            address="Old Main Road, Richards Bay, 3900",
            meeting_point="Gate 2, visitor centre",
            map_url="https://www.openstreetmap.org/?mlat=-28.78&mlon=32.04",
        )
        g1 = services.add_option(
            visit,
            datetime(2027, 3, 9, 7, 0, tzinfo=UTC),
            datetime(2027, 3, 9, 8, 0, tzinfo=UTC),
            places,
            travel_before=15,
            travel_after=15,
        )
        g2 = services.add_option(
            visit,
            datetime(2027, 3, 9, 12, 0, tzinfo=UTC),
            datetime(2027, 3, 9, 13, 0, tzinfo=UTC),
            places,
        )
        db.flush()
        return s, visit, g1, g2

    return make
