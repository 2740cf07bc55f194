"""A subscribed calendar polling the live server: the feed's caches follow committed changes.

Unit tests run inside one rolled-back transaction; here every change is committed by
another connection, as when an organiser works while calendar apps poll, so the
per-process feed cache and its data-version check are exercised for real.
"""

from __future__ import annotations

import http.client
import itertools
from datetime import date, time
from urllib.parse import urlsplit

import pytest

_n = itertools.count(1)


def fetch(base_url: str, path: str, **headers: str) -> tuple[int, dict, str]:
    url = urlsplit(base_url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode()
    finally:
        conn.close()


@pytest.fixture
def published(live_server):
    """An event with one published meeting; returns ids and the participant's feed path."""
    from matchmaker.accounts.models import User
    from matchmaker.calendar import services as calendar
    from matchmaker.events import services as events
    from matchmaker.meetings.services import create_meeting, place_meeting
    from matchmaker.participants.models import Organisation, Participant
    from matchmaker.planning.services import publish

    n = next(_n)
    with live_server.seeding() as session:
        organiser = User(email=f"feed-org{n}@example.test", name="Organiser", role="organiser")
        organiser.set_password("feed-password-1")
        session.add(organiser)
        event = events.create_event(
            organiser,
            name=f"Feed mission {n}",
            slug=f"feed-mission-{n}",
            timezone="Africa/Johannesburg",
            venue="Richards Bay",
            description="",
            requires_approval=False,
        )
        events.add_session(
            event,
            day=date(2031, 3, 11),
            start_time=time(9),
            end_time=time(12),
            slot_minutes=20,
            pause_minutes=5,
        )
        events.add_tables(event, 3)
        me, other = (
            Participant(
                event=event,
                organisation=Organisation(name=name, country=country),
                status="approved",
                name=person,
                email=f"{person.split()[0].lower()}{n}@example.test",
            )
            for name, country, person in (
                ("Kabiini Oy", "FI", "Anna Virtanen"),
                ("Bell Equipment", "ZA", "Thandi Nkosi"),
            )
        )
        session.add_all([me, other])
        session.flush()
        slots = events.event_slots(event)
        meeting = create_meeting(event, [me, other])
        place_meeting(meeting, slots[0].starts_at, slots[0].ends_at, event.tables[0].id)
        publish(event, organiser)
        feed = calendar.participant_feed(me)
        token = calendar.feed_token(feed)
        ids = {
            "event": event.id,
            "meeting": meeting.id,
            "me": me.id,
            "organiser": organiser.id,
            "second_slot": slots[1].key,
            "table": event.tables[1].id,
        }
    return {**ids, "path": f"/feeds/{token}.ics"}


def test_polling_sees_a_committed_move_and_a_reset(live_server, published) -> None:
    from matchmaker.accounts.models import User
    from matchmaker.calendar import services as calendar
    from matchmaker.events.models import Event
    from matchmaker.participants.models import Participant
    from matchmaker.planning.services import meeting_of, move_meeting, publish

    base, path = live_server.url, published["path"]
    status, headers, body = fetch(base, path)
    assert status == 200 and "SEQUENCE:0" in body and "Bell Equipment" in body
    etag = headers["ETag"]
    assert fetch(base, path, **{"If-None-Match": etag})[0] == 304  # from the cache

    # The organiser moves the meeting and publishes: the next poll gets the change.
    with live_server.seeding() as session:
        event = session.get(Event, published["event"])
        meeting = meeting_of(event, published["meeting"])
        move_meeting(event, meeting, published["second_slot"], published["table"])
        publish(event, session.get(User, published["organiser"]))
    status, headers, body = fetch(base, path, **{"If-None-Match": etag})
    assert status == 200 and headers["ETag"] != etag
    assert "SEQUENCE:1" in body and "Table 2" in body

    # Reset: the old link is gone at once, though it was cached a moment ago.
    with live_server.seeding() as session:
        me = session.get(Participant, published["me"])
        new_token = calendar.feed_token(calendar.reset_feed(calendar.participant_feed(me)))
    assert fetch(base, path)[0] == 404
    assert fetch(base, f"/feeds/{new_token}.ics")[0] == 200
