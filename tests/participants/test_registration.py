"""Taking part: registration, approval, and who sees what state."""

from datetime import timedelta

from matchmaker.dbtypes import utcnow
from matchmaker.notifications.models import Notification
from matchmaker.participants.models import Organisation, Participant
from tests.conftest import htmx_headers

NEW_ORG = {
    "org_name": "HydroCyl Oy",
    "country": "fi",
    "city": "Tampere",
    "website": "https://hydrocyl.example",
    "kind": "sme",
    "size": "50-249",
    "sectors": "Hydraulics, hydraulic cylinders",
    "name": "Anna Virtanen",
    "role_title": "Sales director",
}


def test_registering_with_a_new_organisation_waits_for_approval(
    client, db, make_event, make_user, auth
):
    event = make_event()
    user = make_user()
    auth.login(user)
    response = client.post(f"/events/{event.slug}/register", data=NEW_ORG)
    assert response.status_code == 302
    participant = db.query(Participant).filter_by(event_id=event.id, user_id=user.id).one()
    assert participant.status == "pending"
    assert participant.organisation.country == "FI"
    assert participant.organisation.sectors == "|Hydraulics|hydraulic cylinders|"
    # The organiser is told, and the participant sees the state on their profile.
    organiser = event.organisers[0]
    assert db.query(Notification).filter_by(user_id=organiser.id, kind="registration").count() == 1
    profile = client.get(f"/events/{event.slug}/profile").get_data(as_text=True)
    assert "Waiting for approval" in profile
    # Pending participants do not see the directory yet.
    assert client.get(f"/events/{event.slug}/directory").status_code == 403


def test_organiser_approves_and_rejects_with_htmx(client, db, make_event, make_participant, auth):
    event = make_event()
    pending = make_participant(event, status="pending")
    auth.login(event.organisers[0])
    page = client.get(f"/events/{event.slug}/organiser/participants")
    assert page.status_code == 200 and f'id="participant-row-{pending.id}"' in page.get_data(
        as_text=True
    )
    response = client.post(
        f"/events/{event.slug}/organiser/participants/{pending.id}/status",
        data={"status": "approved"},
        headers=htmx_headers(),
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert f'id="participant-row-{pending.id}"' in html and "status-approved" in html
    db.expire_all()
    assert pending.status == "approved"
    note = db.query(Notification).filter_by(user_id=pending.user_id).one()
    assert "approved" in note.message
    client.post(
        f"/events/{event.slug}/organiser/participants/{pending.id}/status",
        data={"status": "rejected"},
    )
    db.expire_all()
    assert pending.status == "rejected"


def test_other_organisers_and_participants_cannot_approve(
    client, db, make_event, make_participant, make_user, auth
):
    event = make_event()
    pending = make_participant(event, status="pending")
    auth.login(make_user("organiser"))
    response = client.post(
        f"/events/{event.slug}/organiser/participants/{pending.id}/status",
        data={"status": "approved"},
    )
    assert response.status_code == 404
    auth.logout()
    auth.login(make_participant(event).user)
    assert client.get(f"/events/{event.slug}/organiser/participants").status_code == 403
    db.expire_all()
    assert pending.status == "pending"


def test_picking_an_existing_organisation_without_approval(
    client, db, make_event, make_user, make_participant, auth
):
    event = make_event(requires_approval=False)
    # Found because it takes part (approved) in an event that is out of draft.
    colleague = make_participant(
        make_event(), organisation=Organisation(name="Kabiini Works Oy", country="FI", kind="sme")
    )
    org = colleague.organisation
    auth.login(make_user())
    found = client.get(
        f"/events/{event.slug}/organisations?org_query=kabii", headers=htmx_headers()
    ).get_data(as_text=True)
    assert "<html" not in found and f'value="{org.id}"' in found
    response = client.post(
        f"/events/{event.slug}/register",
        data={"organisation_id": str(org.id), "name": "Laura", "kind": "sme"},
    )
    assert response.status_code == 302
    participant = db.query(Participant).filter_by(event_id=event.id).one()
    assert participant.status == "approved" and participant.organisation_id == org.id
    assert db.query(Organisation).count() == 1
    # A second registration of the same user is refused (the page sends them to their profile).
    again = client.post(
        f"/events/{event.slug}/register", data={"organisation_id": str(org.id), "name": "L"}
    )
    assert (
        again.status_code == 302 and db.query(Participant).filter_by(event_id=event.id).count() == 1
    )


def test_bad_organisation_input_is_refused_at_the_field(client, db, make_event, make_user, auth):
    event = make_event()
    auth.login(make_user())
    response = client.post(
        f"/events/{event.slug}/register", data={**NEW_ORG, "country": "Atlantis"}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="country-error"' in html and "two-letter" in html
    bad_site = client.post(
        f"/events/{event.slug}/register", data={**NEW_ORG, "website": "not a url"}
    )
    assert bad_site.status_code == 422 and 'id="website-error"' in bad_site.get_data(as_text=True)
    nothing = client.post(f"/events/{event.slug}/register", data={"name": "Anna"})
    assert nothing.status_code == 422 and "Pick your organisation" in nothing.get_data(as_text=True)
    assert db.query(Participant).count() == 0 and db.query(Organisation).count() == 0


def test_registration_only_while_open(client, db, make_event, make_user, auth):
    closed = make_event(status="closed")
    late = make_event(registration_closes_at=utcnow() - timedelta(hours=1))
    early = make_event(registration_opens_at=utcnow() + timedelta(days=1))
    auth.login(make_user())
    for event, message in ((closed, "not open"), (late, "has closed"), (early, "not opened yet")):
        page = client.get(f"/events/{event.slug}/register").get_data(as_text=True)
        assert message in page
        response = client.post(f"/events/{event.slug}/register", data=NEW_ORG)
        assert response.status_code == 409, event
        assert message in response.get_data(as_text=True)
    assert db.query(Participant).count() == 0


def test_event_page_shows_register_or_my_pages(
    client, db, make_event, make_participant, make_user, auth
):
    event = make_event()
    auth.login(make_user())
    html = client.get(f"/events/{event.slug}").get_data(as_text=True)
    assert f"/events/{event.slug}/register" in html
    auth.logout()
    participant = make_participant(event)
    auth.login(participant.user)
    html = client.get(f"/events/{event.slug}").get_data(as_text=True)
    assert "Registration: approved" in html and f"/events/{event.slug}/meetings" in html


def test_organiser_sets_one_participants_meeting_limit(
    client, db, make_event, make_participant, make_user, auth
):
    from matchmaker.meetings.booking import request_meeting

    event = make_event(max_meetings_per_participant=10)
    busy, a, b = make_participant(event), make_participant(event), make_participant(event)
    for other in (a, b):
        request_meeting(busy, other, "", created_by=busy.user)
    db.flush()
    auth.login(event.organisers[0])
    url = f"/events/{event.slug}/organiser/participants/{busy.id}/limit"
    page = client.get(f"/events/{event.slug}/organiser/participants").get_data(as_text=True)
    assert f'id="limit-{busy.id}"' in page and 'placeholder="10"' in page
    # Below what they already have open: refused at the field, nothing changes.
    low = client.post(url, data={"limit": "1"}, headers=htmx_headers())
    html = low.get_data(as_text=True)
    assert low.status_code == 409 and f'id="limit-{busy.id}-error"' in html
    assert "already has 2 pending or accepted" in html and 'value="1"' in html
    bad = client.post(url, data={"limit": "lots"}, headers=htmx_headers())
    assert bad.status_code == 422 and "whole number" in bad.get_data(as_text=True)
    db.expire_all()
    assert busy.max_meetings is None
    ok = client.post(url, data={"limit": "2"}, headers=htmx_headers())
    assert ok.status_code == 200 and 'value="2"' in ok.get_data(as_text=True)
    db.expire_all()
    assert busy.max_meetings == 2
    # Now full: a third request to them is refused by the same limit.
    c = make_participant(event)
    auth.logout()
    auth.login(c.user)
    asked = client.post(f"/events/{event.slug}/participants/{busy.id}/request", data={})
    assert asked.status_code == 409 and "no room" in asked.get_data(as_text=True)
    # Blank: back to the event's limit.
    auth.logout()
    auth.login(event.organisers[0])
    assert client.post(url, data={"limit": ""}, headers=htmx_headers()).status_code == 200
    db.expire_all()
    assert busy.max_meetings is None
    # A participant may not; another organiser does not even see the event.
    auth.logout()
    auth.login(a.user)
    assert client.post(url, data={"limit": "5"}).status_code == 403
    auth.logout()
    auth.login(make_user("organiser"))
    assert client.post(url, data={"limit": "5"}).status_code == 404
    db.expire_all()
    assert busy.max_meetings is None


def test_a_registration_to_approve_is_told_to_the_organisers_not_the_desk_or_viewers(
    client, db, make_event, make_user, auth
):
    from sqlalchemy import insert

    from matchmaker.events.models import event_organisers

    event = make_event()
    team = {role: make_user("participant") for role in ("organiser", "desk", "viewer")}
    for role, member in team.items():
        db.execute(insert(event_organisers).values(event_id=event.id, user_id=member.id, role=role))
    auth.login(make_user())
    assert client.post(f"/events/{event.slug}/register", data=NEW_ORG).status_code == 302

    def told(user) -> int:
        return db.query(Notification).filter_by(user_id=user.id, kind="registration").count()

    assert told(event.organisers[0]) == told(team["organiser"]) == 1
    assert told(team["desk"]) == told(team["viewer"]) == 0
