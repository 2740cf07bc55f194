"""A place in a visit shows in the participant's agenda (the whole span, travel included,
with the address and the meeting point) and in their calendar feed (LOCATION = address,
the meeting point in DESCRIPTION) once published, never as a draft; given up, it leaves
the agenda and stays in the feed as STATUS:CANCELLED under the same UID."""

from __future__ import annotations

from matchmaker.calendar import services as calendar
from matchmaker.planning.agenda import agenda
from matchmaker.visits import services
from matchmaker.visits.visibility import publish_places
from tests.calendar.helpers import parse_icalendar, vevents


def _visit_events(client, feed):
    body = client.get(f"/feeds/{calendar.feed_token(feed)}.ics").data
    return [e for e in vevents(parse_icalendar(body)) if str(e["UID"]).startswith("visit-")]


def _agenda_visits(event, me):
    return [e for d in agenda(event, me, published=True) for e in d.entries if e.kind == "visit"]


def test_agenda_and_feed_show_the_visit_once_published(client, db, visit_event):
    s, visit, g1, g2 = visit_event()
    me = s.people[0]
    services.fix_place(s.event, visit, g1, me)
    feed = calendar.participant_feed(me)
    db.commit()
    # Not published yet: the place is a draft, shown nowhere to the participant.
    assert _agenda_visits(s.event, me) == []
    assert _visit_events(client, feed) == []

    publish_places(s.event, [visit])
    db.commit()
    visits = _agenda_visits(s.event, me)
    assert len(visits) == 1
    start, end = services.span(g1)
    assert (visits[0].starts_at, visits[0].ends_at) == (start, end)
    assert visits[0].place == "Old Main Road, Richards Bay, 3900"
    assert "Gate 2, visitor centre" in visits[0].note
    (event,) = _visit_events(client, feed)
    assert str(event["LOCATION"]) == "Old Main Road, Richards Bay, 3900"
    assert "Meeting point: Gate 2, visitor centre" in str(event["DESCRIPTION"])
    assert event.decoded("DTSTART") == start and event.decoded("DTEND") == end
    assert str(event["STATUS"]) == "CONFIRMED"
    uid, sequence = str(event["UID"]), int(event["SEQUENCE"])

    # Given up: gone from the agenda; in the feed, the same event cancelled.
    services.cancel_place(s.event, me, visit)
    db.commit()
    assert _agenda_visits(s.event, me) == []
    (cancelled,) = _visit_events(client, feed)
    assert str(cancelled["UID"]) == uid
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert int(cancelled["SEQUENCE"]) > sequence
    assert cancelled.decoded("DTSTART") == start

    # Given again by hand: confirmed again, outranking its cancellation.
    services.fix_place(s.event, visit, g1, me)
    db.commit()
    (again,) = _visit_events(client, feed)
    assert str(again["STATUS"]) == "CONFIRMED"
    assert int(again["SEQUENCE"]) > int(cancelled["SEQUENCE"])


def test_a_reruns_new_place_waits_for_the_next_publication(client, db, visit_event):
    s, visit, g1, g2 = visit_event()
    a, b = s.people[0], s.people[1]
    services.set_wishes(s.event, a, [(visit.id, None)])
    services.set_wishes(s.event, b, [(visit.id, None)])
    place = {"visit": str(visit.id)}
    services.save_allocation(
        s.event, {"places": [{**place, "participant": str(a.id), "option": str(g1.id)}]}
    )
    publish_places(s.event, [visit])
    db.commit()
    assert len(_agenda_visits(s.event, a)) == 1
    # A re-run keeps a's place and gives b one: b's is a draft until published.
    services.save_allocation(
        s.event,
        {
            "places": [
                {**place, "participant": str(a.id), "option": str(g1.id)},
                {**place, "participant": str(b.id), "option": str(g2.id)},
            ]
        },
    )
    db.commit()
    assert len(_agenda_visits(s.event, a)) == 1
    assert _agenda_visits(s.event, b) == []
    publish_places(s.event, [visit])
    db.commit()
    assert len(_agenda_visits(s.event, b)) == 1


def test_a_place_a_rerun_removes_stays_in_the_feed_as_cancelled(client, db, visit_event):
    s, visit, g1, g2 = visit_event()
    a, b = s.people[0], s.people[1]
    services.set_wishes(s.event, a, [(visit.id, None)])
    services.set_wishes(s.event, b, [(visit.id, None)])
    place = {"visit": str(visit.id)}
    services.save_allocation(
        s.event, {"places": [{**place, "participant": str(a.id), "option": str(g1.id)}]}
    )
    publish_places(s.event, [visit])
    feed_a, feed_b = calendar.participant_feed(a), calendar.participant_feed(b)
    db.commit()
    (shown,) = _visit_events(client, feed_a)
    assert str(shown["STATUS"]) == "CONFIRMED"
    # A re-run gives a's place to b; published, a's calendar shows it cancelled.
    services.save_allocation(
        s.event,
        {
            "places": [
                {**place, "participant": str(b.id), "option": str(g1.id)},
            ]
        },
    )
    publish_places(s.event, [visit])
    db.commit()
    assert _agenda_visits(s.event, a) == []
    (cancelled,) = _visit_events(client, feed_a)
    assert str(cancelled["UID"]) == str(shown["UID"])
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert int(cancelled["SEQUENCE"]) > int(shown["SEQUENCE"])
    assert cancelled.decoded("DTSTART") == shown.decoded("DTSTART")
    (given,) = _visit_events(client, feed_b)
    assert str(given["STATUS"]) == "CONFIRMED"

    # A draft place (never published) that a later run removes leaves nothing behind.
    services.save_allocation(
        s.event,
        {
            "places": [
                {**place, "participant": str(b.id), "option": str(g1.id)},
                {**place, "participant": str(a.id), "option": str(g2.id)},
            ]
        },
    )
    services.save_allocation(
        s.event, {"places": [{**place, "participant": str(b.id), "option": str(g1.id)}]}
    )
    publish_places(s.event, [visit])
    db.commit()
    assert [str(e["UID"]) for e in _visit_events(client, feed_a)] == [str(shown["UID"])]
