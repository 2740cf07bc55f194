"""Meeting requests: the whole life of a request, its rules, and who sees it."""

from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from matchmaker.dbtypes import utcnow
from matchmaker.meetings.models import Meeting, MeetingRequest
from matchmaker.notifications.models import Notification
from tests.conftest import htmx_headers


@pytest.fixture
def pair(db, make_event, make_participant):
    event = make_event(max_meetings_per_participant=3)
    return event, make_participant(event), make_participant(event)


def _ask(client, event, other, message="Let us talk about cylinders", **headers):
    return client.post(
        f"/events/{event.slug}/participants/{other.id}/request",
        data={"message": message},
        headers=headers,
    )


def _act(client, event, req, action, **data):
    return client.post(
        f"/events/{event.slug}/requests/{req.id}/{action}", data=data, headers=htmx_headers()
    )


def test_request_then_accept_creates_the_meeting_for_both(client, db, pair, auth):
    event, anna, thandi = pair
    auth.login(anna.user)
    response = _ask(client, event, thandi, **htmx_headers())
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html and 'id="request-box"' in html
    assert "Request sent" in html
    req = db.query(MeetingRequest).one()
    assert (req.requester_id, req.recipient_id, req.status) == (anna.id, thandi.id, "pending")
    assert req.message == "Let us talk about cylinders"
    assert (
        db.query(Notification).filter_by(user_id=thandi.user_id, kind="meeting_request").count()
        == 1
    )
    outgoing = client.get(
        f"/events/{event.slug}/meetings?show=outgoing", headers=htmx_headers()
    ).get_data(as_text=True)
    assert f'id="request-{req.id}"' in outgoing and "<html" not in outgoing
    auth.logout()

    auth.login(thandi.user)
    incoming = client.get(f"/events/{event.slug}/meetings?show=incoming").get_data(as_text=True)
    assert f'id="request-{req.id}"' in incoming and "Let us talk about cylinders" in incoming
    badge = client.get(f"/events/{event.slug}/meetings/counts?show=badge").get_data(as_text=True)
    assert '<span class="badge"' in badge and ">1<" in badge
    response = _act(client, event, req, "accept")
    html = response.get_data(as_text=True)
    assert (
        response.status_code == 200
        and f'id="request-{req.id}"' in html
        and "status-accepted" in html
    )
    assert response.headers["HX-Trigger"] == "meetings-changed, counts-changed"
    db.expire_all()
    assert req.status == "accepted"
    meeting = db.query(Meeting).filter_by(request_id=req.id).one()
    assert meeting.status == "active" and sorted(meeting.participant_ids) == sorted(
        [anna.id, thandi.id]
    )
    assert meeting.slot_start is None  # the scheduler places it later
    assert (
        db.query(Notification).filter_by(user_id=anna.user_id, kind="meeting_accepted").count() == 1
    )
    auth.logout()
    auth.login(anna.user)
    accepted = client.get(f"/events/{event.slug}/meetings?show=accepted").get_data(as_text=True)
    assert f'id="request-{req.id}"' in accepted


def _pending(client, db, auth, event, asker, asked) -> MeetingRequest:
    auth.login(asker.user)
    _ask(client, event, asked)
    auth.logout()
    return db.query(MeetingRequest).filter_by(recipient_id=asked.id).one()


def test_the_requester_cannot_accept_their_own_request(client, db, pair, auth):
    event, anna, thandi = pair
    to_thandi = _pending(client, db, auth, event, anna, thandi)
    auth.login(anna.user)
    assert _act(client, event, to_thandi, "accept").status_code == 403


def test_the_requester_withdraws_a_request(client, db, pair, make_participant, auth):
    event, anna, _thandi = pair
    pieter = make_participant(event)
    to_pieter = _pending(client, db, auth, event, anna, pieter)
    auth.login(anna.user)
    withdrawn = _act(client, event, to_pieter, "withdraw")
    assert withdrawn.status_code == 200 and "status-withdrawn" in withdrawn.get_data(as_text=True)
    db.expire_all()
    assert to_pieter.status == "withdrawn" and db.query(Meeting).count() == 0


def test_decline_with_reason_and_a_second_tab_is_too_late(client, db, pair, auth):
    event, anna, thandi = pair
    to_thandi = _pending(client, db, auth, event, anna, thandi)
    auth.login(thandi.user)
    declined = _act(client, event, to_thandi, "decline", reason="We make our own cylinders")
    assert declined.status_code == 200 and "We make our own cylinders" in declined.get_data(
        as_text=True
    )
    again = _act(client, event, to_thandi, "accept")  # a second tab, too late
    assert again.status_code == 409 and "declined already" in again.get_data(as_text=True)
    db.expire_all()
    assert (to_thandi.status, to_thandi.reason) == ("declined", "We make our own cylinders")
    assert db.query(Meeting).count() == 0


def test_a_closed_request_frees_the_pair_for_a_new_one(client, db, pair, auth):
    event, anna, thandi = pair
    to_thandi = _pending(client, db, auth, event, anna, thandi)
    auth.login(thandi.user)
    _act(client, event, to_thandi, "decline", reason="We make our own cylinders")
    # Closed requests free the pair: a new request may follow.
    auth.logout()
    auth.login(anna.user)
    assert _ask(client, event, thandi).status_code == 302
    assert db.query(MeetingRequest).filter_by(status="pending").count() == 1


def test_either_side_cancels_an_accepted_meeting(client, db, pair, auth):
    event, anna, thandi = pair
    auth.login(anna.user)
    _ask(client, event, thandi)
    req = db.query(MeetingRequest).one()
    auth.logout()
    auth.login(thandi.user)
    _act(client, event, req, "accept")
    auth.logout()
    auth.login(anna.user)
    response = _act(client, event, req, "cancel", reason="Flight changed")
    assert response.status_code == 200 and "status-cancelled" in response.get_data(as_text=True)
    db.expire_all()
    meeting = db.query(Meeting).one()
    assert req.status == "cancelled" and req.reason == "Flight changed"
    assert meeting.status == "cancelled" and {a.status for a in meeting.attendees} == {"cancelled"}
    assert (
        db.query(Notification).filter_by(user_id=thandi.user_id, kind="meeting_cancelled").count()
        == 1
    )


def test_one_open_request_per_pair_whoever_asks(client, db, pair, auth):
    event, anna, thandi = pair
    auth.login(anna.user)
    assert _ask(client, event, thandi).status_code == 302
    double = _ask(client, event, thandi, **htmx_headers())  # double click
    assert double.status_code == 409 and "already have an open request" in double.get_data(
        as_text=True
    )
    auth.logout()
    auth.login(thandi.user)
    crossing = _ask(client, event, anna, **htmx_headers())
    assert crossing.status_code == 409
    assert db.query(MeetingRequest).count() == 1


def test_the_database_refuses_a_second_open_request(db, pair):
    event, anna, thandi = pair
    low, high = sorted((anna.id, thandi.id))
    db.add(
        MeetingRequest(
            event_id=event.id,
            requester_id=anna.id,
            recipient_id=thandi.id,
            pair_low=low,
            pair_high=high,
        )
    )
    db.flush()
    with pytest.raises(IntegrityError), db.begin_nested():
        db.add(
            MeetingRequest(
                event_id=event.id,
                requester_id=thandi.id,
                recipient_id=anna.id,
                pair_low=low,
                pair_high=high,
            )
        )
        db.flush()
    with pytest.raises(IntegrityError), db.begin_nested():
        db.add(
            MeetingRequest(
                event_id=event.id,
                requester_id=anna.id,
                recipient_id=anna.id,
                pair_low=low,
                pair_high=low,
            )
        )
        db.flush()


def test_no_request_to_yourself(client, db, pair, auth):
    event, anna, _thandi = pair
    auth.login(anna.user)
    assert _ask(client, event, anna, **htmx_headers()).status_code == 422
    assert db.query(MeetingRequest).count() == 0


def test_no_request_to_an_unapproved_registration(client, db, pair, make_participant, auth):
    event, anna, _thandi = pair
    pending = make_participant(event, status="pending")
    auth.login(anna.user)
    # A registration that is not approved does not exist for other participants.
    unapproved = _ask(client, event, pending, **htmx_headers())
    assert unapproved.status_code == 404 and pending.name not in unapproved.get_data(as_text=True)
    assert db.query(MeetingRequest).count() == 0


def test_no_request_after_the_booking_deadline(client, db, pair, auth):
    event, anna, thandi = pair
    auth.login(anna.user)
    event.booking_deadline = utcnow() - timedelta(minutes=1)
    db.flush()
    late = _ask(client, event, thandi, **htmx_headers())
    assert late.status_code == 409 and "deadline" in late.get_data(as_text=True)
    assert db.query(MeetingRequest).count() == 0


def test_no_request_with_a_message_over_the_limit(client, db, pair, auth):
    event, anna, thandi = pair
    auth.login(anna.user)
    long = "x" * 1001
    too_long = _ask(client, event, thandi, message=long, **htmx_headers())
    assert too_long.status_code == 422 and 'id="message-error"' in too_long.get_data(as_text=True)
    assert db.query(MeetingRequest).count() == 0


def test_an_unapproved_participant_cannot_ask(client, db, pair, make_participant, auth):
    event, _anna, thandi = pair
    pending = make_participant(event, status="pending")
    auth.login(pending.user)
    assert _ask(client, event, thandi).status_code == 403
    assert db.query(MeetingRequest).count() == 0


def test_maximum_meetings_is_enforced_for_both_sides(
    client, db, make_event, make_participant, auth
):
    event = make_event(max_meetings_per_participant=2)
    me = make_participant(event)
    busy = make_participant(event, max_meetings=1)
    others = [make_participant(event) for _ in range(3)]
    auth.login(me.user)
    assert _ask(client, event, others[0]).status_code == 302
    assert _ask(client, event, others[1]).status_code == 302
    over = _ask(client, event, others[2], **htmx_headers())
    assert over.status_code == 409 and "limit of 2 meetings" in over.get_data(as_text=True)
    auth.logout()
    auth.login(others[2].user)
    assert _ask(client, event, busy).status_code == 302
    auth.logout()
    auth.login(others[1].user)
    full = _ask(client, event, busy, **htmx_headers())
    assert full.status_code == 409 and "no room for more meetings" in full.get_data(as_text=True)
    assert db.query(MeetingRequest).count() == 3
    # The organiser lowers the limit: accepting would over-commit, so it is refused.
    req = db.query(MeetingRequest).filter_by(requester_id=me.id, recipient_id=others[0].id).one()
    event.max_meetings_per_participant = 1
    db.flush()
    auth.logout()
    auth.login(others[0].user)
    refused = _act(client, event, req, "accept")
    assert refused.status_code == 409 and "no room" in refused.get_data(as_text=True)
    db.expire_all()
    assert req.status == "pending" and db.query(Meeting).count() == 0


def test_nobody_else_sees_or_touches_a_request(client, db, pair, make_participant, make_user, auth):
    event, anna, thandi = pair
    outsider = make_participant(event)
    auth.login(anna.user)
    _ask(client, event, thandi, message="Secret pricing question")
    req = db.query(MeetingRequest).one()
    auth.logout()
    auth.login(outsider.user)
    for action in ("accept", "decline", "withdraw", "cancel"):
        assert _act(client, event, req, action).status_code == 404
    mine = client.get(f"/events/{event.slug}/meetings?show=all").get_data(as_text=True)
    assert "Secret pricing question" not in mine and f'id="request-{req.id}"' not in mine
    profile = client.get(f"/events/{event.slug}/participants/{anna.id}").get_data(as_text=True)
    assert "Secret pricing question" not in profile
    auth.logout()
    auth.login(make_user())
    assert client.get(f"/events/{event.slug}/meetings").status_code == 403
    db.expire_all()
    assert req.status == "pending"


def test_organiser_acts_on_behalf_of_companies(client, db, pair, make_participant, auth):
    event, anna, thandi = pair
    offline = make_participant(event, user=None, name="No Login")
    offline.user = None
    db.flush()
    auth.login(event.organisers[0])
    page = client.get(f"/events/{event.slug}/organiser/participants/{offline.id}")
    assert page.status_code == 200 and "Create a meeting" in page.get_data(as_text=True)
    created = client.post(
        f"/events/{event.slug}/organiser/participants/{offline.id}/meetings",
        data={"other_id": str(anna.id)},
    )
    assert created.status_code == 302
    req = db.query(MeetingRequest).one()
    assert req.status == "accepted" and req.created_by_id == event.organisers[0].id
    assert db.query(Meeting).filter_by(request_id=req.id).count() == 1
    again = client.post(
        f"/events/{event.slug}/organiser/participants/{offline.id}/meetings",
        data={"other_id": str(anna.id)},
    )
    assert again.status_code == 409 and "have a meeting already" in again.get_data(as_text=True)
    # Accept a pending request for a recipient who never logs in.
    auth.logout()
    auth.login(thandi.user)
    _ask(client, event, offline)
    pending = db.query(MeetingRequest).filter_by(status="pending").one()
    auth.logout()
    auth.login(event.organisers[0])
    assert (
        client.post(f"/events/{event.slug}/organiser/requests/{pending.id}/accept").status_code
        == 302
    )
    db.expire_all()
    assert pending.status == "accepted"
    rows = client.get(f"/events/{event.slug}/organiser/participants").get_data(as_text=True)
    assert f'id="participant-row-{offline.id}"' in rows
