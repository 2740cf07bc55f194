"""Event states say what they do: one model (events.states) for words, buttons and lists."""

from __future__ import annotations

import re

import pytest

from matchmaker.errors import Conflict
from matchmaker.events import services, states
from matchmaker.events.models import EVENT_STATUSES
from matchmaker.meetings.booking import accept_request, request_meeting
from matchmaker.meetings.models import MeetingRequest
from matchmaker.meetings.services import create_meeting, place_meeting
from matchmaker.planning import services as schedules


def _publish(event, a, b):
    """Publish a schedule with one placed meeting, as the schedule page does."""
    meeting = create_meeting(event, [a, b])
    slot = services.event_slots(event)[0]
    place_meeting(meeting, slot.starts_at, slot.ends_at, event.tables[0].id)
    schedules.publish(event, event.organisers[0])


def _section(html: str, heading: str) -> str:
    """The part of the home page under ``heading`` (up to the next heading)."""
    match = re.search(rf"<h2>{heading}</h2>(.*?)(?=<h2>|</main>|$)", html, re.S)
    return match.group(1) if match else ""


def _manage(client, auth, event) -> str:
    auth.login(event.organisers[0])
    response = client.get(f"/events/{event.slug}/manage")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _buttons(html: str) -> list[str]:
    card = html[html.index('id="event-state"') :]
    card = card[: card.index("</div>\n</div>")]
    return re.findall(r"<button[^>]*>([^<]+)</button>", card)


def test_every_status_has_one_state_and_moves_only_to_known_states():
    assert set(states.STATES) == set(EVENT_STATUSES)
    for state in states.STATES.values():
        assert state.label and state.explanation
        assert all(m.target in states.STATES and m.target != state.status for m in state.moves)


def test_draft_manage_page_says_it_is_hidden_and_offers_opening(client, db, auth, make_event):
    event = make_event(status="draft")
    html = _manage(client, auth, event)
    assert "Only you and the other organisers can see this event" in html
    assert _buttons(html) == ["Open registration"]


def test_publishing_closes_registration_and_the_pages_say_so(
    client, db, auth, make_event, make_participant, make_user
):
    event = make_event(name="Bell mission")
    a, b = make_participant(event), make_participant(event)
    assert "Bell mission" in _section(client.get("/").get_data(as_text=True), "Events you can join")
    _publish(event, a, b)
    db.flush()
    assert event.status == "published" and not event.registration_open

    html = _manage(client, auth, event)
    assert "Close registration" not in html and "Draft events" not in html
    assert "Registration is closed" in html and "allow late registration" in html
    assert _buttons(html) == ["Mark as finished"]
    with pytest.raises(Conflict):
        services.set_status(event, "closed")

    auth.logout()
    home = client.get("/").get_data(as_text=True)
    assert "Bell mission" not in _section(home, "Events you can join")
    visitor_page = client.get(f"/events/{event.slug}").get_data(as_text=True)
    assert "Registration closed when the schedule was published" in visitor_page
    assert f"/events/{event.slug}/register" not in visitor_page
    auth.login(make_user("participant"))
    page = client.get(f"/events/{event.slug}/register")
    assert "Registration closed when the schedule was published" in page.get_data(as_text=True)

    auth.login(a.user)  # a participant finds the event under their own events
    assert "Bell mission" in _section(client.get("/").get_data(as_text=True), "Your events")


def test_late_registration_keeps_a_published_event_open(
    client, db, auth, make_event, make_participant
):
    event = make_event(name="Late mission", late_registration=True)
    a, b = make_participant(event), make_participant(event)
    _publish(event, a, b)
    db.flush()
    assert event.status == "published" and event.registration_open
    html = _manage(client, auth, event)
    assert "late registration open" in html and "re-plan the schedule" in html
    auth.logout()
    home = client.get("/").get_data(as_text=True)
    assert "Late mission" in _section(home, "Events you can join")
    assert f"/events/{event.slug}/register" in client.get(f"/events/{event.slug}").get_data(
        as_text=True
    )


def test_the_event_form_sets_late_registration(client, db, auth, make_event):
    event = make_event()
    auth.login(event.organisers[0])
    form = client.get(f"/events/{event.slug}/edit").get_data(as_text=True)
    assert 'name="late_registration"' in form
    response = client.post(
        f"/events/{event.slug}/edit",
        data={
            "name": event.name,
            "slug": event.slug,
            "timezone": event.timezone,
            "description": "",
            "venue": event.venue,
            "late_registration": "y",
        },
    )
    assert response.status_code == 302
    db.expire_all()
    assert event.late_registration is True


def test_finished_events_are_past_and_read_only_for_requests(
    client, db, auth, make_event, make_participant
):
    event = make_event(name="Done mission")
    a, b, c = (make_participant(event) for _ in range(3))
    pending = request_meeting(a, c)
    _publish(event, a, b)
    html = _manage(client, auth, event)
    assert _buttons(html) == ["Mark as finished"]
    response = client.post(f"/events/{event.slug}/status", data={"status": "finished"})
    assert response.status_code == 302
    db.expire_all()
    assert event.status == "finished"
    assert _buttons(_manage(client, auth, event)) == ["Reopen the event"]

    with pytest.raises(Conflict, match="finished"):
        request_meeting(b, c)
    with pytest.raises(Conflict, match="finished"):
        accept_request(pending, acting_for=c, by_user=event.organisers[0])
    assert db.get(MeetingRequest, pending.id).status == "pending"

    auth.logout()
    home = client.get("/").get_data(as_text=True)
    assert "Done mission" in _section(home, "Past events")
    assert "Done mission" not in _section(home, "Events you can join")


def test_closed_events_are_not_listed_as_joinable(client, db, make_event):
    make_event(name="Closed mission", status="closed")
    home = client.get("/").get_data(as_text=True)
    assert "Closed mission" not in _section(home, "Events you can join")
