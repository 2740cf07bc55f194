"""An event's team: the owner invites by a signed link, each role sees only its pages."""

from __future__ import annotations

import re

from sqlalchemy import select

from matchmaker.audit.models import AuditEntry
from matchmaker.events.models import event_organisers
from tests.accounts.test_mail import inbox  # noqa: F401 (the SMTP server fixture)

LINK = re.compile(r"http://matchmaker\.test(/team/join/\S+)")


def _link(inbox, address):  # noqa: F811
    found = LINK.search(inbox.to(address)[-1].get_body(("plain",)).get_content())
    assert found
    return found.group(1)


def _role(db, event, user):
    return db.scalar(
        select(event_organisers.c.role).where(
            event_organisers.c.event_id == event.id, event_organisers.c.user_id == user.id
        )
    )


def test_the_owner_invites_a_desk_volunteer_who_checks_in_but_sees_nothing_else(
    client,
    db,
    make_event,
    make_user,
    auth,
    inbox,  # noqa: F811
):
    event = make_event()
    owner = event.organisers[0]
    volunteer = make_user("participant", email="liis@desk.example")
    auth.login(owner)
    response = client.post(
        f"/events/{event.slug}/team", data={"email": "Liis@Desk.example", "role": "desk"}
    )
    assert response.status_code == 302
    path = _link(inbox, "liis@desk.example")
    auth.logout()

    # Not logged in: the link says to log in with that address; nothing happens.
    page = client.get(path)
    assert page.status_code == 200 and "liis@desk.example" in page.get_data(as_text=True)
    assert _role(db, event, volunteer) is None

    auth.login(volunteer)
    joined = client.post(path)
    assert joined.status_code == 302
    assert joined.headers["Location"].endswith(f"/events/{event.slug}/desk")
    assert _role(db, event, volunteer) == "desk"
    assert client.get(f"/events/{event.slug}/desk").status_code == 200
    assert client.get(f"/events/{event.slug}/desk/attendance").status_code == 200
    for elsewhere in ("manage", "organiser/participants", "schedule", "team", "audit", "report"):
        assert client.get(f"/events/{event.slug}/{elsewhere}").status_code == 404, elsewhere
    # The link works once.
    assert client.post(path).status_code == 404
    actions = db.scalars(select(AuditEntry.action).where(AuditEntry.event_id == event.id)).all()
    assert {"team.invited", "team.joined"} <= set(actions)


def test_an_invitation_is_for_its_address_only(
    client,
    db,
    make_event,
    make_user,
    auth,
    inbox,  # noqa: F811
):
    event = make_event()
    auth.login(event.organisers[0])
    client.post(f"/events/{event.slug}/team", data={"email": "a@team.example", "role": "viewer"})
    path = _link(inbox, "a@team.example")
    auth.logout()
    other = make_user("participant", email="b@team.example")
    auth.login(other)
    assert client.post(path).status_code == 403
    assert _role(db, event, other) is None
    # A forged or tampered link is refused.
    assert client.get(path[:-3] + "abc").status_code == 404


def test_only_the_owner_manages_the_team(client, db, make_event, add_member, auth):
    event = make_event()
    owner = event.organisers[0]
    co = add_member(event, "organiser")
    auth.login(co)
    assert client.get(f"/events/{event.slug}/manage").status_code == 200
    assert client.get(f"/events/{event.slug}/team").status_code == 404
    response = client.post(
        f"/events/{event.slug}/team", data={"email": "x@team.example", "role": "organiser"}
    )
    assert response.status_code == 404
    assert client.post(f"/events/{event.slug}/team/members/{owner.id}/remove").status_code == 404
    assert _role(db, event, owner) == "owner"


def test_the_last_owner_stays_an_owner(client, db, make_event, add_member, auth):
    event = make_event()
    owner = event.organisers[0]
    desk = add_member(event, "desk")
    auth.login(owner)
    client.post(f"/events/{event.slug}/team/members/{owner.id}/role", data={"role": "viewer"})
    assert _role(db, event, owner) == "owner"
    client.post(f"/events/{event.slug}/team/members/{owner.id}/remove")
    assert _role(db, event, owner) == "owner"
    # The owner changes the desk member's role, then removes them.
    client.post(f"/events/{event.slug}/team/members/{desk.id}/role", data={"role": "viewer"})
    assert _role(db, event, desk) == "viewer"
    client.post(f"/events/{event.slug}/team/members/{desk.id}/remove")
    assert _role(db, event, desk) is None
    page = client.get(f"/events/{event.slug}/audit").get_data(as_text=True)
    assert "Changed a team member&#39;s role" in page and "Removed a team member" in page


def test_team_members_see_a_draft_event_and_it_is_in_their_list(
    client, db, make_event, add_member, auth
):
    event = make_event(status="draft")
    viewer = add_member(event, "viewer")
    auth.login(viewer)
    assert client.get(f"/events/{event.slug}").status_code == 200
    assert client.get(f"/events/{event.slug}/report").status_code == 200


def test_a_viewer_reads_the_report_without_the_organisers_settings(
    client, db, make_event, add_member, auth
):
    event = make_event()
    viewer = add_member(event, "viewer")
    auth.login(event.organisers[0])
    assert 'id="survey-settings"' in client.get(f"/events/{event.slug}/report").get_data(
        as_text=True
    )
    auth.logout()
    auth.login(viewer)
    page = client.get(f"/events/{event.slug}/report")
    assert page.status_code == 200 and 'id="survey-settings"' not in page.get_data(as_text=True)
    assert client.post(f"/events/{event.slug}/report/settings", data={}).status_code == 404


def test_the_event_page_leads_each_team_member_to_their_pages(
    client, db, make_event, add_member, auth
):
    event = make_event()
    desk, viewer = add_member(event, "desk"), add_member(event, "viewer")
    auth.login(desk)
    page = client.get(f"/events/{event.slug}").get_data(as_text=True)
    assert f"/events/{event.slug}/desk" in page and "Manage event" not in page
    auth.logout()
    auth.login(viewer)
    page = client.get(f"/events/{event.slug}").get_data(as_text=True)
    assert f"/events/{event.slug}/report" in page and "Manage event" not in page


def test_the_team_page_has_a_plain_title_and_its_rules_once(client, db, make_event, auth):
    event = make_event()
    auth.login(event.organisers[0])
    html = client.get(f"/events/{event.slug}/team").get_data(as_text=True)
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert title.startswith("Team · ") and "<" not in title  # once, a whole form was in it
    assert html.count('id="team-settings"') == 1


def test_joining_by_the_link_proves_the_address_and_brings_the_places_made_for_it(
    db, make_event, make_user
):
    from matchmaker.participants.models import Organisation, Participant
    from matchmaker.teams import services
    from matchmaker.teams.models import TeamInvitation

    event, other_event = make_event(), make_event()
    liis = make_user("participant", email="liis@desk.example", email_confirmed_at=None)
    place = Participant(
        event=other_event,
        organisation=Organisation(name="Desk OÜ", country="EE"),
        status="approved",
        name="Liis",
        email="liis@desk.example",
    )
    invitation = TeamInvitation(event_id=event.id, email="liis@desk.example", role="desk")
    db.add_all([place, invitation])
    db.flush()
    services.accept(invitation, liis)
    db.flush()
    assert liis.email_confirmed_at is not None
    assert place.user_id == liis.id


def test_a_refused_retention_date_is_shown_again_at_its_field(client, db, make_event, auth):
    """A day in the past is refused: the rules' form comes back (422) with the day as
    typed and the reason beside it, rather than a flash over a form that lost it."""
    from datetime import date, timedelta

    event = make_event()
    auth.login(event.organisers[0])
    past = (date.today() - timedelta(days=2)).isoformat()
    url = f"/events/{event.slug}/team/settings"
    refused = client.post(url, data={"retain_until": past, "require_two_factor": "yes"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert f'name="retain_until" value="{past}"' in html
    assert '<p class="error" id="retain_until-error">Choose a day from today on.</p>' in html
    assert 'aria-invalid="true"' in html and 'id="team-settings"' in html
    db.expire_all()
    assert event.retain_until is None  # nothing saved
    # Two-factor for the team before the owner has it: told at that box, the day kept.
    later = (date.today() + timedelta(days=400)).isoformat()
    rule = client.post(url, data={"retain_until": later, "require_two_factor": "yes"})
    html = rule.get_data(as_text=True)
    assert rule.status_code == 409 and f'value="{later}"' in html
    assert 'id="require_two_factor-error">Turn on two-factor log-in' in html
    db.expire_all()
    assert event.retain_until is None and event.require_two_factor is False
    saved = client.post(url, data={"retain_until": later})
    assert saved.status_code == 302
    db.expire_all()
    assert event.retain_until == date.fromisoformat(later)
