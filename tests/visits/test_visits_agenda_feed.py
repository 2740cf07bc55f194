"""A place in a visit shows in the participant's agenda (the whole span, travel included,
with the address and the meeting point) and in their calendar feed (LOCATION = address,
the meeting point in DESCRIPTION); given up, it goes from both."""

from __future__ import annotations

from matchmaker.calendar import services as calendar
from matchmaker.schedules.agenda import agenda
from matchmaker.visits import services
from tests.calendar.helpers import parse_icalendar, vevents


def test_agenda_and_feed_show_the_visit(client, db, visit_event):
    s, visit, g1, g2 = visit_event()
    me = s.people[0]
    services.fix_place(s.event, visit, g1, me)
    db.flush()
    days = agenda(s.event, me, published=False)
    visits = [e for d in days for e in d.entries if e.kind == "visit"]
    assert len(visits) == 1
    start, end = services.span(g1)
    assert (visits[0].starts_at, visits[0].ends_at) == (start, end)
    assert visits[0].place == "Old Main Road, Richards Bay, 3900"
    assert "Gate 2, visitor centre" in visits[0].note

    feed = calendar.participant_feed(me)
    db.commit()
    body = client.get(f"/feeds/{calendar.feed_token(feed)}.ics").data
    events = [e for e in vevents(parse_icalendar(body)) if str(e["UID"]).startswith("visit-")]
    assert len(events) == 1
    event = events[0]
    assert str(event["LOCATION"]) == "Old Main Road, Richards Bay, 3900"
    assert "Meeting point: Gate 2, visitor centre" in str(event["DESCRIPTION"])
    assert event.decoded("DTSTART") == start and event.decoded("DTEND") == end

    services.cancel_place(s.event, me, visit)
    db.commit()
    body = client.get(f"/feeds/{calendar.feed_token(feed)}.ics").data
    assert b"visit-" not in body
    assert not [
        e for d in agenda(s.event, me, published=False) for e in d.entries if e.kind == "visit"
    ]
