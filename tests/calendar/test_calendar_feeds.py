"""Participant, event and table feeds over HTTP: content, sync rules, caching, secrecy."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from matchmaker.calendar import services
from matchmaker.calendar.models import CalendarFeed
from matchmaker.events.models import ProgrammeAttendance, ProgrammeItem
from matchmaker.participants.models import Opportunity, Organisation
from tests.calendar.helpers import (
    cancel,
    js_events,
    js_value,
    meeting_between,
    move,
    parse_icalendar,
    parse_icaljs,
    publish_meeting,
    slot,
    vevents,
)
from tests.conftest import htmx_headers

# Names are one line (matchmaker/singleline.py); line breaks are escaped in the message.
NAME = 'Fish; Chips, & Co \\ "Ltd" Cape Town branch'


@pytest.fixture
def mission(db, make_event, make_participant, make_user):
    """Ann (Acme) meets Bob (a nasty company name) and Cy; Bob also meets Cy."""
    event = make_event(venue="Richards Bay Convention Centre")
    ann = make_participant(event, organisation=Organisation(name="Acme Mining"), name="Ann")
    bob = make_participant(event, organisation=Organisation(name=NAME), name="Bob")
    cy = make_participant(event, organisation=Organisation(name="Cyan Ltd"), name="Cy")
    db.add_all(
        [
            Opportunity(participant=bob, kind="offer", title="Conveyor belts"),
            Opportunity(participant=bob, kind="request", title="Distributors in Finland"),
        ]
    )
    ann_bob = meeting_between(db, event, ann, bob, message="Let's talk; belts,\nplease")
    ann_cy = meeting_between(db, event, ann, cy)
    bob_cy = meeting_between(db, event, bob, cy)
    published = {
        "ann_bob": publish_meeting(db, ann_bob, 2, event.tables[2]),
        "ann_cy": publish_meeting(db, ann_cy, 0, event.tables[0]),
        "bob_cy": publish_meeting(db, bob_cy, 1, event.tables[1]),
    }
    meetings = {"ann_bob": ann_bob, "ann_cy": ann_cy, "bob_cy": bob_cy}
    return type(
        "Mission",
        (),
        {"event": event, "ann": ann, "bob": bob, "cy": cy, "pm": published, "m": meetings},
    )


def feed_path(db, participant) -> str:
    feed = services.participant_feed(participant)
    db.flush()
    return f"/feeds/{services.feed_token(feed)}.ics"


def get_feed(client, path, **headers):
    response = client.get(path, headers=headers)
    assert response.status_code == 200, response.status_code
    return response


def by_uid(body: bytes) -> dict:
    return {str(e["UID"]): e for e in vevents(parse_icalendar(body))}


def test_participant_feed_holds_own_published_meetings_with_every_field(client, db, mission):
    response = get_feed(client, feed_path(db, mission.ann))
    assert response.content_type == "text/calendar; charset=utf-8"
    body = response.data
    events = by_uid(body)
    uid = f"{mission.m['ann_bob'].uid}@matchmaker"
    assert set(events) == {uid, f"{mission.m['ann_cy'].uid}@matchmaker"}  # not Bob–Cy
    event = events[uid]
    assert str(event["SUMMARY"]) == f"Meeting: Bob ({NAME})"
    assert str(event["LOCATION"]) == "Richards Bay Convention Centre, Table 3"
    assert event["SEQUENCE"] == 0
    assert event["DTSTART"].dt == slot(2) and event["DTEND"].dt == slot(2) + timedelta(minutes=20)
    assert event["DTSTAMP"].dt == datetime(2027, 2, 1, 12, tzinfo=UTC)
    assert str(event["STATUS"]) == "CONFIRMED"
    description = str(event["DESCRIPTION"])
    assert f"With Bob ({NAME})" in description
    assert "Offers: Conveyor belts" in description
    assert "Seeks: Distributors in Finland" in description
    assert "Message from Ann:\nLet's talk; belts,\nplease" in description
    assert "09:50–10:10 (Africa/Johannesburg)" in description
    assert str(event["URL"]).endswith(
        f"/events/{mission.event.slug}/agenda#agenda-meeting-{mission.m['ann_bob'].id}"
    )
    assert str(event["URL"]).startswith("http://matchmaker.test/")
    # No e-mail address of anyone (nor the owner's) is in a feed.
    assert b"@example.test" not in body
    assert b"X-WR-TIMEZONE" not in body and b"TZID" not in body

    parsed = parse_icaljs(body)
    js = {js_value(e, "UID"): e for e in js_events(parsed)}
    assert js_value(js[uid], "SUMMARY") == f"Meeting: Bob ({NAME})"
    assert js_value(js[uid], "DESCRIPTION") == description
    assert js_value(js[uid], "SEQUENCE") == 0
    assert js_value(js[uid], "DTSTART")["epoch"] == int(slot(2).timestamp())
    assert js_value(js[uid], "DTSTART")["zone"] == "UTC"
    assert js_value(parsed, "X-PUBLISHED-TTL") == "PT1H"
    assert js_value(parsed, "REFRESH-INTERVAL") == "PT1H"
    assert js_value(parsed, "VERSION") == "2.0"


def test_both_participants_see_the_same_uid_and_the_summary_names_the_other_side(
    client, db, mission
):
    uid = f"{mission.m['ann_bob'].uid}@matchmaker"
    ann = by_uid(get_feed(client, feed_path(db, mission.ann)).data)[uid]
    bob_body = get_feed(client, feed_path(db, mission.bob)).data
    bob = by_uid(bob_body)[uid]
    assert str(ann["SUMMARY"]) == f"Meeting: Bob ({NAME})"
    assert str(bob["SUMMARY"]) == "Meeting: Ann (Acme Mining)"
    assert ann["DTSTART"].dt == bob["DTSTART"].dt
    # Bob's own offers are not described to himself; Ann has none to show.
    assert "Offers" not in str(bob["DESCRIPTION"])
    # The company name with ; , and \ round-trips in ical.js as well.
    js = {js_value(e, "UID"): e for e in js_events(parse_icaljs(bob_body))}
    assert (
        js_value(js[f"{mission.m['bob_cy'].uid}@matchmaker"], "SUMMARY") == "Meeting: Cy (Cyan Ltd)"
    )


def test_move_after_publication_keeps_uid_and_bumps_sequence(client, db, mission):
    path = feed_path(db, mission.ann)
    uid = f"{mission.m['ann_bob'].uid}@matchmaker"
    before = get_feed(client, path)
    moved_at = datetime(2027, 2, 3, 9, 30, tzinfo=UTC)
    move(db, mission.pm["ann_bob"], 5, table=mission.event.tables[4], at=moved_at)
    after = get_feed(client, path)
    event = by_uid(after.data)[uid]
    assert event["SEQUENCE"] == 1
    assert event["DTSTART"].dt == slot(5)
    assert event["DTSTAMP"].dt == moved_at
    assert str(event["LOCATION"]).endswith("Table 5")
    assert after.headers["ETag"] != before.headers["ETag"]
    js = {js_value(e, "UID"): e for e in js_events(parse_icaljs(after.data))}
    assert js_value(js[uid], "SEQUENCE") == 1
    assert js_value(js[uid], "DTSTART")["epoch"] == int(slot(5).timestamp())


def test_cancelled_meeting_stays_until_its_end_then_leaves(client, db, mission):
    path = feed_path(db, mission.ann)
    uid = f"{mission.m['ann_cy'].uid}@matchmaker"
    cancel(db, mission.pm["ann_cy"])
    event = by_uid(get_feed(client, path).data)[uid]
    assert str(event["STATUS"]) == "CANCELLED" and event["SEQUENCE"] == 1
    js = {js_value(e, "UID"): e for e in js_events(parse_icaljs(get_feed(client, path).data))}
    assert js_value(js[uid], "STATUS") == "CANCELLED"

    # Once its original end has passed, a cancelled meeting is gone; a held one stays.
    past = datetime.now(UTC).replace(microsecond=0) - timedelta(days=2)
    for row in (mission.pm["ann_cy"], mission.pm["ann_bob"]):
        row.starts_at, row.ends_at = past, past + timedelta(minutes=20)
    db.flush()
    response = get_feed(client, path)
    assert set(by_uid(response.data)) == {f"{mission.m['ann_bob'].uid}@matchmaker"}
    # The disappearance is a change: Last-Modified moves to when it happened.
    assert response.last_modified >= past + timedelta(minutes=20)


def test_drafts_change_nothing_a_feed_shows(client, db, mission):
    from matchmaker.meetings.services import create_meeting, place_meeting

    path = feed_path(db, mission.ann)
    before = get_feed(client, path)
    # The organiser re-plans: moves the draft and adds an unpublished meeting.
    place_meeting(mission.m["ann_bob"], slot(9), slot(9) + timedelta(minutes=20), None)
    extra = create_meeting(mission.event, [mission.ann, mission.cy])
    place_meeting(extra, slot(11), slot(11) + timedelta(minutes=20), mission.event.tables[5].id)
    after = get_feed(client, path)
    assert after.data == before.data
    assert after.headers["ETag"] == before.headers["ETag"]


def test_programme_items_the_participant_attends(client, db, mission):
    event = mission.event
    start = datetime(2027, 3, 9, 13, tzinfo=UTC)
    common = ProgrammeItem(
        event=event,
        title="Opening; speech",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        attendance="all",
        sequence=2,
        updated_at=datetime(2027, 2, 2, tzinfo=UTC),
    )
    tour = ProgrammeItem(
        event=event,
        title="Factory tour",
        place="Plant 2",
        starts_at=start + timedelta(hours=2),
        ends_at=start + timedelta(hours=3),
        attendance="opt_in",
    )
    db.add_all([common, tour])
    db.flush()
    db.add(ProgrammeAttendance(item_id=tour.id, participant_id=mission.ann.id))
    db.flush()
    ann = {
        str(e["SUMMARY"]): e
        for e in vevents(parse_icalendar(get_feed(client, feed_path(db, mission.ann)).data))
    }
    bob = {
        str(e["SUMMARY"])
        for e in vevents(parse_icalendar(get_feed(client, feed_path(db, mission.bob)).data))
    }
    assert {"Opening; speech", "Factory tour"} <= set(ann)
    assert "Opening; speech" in bob and "Factory tour" not in bob
    assert ann["Opening; speech"]["SEQUENCE"] == 2
    assert ann["Opening; speech"]["DTSTAMP"].dt == datetime(2027, 2, 2, tzinfo=UTC)
    assert str(ann["Opening; speech"]["UID"]) == f"programme-{common.id}@matchmaker.test"
    assert str(ann["Factory tour"]["LOCATION"]) == "Plant 2, Richards Bay Convention Centre"


def test_http_caching_is_deterministic_and_conditional(client, db, mission):
    path = feed_path(db, mission.ann)
    first, second = get_feed(client, path), get_feed(client, path)
    assert first.data == second.data
    etag = first.headers["ETag"]
    assert re.fullmatch(r'"[0-9a-f]{40}"', etag)  # strong: no W/
    assert second.headers["ETag"] == etag
    assert first.headers["Cache-Control"].startswith("private")
    assert first.headers["Referrer-Policy"] == "no-referrer"
    assert first.last_modified == datetime(2027, 2, 1, 12, tzinfo=UTC) or (
        first.last_modified > datetime(2027, 2, 1, 12, tzinfo=UTC)  # the feed's issue time
    )

    not_modified = client.get(path, headers={"If-None-Match": etag})
    assert not_modified.status_code == 304 and not_modified.data == b""
    assert not_modified.headers["ETag"] == etag
    since = client.get(path, headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status_code == 304
    stale = client.get(path, headers={"If-None-Match": '"0000"'})
    assert stale.status_code == 200 and stale.data == first.data

    head = client.head(path)
    assert head.status_code == 200 and head.data == b""
    assert head.headers["ETag"] == etag
    assert int(head.headers["Content-Length"]) == len(first.data)


def test_tokens_are_long_hashed_and_reset_kills_the_old_link(client, db, mission):
    feed = services.participant_feed(mission.ann)
    token = services.feed_token(feed)
    assert len(token) >= 22 and re.fullmatch(r"[A-Za-z0-9_-]+", token)  # >= 128 bits
    row = db.execute(select(CalendarFeed.__table__).where(CalendarFeed.id == feed.id)).one()
    assert all(token not in str(value) for value in row)  # never stored as such
    assert len(feed.nonce) == 32
    old = f"/feeds/{token}.ics"
    assert client.get(old).status_code == 200

    services.reset_feed(feed)
    db.flush()
    gone = client.get(old)
    unknown = client.get(f"/feeds/{'A' * len(token)}.ics")
    assert gone.status_code == unknown.status_code == 404
    assert gone.data == unknown.data
    assert client.get(f"/feeds/{services.feed_token(feed)}.ics").status_code == 200

    # A feed of a participant who is no longer approved answers the same 404.
    bob_path = feed_path(db, mission.bob)
    mission.bob.status = "rejected"
    db.flush()
    rejected = client.get(bob_path)
    assert rejected.status_code == 404 and rejected.data == unknown.data


def test_token_from_another_secret_key_is_refused(app, client, db, mission):
    path = feed_path(db, mission.ann)
    original = app.config["SECRET_KEY"]
    app.config["SECRET_KEY"] = "rotated"
    try:
        assert client.get(path).status_code == 404
    finally:
        app.config["SECRET_KEY"] = original


def test_download_is_for_the_approved_participant_only(
    client, db, mission, auth, make_user, make_participant
):
    slug = mission.event.slug
    assert client.get(f"/events/{slug}/agenda.ics").status_code == 302  # to the login
    auth.login(mission.ann.user)
    response = client.get(f"/events/{slug}/agenda.ics")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f'attachment; filename="{slug}-agenda.ics"'
    assert response.data == get_feed(client, feed_path(db, mission.ann)).data
    auth.logout()

    pending = make_participant(mission.event, status="pending")
    outsider = make_user("participant")
    for user in (pending.user, outsider):
        auth.login(user)
        assert client.get(f"/events/{slug}/agenda.ics").status_code == 404
        assert client.get(f"/events/{slug}/calendar").status_code == 404
        assert client.post(f"/events/{slug}/calendar/reset").status_code == 404
        auth.logout()


def test_participant_gets_a_link_then_resets_it_with_htmx(client, db, mission, auth):
    slug = mission.event.slug
    auth.login(mission.ann.user)
    page = client.get(f"/events/{slug}/calendar").get_data(as_text=True)
    assert 'id="calendar-links"' in page and f"/events/{slug}/agenda.ics" in page
    assert "webcal://" not in page  # no link until asked for

    created = client.post(f"/events/{slug}/calendar/feed", data={"next": f"/events/{slug}/agenda"})
    assert created.status_code == 303
    assert created.headers["Location"] == f"/events/{slug}/agenda#calendar-links"
    page = client.get(f"/events/{slug}/calendar").get_data(as_text=True)
    webcal = re.search(r'value="(webcal://[^"]+)"', page).group(1)
    https = re.search(r'value="(http://matchmaker\.test/feeds/[^"]+)"', page).group(1)
    assert webcal == "webcal://" + https.split("://", 1)[1]
    for hint in ("Google Calendar", "Outlook", "Apple Calendar"):
        assert hint in page
    old_path = https.removeprefix("http://matchmaker.test")
    assert client.get(old_path).status_code == 200

    fragment = client.post(f"/events/{slug}/calendar/reset", headers=htmx_headers())
    html = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in html
    assert html.lstrip().startswith('<section class="card calendar-links')
    new_https = re.search(r'value="(http://matchmaker\.test/feeds/[^"]+)"', html).group(1)
    assert new_https != https and "Links you had before no longer work" in html
    assert client.get(old_path).status_code == 404
    assert client.get(new_https.removeprefix("http://matchmaker.test")).status_code == 200


def test_redirect_back_stays_on_this_site(client, db, mission, auth):
    auth.login(mission.ann.user)
    slug = mission.event.slug
    for target in ("https://evil.test/", "//evil.test/x", "/\\evil.test"):
        response = client.post(f"/events/{slug}/calendar/feed", data={"next": target})
        assert response.headers["Location"] == f"/events/{slug}/calendar#calendar-links"


def test_event_and_table_feeds_for_organisers(client, db, mission, auth, make_user):
    event = mission.event
    slug = event.slug
    organiser = event.organisers[0]
    auth.login(organiser)
    page = client.get(f"/events/{slug}/calendar/feeds").get_data(as_text=True)
    assert "No link yet" in page
    assert client.post(f"/events/{slug}/calendar/feeds").status_code == 303
    page = client.get(f"/events/{slug}/calendar/feeds").get_data(as_text=True)
    assert "No link yet" not in page
    links = re.findall(r'value="http://matchmaker\.test(/feeds/[^"]+)"', page)
    assert len(links) == 1 + len(event.tables)
    whole = by_uid(client.get(links[0]).data)
    assert sorted(str(e["SUMMARY"]) for e in whole.values()) == sorted(
        [
            f"Meeting: Ann (Acme Mining) — Bob ({NAME})",
            "Meeting: Ann (Acme Mining) — Cy (Cyan Ltd)",
            f"Meeting: Cy (Cyan Ltd) — Bob ({NAME})",
        ]
    )
    table_two = by_uid(client.get(links[2]).data)  # Table 2 holds only Bob–Cy
    assert set(table_two) == {f"{mission.m['bob_cy'].uid}@matchmaker"}
    body = client.get(links[0]).data
    assert b"@example.test" not in body
    parse_icaljs(body)

    # Resetting one row answers that row alone; its old link is dead, others live.
    feed_id = db.scalar(select(CalendarFeed.id).where(CalendarFeed.kind == "event"))
    row = client.post(f"/events/{slug}/calendar/feeds/{feed_id}/reset", headers=htmx_headers())
    html = row.get_data(as_text=True)
    assert row.status_code == 200 and html.lstrip().startswith('<tr id="feed-event"')
    assert client.get(links[0]).status_code == 404
    assert client.get(links[1]).status_code == 200
    auth.logout()

    auth.login(make_user("organiser"))  # another event's organiser
    assert client.get(f"/events/{slug}/calendar/feeds").status_code == 404
    assert client.post(f"/events/{slug}/calendar/feeds/{feed_id}/reset").status_code == 404
    auth.logout()
    auth.login(mission.ann.user)
    assert client.get(f"/events/{slug}/calendar/feeds").status_code == 403


def test_manage_page_links_to_the_feeds(client, db, mission, auth):
    auth.login(mission.event.organisers[0])
    html = client.get(f"/events/{mission.event.slug}/manage").get_data(as_text=True)
    assert f"/events/{mission.event.slug}/calendar/feeds" in html


def test_any_change_to_what_a_feed_shows_reaches_it_through_the_cache(client, db, mission):
    """Feeds are cached per process; every input change must still show at once."""
    from sqlalchemy import update

    from matchmaker.participants.models import Organisation as Org

    path = feed_path(db, mission.ann)
    first = get_feed(client, path)
    etag = first.headers["ETag"]
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 304

    mission.bob.organisation.name = "Renamed Mining"  # an ORM change
    db.flush()
    renamed = get_feed(client, path, **{"If-None-Match": etag})
    assert renamed.headers["ETag"] != etag and b"Renamed Mining" in renamed.data

    # A bulk UPDATE, which bypasses the ORM's flush, counts too.
    db.execute(update(Org).where(Org.id == mission.cy.organisation_id).values(name="Bulk Ltd"))
    assert b"Bulk Ltd" in get_feed(client, path).data
