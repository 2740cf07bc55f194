"""Only approved participants act; rejecting someone calls off what they had open.

A rejected participant cannot accept, decline, withdraw or cancel (403), nor be put in a
meeting by an organiser. Rejection cancels their pending and accepted requests and
their meetings, and tells each partner once.
"""

import pytest

from matchmaker.errors import Conflict
from matchmaker.meetings import booking
from matchmaker.meetings.models import Meeting, MeetingRequest
from matchmaker.notifications.models import Notification
from tests.conftest import htmx_headers


@pytest.fixture
def trio(db, make_event, make_participant):
    event = make_event(max_meetings_per_participant=10)
    return event, make_participant(event), make_participant(event), make_participant(event)


def _act(client, event, req, action):
    return client.post(
        f"/events/{event.slug}/requests/{req.id}/{action}", data={}, headers=htmx_headers()
    )


def _reject_behind_the_services_back(db, participant):
    """A rejection recorded before rejecting cancelled anything (data of older releases)."""
    participant.status = "rejected"
    db.flush()


def test_a_rejected_participant_cannot_accept_and_gets_no_meeting(client, db, trio, auth):
    event, anna, sanna, _ = trio
    req = booking.request_meeting(anna, sanna, "Hello")
    _reject_behind_the_services_back(db, sanna)
    auth.login(sanna.user)
    response = _act(client, event, req, "accept")
    assert response.status_code == 403
    db.expire_all()
    assert req.status == "pending" and db.query(Meeting).count() == 0
    # Nor can an organiser accept on their behalf.
    with pytest.raises(Conflict, match="not an approved participant"):
        booking.accept_request(req, acting_for=sanna, by_user=event.organisers[0])
    assert db.query(Meeting).count() == 0


@pytest.mark.parametrize(
    "action, actor, accepted", [("decline", 1, False), ("withdraw", 0, False), ("cancel", 1, True)]
)
def test_a_rejected_participant_cannot_answer_withdraw_or_cancel(
    client, db, trio, auth, action, actor, accepted
):
    event, anna, sanna, _ = trio
    req = booking.request_meeting(anna, sanna, "Hello")
    if accepted:
        booking.accept_request(req, acting_for=sanna)
    who = (anna, sanna)[actor]
    _reject_behind_the_services_back(db, who)
    auth.login(who.user)
    assert _act(client, event, req, action).status_code == 403
    db.expire_all()
    assert req.status == ("accepted" if accepted else "pending")


def test_rejecting_cancels_open_requests_and_meetings_and_tells_the_partners(
    client, db, trio, make_participant, auth
):
    event, anna, sanna, thandi = trio
    jukka, pekka = make_participant(event), make_participant(event)
    sanna.fixed_table_id = event.tables[0].id
    accepted = booking.request_meeting(anna, sanna, "Cylinders")
    meeting = booking.accept_request(accepted, acting_for=sanna)
    incoming = booking.request_meeting(thandi, sanna, "Steel")
    outgoing = booking.request_meeting(sanna, jukka, "Frames")
    declined = booking.request_meeting(sanna, pekka, "Hydraulics?")
    booking.decline_request(declined, acting_for=pekka)
    between_others = booking.request_meeting(anna, thandi, "Unrelated")
    db.query(Notification).delete()
    db.flush()

    auth.login(event.organisers[0])
    response = client.post(
        f"/events/{event.slug}/organiser/participants/{sanna.id}/status",
        data={"status": "rejected"},
        headers=htmx_headers(),
    )
    assert response.status_code == 200
    db.expire_all()
    assert sanna.status == "rejected" and sanna.fixed_table_id is None  # the stand is free
    assert [accepted.status, incoming.status, outgoing.status] == ["cancelled"] * 3
    assert declined.status == "declined" and between_others.status == "pending"
    assert meeting.status == "cancelled"
    assert {a.status for a in meeting.attendees} == {"cancelled"}
    # Each partner is told once; the one with the accepted meeting that it is cancelled.
    notes = {
        n.user_id: n.message
        for n in db.query(Notification).filter_by(kind="meeting_cancelled").all()
    }
    assert set(notes) == {anna.user_id, thandi.user_id, jukka.user_id}
    assert notes[anna.user_id].startswith(f"Your meeting with {sanna.label} is cancelled")
    assert "request" in notes[thandi.user_id] and "request" in notes[jukka.user_id]
    assert db.query(Notification).filter_by(user_id=sanna.user_id, kind="registration").count() == 1
    # Their partners have room again: the cancelled requests no longer count.
    assert booking.open_request_count(anna.id) == 1  # only the request to Thandi
    assert db.query(MeetingRequest).filter_by(status="cancelled").count() == 3
