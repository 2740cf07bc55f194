"""Times and names a person recognises: the event's zone, "cannot meet", person (company)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from matchmaker.events import services as events
from matchmaker.meetings.booking import request_meeting
from matchmaker.meetings.services import create_meeting, place_meeting
from matchmaker.notifications.models import Notification
from matchmaker.participants.models import Organisation, Unavailability
from matchmaker.planning import services as schedules
from tests.calendar.helpers import parse_icalendar, vevents


def _people(event, make_participant):
    thandi = make_participant(
        event, organisation=Organisation(name="Bell Equipment"), name="Thandi Nkosi"
    )
    mart = make_participant(event, organisation=Organisation(name="HydroCyl Oy"), name="Mart Kivi")
    return thandi, mart


def _publish_one(event, a, b, slot_index=1):
    meeting = create_meeting(event, [a, b])
    slot = events.event_slots(event)[slot_index]
    place_meeting(meeting, slot.starts_at, slot.ends_at, event.tables[0].id)
    schedules.publish(event, event.organisers[0])
    return meeting


def _row(html: str, local_start: str) -> str:
    """The agenda row that starts at ``local_start`` (HH:MM)."""
    for row in re.findall(r"<tr class=\"agenda-.*?</tr>", html, re.S):
        if f">{local_start}–" in row:
            return row
    raise AssertionError(f"no agenda row at {local_start}")


def test_agenda_says_you_cannot_meet_where_the_participant_said_so(
    client, db, auth, make_event, make_participant
):
    event = make_event()
    thandi, mart = _people(event, make_participant)
    slots = events.event_slots(event)
    db.add(Unavailability(participant_id=mart.id, slot_start=slots[0].starts_at))
    _publish_one(event, thandi, mart, slot_index=1)
    auth.login(mart.user)
    html = client.get(f"/events/{event.slug}/agenda").get_data(as_text=True)
    blocked = _row(html, slots[0].local_start.strftime("%H:%M"))
    assert "You cannot meet" in blocked and "Free" not in blocked
    assert "Free" in _row(html, slots[2].local_start.strftime("%H:%M"))
    # Thandi did not mark that slot: it is free for her.
    auth.login(thandi.user)
    html = client.get(f"/events/{event.slug}/agenda").get_data(as_text=True)
    assert "Free" in _row(html, slots[0].local_start.strftime("%H:%M"))


def test_a_meeting_names_the_person_and_the_organisation_everywhere(
    client, db, auth, make_event, make_participant
):
    event = make_event()
    thandi, mart = _people(event, make_participant)
    request_meeting(mart, thandi)
    _publish_one(event, thandi, mart)
    named = "Thandi Nkosi (Bell Equipment)"

    auth.login(mart.user)
    agenda = client.get(f"/events/{event.slug}/agenda").get_data(as_text=True)
    assert f"Meeting with <strong>{named}</strong>" in agenda
    ics = client.get(f"/events/{event.slug}/agenda.ics")
    [entry] = [e for e in vevents(parse_icalendar(ics.data)) if "Meeting" in str(e["SUMMARY"])]
    assert str(entry["SUMMARY"]) == f"Meeting: {named}"

    auth.login(thandi.user)  # the request's notification names the requester the same way
    notes = client.get("/notifications").get_data(as_text=True)
    assert "Mart Kivi (HydroCyl Oy) requests a meeting with you." in notes

    auth.login(event.organisers[0])
    board = client.get(f"/events/{event.slug}/schedule").get_data(as_text=True)
    # The cell reads "Person (Organisation) – Person (Organisation)" (its text, the
    # person and the organisation on lines of their own) and says it whole in its title.
    whole = f"{named} – Mart Kivi (HydroCyl Oy)"
    cells = re.findall(r'<td id="meeting-\d+"[^>]*title="([^"]*)"[^>]*>(.*?)</td>', board, re.S)
    texts = [(title, " ".join(re.sub(r"<[^>]+>", "", body).split())) for title, body in cells]
    assert any(title == whole and text.startswith(whole) for title, text in texts), texts
    assert "Bell Equipment – HydroCyl Oy" not in board


def test_notifications_show_the_events_time_zone(client, db, auth, make_event, make_participant):
    event = make_event(timezone="Africa/Johannesburg")
    thandi, _ = _people(event, make_participant)
    db.add(
        Notification(
            user_id=thandi.user_id,
            event_id=event.id,
            kind="schedule",
            message="Your meeting agenda is published.",
            created_at=datetime(2027, 3, 9, 6, 5, tzinfo=UTC),
        )
    )
    db.flush()
    auth.login(thandi.user)
    html = client.get("/notifications").get_data(as_text=True)
    assert "08:05 (Africa/Johannesburg)" in html  # 06:05 UTC
    assert "06:05" not in html and "UTC" not in html
