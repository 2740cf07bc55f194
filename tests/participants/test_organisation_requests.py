"""A meeting request from an organisation's card: opened in place, then "Requested"."""

from matchmaker.meetings.models import MeetingRequest
from matchmaker.participants.models import Organisation
from tests.conftest import htmx_headers


def _setup(make_event, make_participant, db):
    event = make_event()
    org = Organisation(name="HydroCyl Oy", country="FI")
    busy = make_participant(event, organisation=org, name="Aino Busy")
    free = make_participant(event, organisation=org, name="Ben Free")
    me = make_participant(event, organisation=Organisation(name="Bell Equipment", country="ZA"))
    other = make_participant(event)
    db.add(
        MeetingRequest(
            event_id=event.id,
            requester_id=other.id,
            recipient_id=busy.id,
            pair_low=min(other.id, busy.id),
            pair_high=max(other.id, busy.id),
        )
    )
    db.flush()
    return event, org, busy, free, me


def test_the_card_opens_the_form_in_place_and_then_says_requested(
    client, db, make_event, make_participant, auth
):
    event, org, busy, free, me = _setup(make_event, make_participant, db)
    auth.login(me.user)
    url = f"/events/{event.slug}/organisations/{org.id}/request"
    card = client.get(f"/events/{event.slug}/directory", headers=htmx_headers()).get_data(
        as_text=True
    )
    assert f'hx-get="{url}"' in card and "Request a meeting" in card
    opened = client.get(url, headers=htmx_headers())
    html = opened.get_data(as_text=True)
    assert opened.status_code == 200 and "<html" not in html
    assert f'id="org-request-{org.id}"' in html and "<textarea" in html
    assert "Anyone from HydroCyl Oy" in html and f'value="{free.id}"' in html
    # "Anyone": the representative with the fewest open requests (Ben, not busy Aino).
    sent = client.post(
        url,
        data={f"org{org.id}-to": "", f"org{org.id}-message": "Cylinders?"},
        headers=htmx_headers(),
    )
    html = sent.get_data(as_text=True)
    assert sent.status_code == 200 and "Requested" in html and "<textarea" not in html
    req = db.query(MeetingRequest).filter_by(requester_id=me.id).one()
    assert req.recipient_id == free.id and req.message == "Cylinders?"
    # The card remembers it, and a second request to the organisation is refused.
    card = client.get(f"/events/{event.slug}/directory", headers=htmx_headers()).get_data(
        as_text=True
    )
    assert "Requested" in card and f'hx-get="{url}"' not in card
    again = client.post(url, data={f"org{org.id}-to": str(busy.id)}, headers=htmx_headers())
    assert again.status_code == 409
    assert db.query(MeetingRequest).filter_by(requester_id=me.id).count() == 1


def test_a_named_representative_and_the_limits(client, db, make_event, make_participant, auth):
    event, org, busy, free, me = _setup(make_event, make_participant, db)
    auth.login(me.user)
    url = f"/events/{event.slug}/organisations/{org.id}/request"
    stranger = make_participant(event)
    refused = client.post(url, data={f"org{org.id}-to": str(stranger.id)}, headers=htmx_headers())
    assert refused.status_code == 422 and "Choose one of the people" in refused.get_data(
        as_text=True
    )
    sent = client.post(url, data={f"org{org.id}-to": str(busy.id)}, headers=htmx_headers())
    assert sent.status_code == 200
    assert db.query(MeetingRequest).filter_by(requester_id=me.id).one().recipient_id == busy.id
    # Without JavaScript the form posts normally and comes back to the organisation page.
    own = f"/events/{event.slug}/organisations/{me.organisation_id}/request"
    assert client.post(own, data={}).status_code == 422  # not to my own organisation


def test_no_request_before_approval_or_to_a_hidden_organisation(
    client, db, make_event, make_participant, auth
):
    event, org, busy, free, me = _setup(make_event, make_participant, db)
    pending = make_participant(event, status="pending")
    auth.login(pending.user)
    url = f"/events/{event.slug}/organisations/{org.id}/request"
    assert client.post(url, data={}).status_code == 403
    auth.logout()
    auth.login(me.user)
    hidden = make_participant(event, status="pending", organisation=Organisation(name="Hidden"))
    hidden_url = f"/events/{event.slug}/organisations/{hidden.organisation_id}/request"
    assert client.post(hidden_url, data={}).status_code == 404
