"""The message and reason limit the pages announce is the one the services enforce."""

import pytest

from matchmaker.meetings import booking


@pytest.fixture
def people(db, make_event, make_participant):
    event = make_event()
    return event, make_participant(event), make_participant(event), make_participant(event)


def test_the_reason_fields_announce_the_services_limit(client, db, people, auth, monkeypatch):
    event, anna, thandi, _lena = people
    monkeypatch.setattr(booking, "MESSAGE_LIMIT", 500)
    booking.request_meeting(anna, thandi, "Shall we meet?")
    db.flush()

    auth.login(thandi.user)
    incoming = client.get(f"/events/{event.slug}/meetings?show=incoming").get_data(as_text=True)
    assert 'maxlength="500"' in incoming and "up to 500 characters" in incoming
    assert "1000" not in incoming


def test_the_request_box_announces_the_services_limit(client, db, people, auth, monkeypatch):
    event, anna, _thandi, lena = people
    monkeypatch.setattr(booking, "MESSAGE_LIMIT", 500)

    auth.login(anna.user)
    profile = client.get(f"/events/{event.slug}/participants/{lena.id}").get_data(as_text=True)
    assert 'maxlength="500"' in profile and 'maxlength="1000"' not in profile
