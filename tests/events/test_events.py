from datetime import UTC, date, time

import pytest

from matchmaker.errors import Invalid
from matchmaker.events import services
from matchmaker.events.models import Event, MeetingSession
from tests.conftest import htmx_headers


def test_slots_are_derived_in_the_event_zone(db, make_event):
    event = make_event(tables=0)
    slots = services.event_slots(event)
    # 09:00–12:30 with 20+5 min: 09:00, 09:25, ... 11:55 (8 slots); 14:00–17:00: 7 slots.
    assert len(slots) == 15
    assert [s.local_start.strftime("%H:%M") for s in slots[:3]] == ["09:00", "09:25", "09:50"]
    assert slots[7].local_end.strftime("%H:%M") == "12:15"
    assert slots[8].local_start.strftime("%H:%M") == "14:00"
    # Johannesburg is UTC+2 all year.
    assert slots[0].starts_at.astimezone(UTC).hour == 7


def test_organiser_creates_event_and_sessions_through_the_web(client, db, make_user, auth):
    organiser = make_user("organiser")
    auth.login(organiser)
    response = client.post(
        "/events/new",
        data={
            "name": "Baltic day",
            "slug": "baltic-day",
            "timezone": "Europe/Tallinn",
            "requires_approval": "y",
        },
    )
    assert response.status_code == 302
    event = db.query(Event).filter_by(slug="baltic-day").one()
    added = client.post(
        "/events/baltic-day/sessions",
        data={
            "day": "2027-05-04",
            "start_time": "09:00",
            "end_time": "12:30",
            "slot_minutes": "20",
            "pause_minutes": "5",
        },
        headers=htmx_headers(),
    )
    assert added.status_code == 200
    html = added.get_data(as_text=True)
    assert "<html" not in html and 'id="sessions"' in html
    assert "09:00–09:20" in html and "Europe/Tallinn" in html
    tables = client.post("/events/baltic-day/tables", data={"count": "10", "prefix": "Table"})
    assert tables.status_code == 200
    db.expire_all()
    assert [t.name for t in event.tables][:2] == ["Table 1", "Table 2"] and len(event.tables) == 10


def test_invalid_event_input_gets_field_messages_and_saves_nothing(client, db, make_user, auth):
    auth.login(make_user("organiser"))
    response = client.post(
        "/events/new", data={"name": "X", "slug": "x-event", "timezone": "Mars/Olympus"}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="timezone-error"' in html and "Unknown time zone" in html
    assert db.query(Event).filter_by(slug="x-event").count() == 0
    bad_slug = client.post(
        "/events/new", data={"name": "X", "slug": "Not A Slug", "timezone": "UTC"}
    )
    assert bad_slug.status_code == 422 and 'id="slug-error"' in bad_slug.get_data(as_text=True)


@pytest.mark.parametrize(
    ("start", "end", "slot", "field", "message"),
    [
        ("12:00", "09:00", "20", "end_time", "end after it starts"),
        ("09:00", "09:15", "20", "slot_minutes", "does not fit"),
        ("11:00", "13:00", "20", "start_time", "Overlaps"),
    ],
)
def test_invalid_sessions_are_refused_at_the_field(
    client, db, make_event, auth, start, end, slot, field, message
):
    event = make_event()
    auth.login(event.organisers[0])
    before = db.query(MeetingSession).filter_by(event_id=event.id).count()
    response = client.post(
        f"/events/{event.slug}/sessions",
        data={
            "day": "2027-03-09",
            "start_time": start,
            "end_time": end,
            "slot_minutes": slot,
            "pause_minutes": "5",
        },
        headers=htmx_headers(),
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html and message in html
    assert db.query(MeetingSession).filter_by(event_id=event.id).count() == before


def test_other_organisers_get_404(client, db, make_event, make_user, auth):
    event = make_event()
    auth.login(make_user("organiser"))
    assert client.get(f"/events/{event.slug}/manage").status_code == 404
    assert client.post(f"/events/{event.slug}/tables", data={"count": "3"}).status_code == 404
    db.expire_all()
    assert len(event.tables) == 10


def test_participants_cannot_manage_and_drafts_are_hidden(client, db, make_event, make_user, auth):
    draft = make_event(status="draft")
    assert client.get(f"/events/{draft.slug}").status_code == 404
    auth.login(make_user("participant"))
    assert client.get("/events/new").status_code == 403
    assert client.get(f"/events/{draft.slug}/manage").status_code == 403


def test_home_lists_open_events_only(client, db, make_event):
    open_event = make_event(name="Open mission")
    make_event(name="Secret draft", status="draft")
    html = client.get("/").get_data(as_text=True)
    assert open_event.name in html and "Secret draft" not in html


def test_status_transitions(db, make_event):
    event = make_event(status="draft", sessions=False)
    with pytest.raises(Invalid, match="at least one meeting session"):
        services.set_status(event, "open")
    services.add_session(
        event, day=date(2027, 1, 5), start_time=time(9), end_time=time(10), slot_minutes=20
    )
    services.set_status(event, "open")
    assert event.status == "open"


def test_programme_blocks_slots(db, make_event):
    event = make_event()
    item = services.add_programme_item(
        event,
        title="Factory tour",
        day=date(2027, 3, 9),
        start_time=time(9, 30),
        end_time=time(10, 10),
    )
    blocked = services.programme_slot_keys(event, item)
    local = sorted(s.astimezone(UTC).strftime("%H:%M") for s in blocked)
    assert local == ["07:25", "07:50"]  # 09:25 and 09:50 in Johannesburg


def test_demo_load_is_idempotent_and_lists_accounts(app, db):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0 and "Loaded" in first.output
    second = runner.invoke(args=["demo", "load"])
    assert "nothing to do" in second.output
    event = db.query(Event).filter_by(slug="bell-equipment-mission").one()
    assert event.timezone == "Africa/Johannesburg" and event.status == "open"
    assert len(event.tables) == 12 and len({s.day for s in event.sessions}) == 2
    accounts = runner.invoke(args=["demo", "accounts"]).output.strip().splitlines()
    roles = [line.split("\t")[0] for line in accounts]
    assert roles.count("organiser") >= 1 and roles.count("participant") >= 30


def test_participant_opts_in_to_a_programme_item(client, db, make_event, make_participant, auth):
    from matchmaker.events.models import ProgrammeAttendance

    event = make_event()
    tour = services.add_programme_item(
        event,
        title="Factory tour",
        day=date(2027, 3, 9),
        start_time=time(14),
        end_time=time(16),
        attendance="opt_in",
    )
    dinner = services.add_programme_item(
        event, title="Dinner", day=date(2027, 3, 9), start_time=time(19), end_time=time(22)
    )
    participant = make_participant(event)
    auth.login(participant.user)
    url = f"/events/{event.slug}/programme/{tour.id}/attendance"
    response = client.post(url, data={"attend": "yes"}, headers=htmx_headers())
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<html" not in html and f'id="programme-item-{tour.id}"' in html and "You attend" in html
    assert services.attended_item_ids(event, participant) == {tour.id, dinner.id}
    # Everyone attends the dinner: nothing to sign up for.
    refused = client.post(
        f"/events/{event.slug}/programme/{dinner.id}/attendance", data={"attend": "no"}
    )
    assert refused.status_code == 409
    client.post(url, data={"attend": "no"})
    assert db.query(ProgrammeAttendance).filter_by(participant_id=participant.id).count() == 0


def test_only_approved_participants_of_the_event_opt_in(
    client, db, make_event, make_participant, make_user, auth
):
    event = make_event()
    tour = services.add_programme_item(
        event,
        title="Tour",
        day=date(2027, 3, 9),
        start_time=time(14),
        end_time=time(16),
        attendance="opt_in",
    )
    pending = make_participant(event, status="pending")
    auth.login(pending.user)
    assert (
        client.post(
            f"/events/{event.slug}/programme/{tour.id}/attendance", data={"attend": "yes"}
        ).status_code
        == 404
    )
    auth.logout()
    auth.login(make_user())  # not a participant at all
    assert (
        client.post(
            f"/events/{event.slug}/programme/{tour.id}/attendance", data={"attend": "yes"}
        ).status_code
        == 404
    )


def test_organiser_sees_statistics_and_slot_utilisation(
    client, db, make_event, make_participant, auth
):
    from matchmaker.events.stats import event_stats
    from matchmaker.meetings import services as meetings

    event = make_event(tables=2)
    a, b, c = (make_participant(event) for _ in range(3))
    make_participant(event, status="pending")
    slot = services.event_slots(event)[0]
    placed = meetings.create_meeting(event, [a, b])
    meetings.place_meeting(placed, slot.starts_at, slot.ends_at, event.tables[0].id)
    meetings.create_meeting(event, [a, c])  # accepted, not yet scheduled
    stats = event_stats(event)
    assert stats.participants == {"approved": 3, "pending": 1}
    assert (stats.meetings, stats.placed) == (2, 1)
    assert stats.utilisation[0] == ("Tue 09:00", 1) and stats.utilisation[1][1] == 0
    auth.login(event.organisers[0])
    html = client.get(f"/events/{event.slug}/manage").get_data(as_text=True)
    assert 'id="event-stats"' in html and "Meetings per slot" in html
    assert "<title>Tue 09:00: 1</title>" in html


def test_event_page_shows_programme_sessions_and_sign_up(
    client, db, make_event, make_participant, auth
):
    event = make_event(description="Meet Bell Equipment.")
    services.add_programme_item(
        event,
        title="Factory tour",
        day=date(2027, 3, 9),
        start_time=time(14),
        end_time=time(16),
        attendance="opt_in",
    )
    services.add_programme_item(
        event, title="Dinner", day=date(2027, 3, 9), start_time=time(19), end_time=time(22)
    )
    anonymous = client.get(f"/events/{event.slug}").get_data(as_text=True)
    assert "Meet Bell Equipment." in anonymous and "Factory tour" in anonymous
    assert "Africa/Johannesburg" in anonymous and "09:00–09:20" in anonymous
    assert "Sign me up" not in anonymous
    auth.login(make_participant(event).user)
    html = client.get(f"/events/{event.slug}").get_data(as_text=True)
    assert html.count("Sign me up") == 1  # the dinner is for everyone
