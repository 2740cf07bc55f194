"""Consent at registration, and every place a contact detail appears honouring it.

Where personal contact details appear: the agenda (partners' e-mail and phone), the
follow-ups page, its CSV and its vCards (partners met); the calendar feeds and the
agenda download carry names and organisations only. The directory, organisation pages
and suggestions list only people who chose to be listed.
"""

from __future__ import annotations

import vobject

from matchmaker.calendar import services as calendar
from matchmaker.meetings.services import place_meeting
from matchmaker.participants.models import Organisation, Participant
from matchmaker.planning.services import publish
from matchmaker.privacy.consent import CONSENT_VERSION
from tests.calendar.helpers import SLOT, meeting_between, slot
from tests.outcomes.conftest import past_event  # noqa: F401
from tests.outcomes.test_follow_ups import _answer_anna

NEW_ORG = {"org_name": "Hydroline Oy", "country": "FI", "kind": "sme", "name": "Anna Virtanen"}


def test_registration_says_what_others_see_and_stores_the_choices(
    client, db, make_event, make_user, auth
):
    event = make_event(requires_approval=False)
    auth.login(make_user())
    page = client.get(f"/events/{event.slug}/register").get_data(as_text=True)
    assert "What others see" in page and "only to the people you have a meeting with" in page
    response = client.post(
        f"/events/{event.slug}/register",
        data={**NEW_ORG, "listed": "no", "share_contact": "yes", "phone": "+358 40 123 4567"},
    )
    assert response.status_code == 302
    p = db.query(Participant).filter_by(event_id=event.id).one()
    assert (p.listed, p.share_contact, p.phone) == (False, True, "+358 40 123 4567")
    assert p.consent_at is not None and p.consent_version == CONSENT_VERSION


def test_contact_details_are_not_shared_unless_chosen(client, db, make_event, make_user, auth):
    event = make_event(requires_approval=False)
    auth.login(make_user())
    client.post(f"/events/{event.slug}/register", data=NEW_ORG)
    p = db.query(Participant).filter_by(event_id=event.id).one()
    assert p.listed is True and p.share_contact is False  # the defaults, as the form shows


def _published_pair(db, make_event, make_participant, make_user, share: bool):
    event = make_event(status="published")
    anna = make_participant(event, name="Anna Virtanen")
    thandi = make_participant(
        event,
        user=make_user(email="thandi@bell.example"),
        name="Thandi Nkosi",
        phone="+27 35 902 9111",
        share_contact=share,
    )
    meeting = meeting_between(db, event, anna, thandi)
    place_meeting(meeting, slot(0), slot(0) + SLOT, event.tables[0].id)
    publish(event, event.organisers[0])
    db.flush()
    return event, anna, thandi


def test_the_agenda_shows_a_partners_contact_details_only_if_they_said_so(
    client, db, make_event, make_participant, make_user, auth
):
    event, anna, thandi = _published_pair(db, make_event, make_participant, make_user, share=False)
    auth.login(anna.user)
    html = client.get(f"/events/{event.slug}/agenda").get_data(as_text=True)
    assert "Thandi Nkosi" in html
    assert "thandi@bell.example" not in html and "902 9111" not in html
    thandi.share_contact = True
    db.flush()
    html = client.get(f"/events/{event.slug}/agenda").get_data(as_text=True)
    assert "mailto:thandi@bell.example" in html and "tel:+27 35 902 9111" in html


def test_feeds_and_the_agenda_download_carry_no_contact_details(
    client, db, make_event, make_participant, make_user, auth
):
    event, anna, thandi = _published_pair(db, make_event, make_participant, make_user, share=True)
    feed = calendar.participant_feed(anna)
    db.flush()
    body = client.get(f"/feeds/{calendar.feed_token(feed)}.ics").get_data(as_text=True)
    assert "Thandi Nkosi" in body and "thandi@bell.example" not in body and "9111" not in body
    auth.login(anna.user)
    download = client.get(f"/events/{event.slug}/agenda.ics").get_data(as_text=True)
    assert "Thandi Nkosi" in download and "thandi@bell.example" not in download


def test_follow_ups_page_csv_and_vcards_honour_the_partners_choice(
    client,
    db,
    auth,
    past_event,  # noqa: F811
):
    past = past_event()
    thandi = past.people[1]
    thandi.share_contact, thandi.phone = False, "+27 35 902 9111"
    db.flush()
    _answer_anna(client, auth, past)
    slug = past.event.slug
    assert thandi.email not in client.get(f"/events/{slug}/follow-ups").get_data(as_text=True)
    csv = client.get(f"/events/{slug}/follow-ups.csv").get_data(as_text=True)
    assert "Thandi Nkosi" in csv and thandi.email not in csv and "9111" not in csv
    cards = list(
        vobject.readComponents(client.get(f"/events/{slug}/follow-ups.vcf").get_data(as_text=True))
    )
    thandi_card = next(c for c in cards if c.fn.value == "Thandi Nkosi")
    assert "email" not in thandi_card.contents and "tel" not in thandi_card.contents
    thandi.share_contact = True
    db.flush()
    cards = list(
        vobject.readComponents(client.get(f"/events/{slug}/follow-ups.vcf").get_data(as_text=True))
    )
    thandi_card = next(c for c in cards if c.fn.value == "Thandi Nkosi")
    assert thandi_card.email.value == thandi.email and thandi_card.tel.value == "+27 35 902 9111"
    csv = client.get(f"/events/{slug}/follow-ups.csv").get_data(as_text=True)
    assert thandi.email in csv


def test_the_directory_organisation_pages_and_suggestions_list_only_who_chose_to_be(
    client, db, make_event, make_participant, auth
):
    event = make_event()
    me = make_participant(event, organisation=Organisation(name="Hydroline Oy", country="FI"))
    hidden = make_participant(
        event, organisation=Organisation(name="Quiet Cylinders Oy", country="FI"), listed=False
    )
    shown = make_participant(event, organisation=Organisation(name="Open Seals Oy", country="FI"))
    auth.login(me.user)
    html = client.get(f"/events/{event.slug}/directory").get_data(as_text=True)
    assert "Open Seals Oy" in html and "Quiet Cylinders Oy" not in html
    html = client.get(f"/events/{event.slug}/directory?q=quiet").get_data(as_text=True)
    assert "Quiet Cylinders Oy" not in html
    org_page = f"/events/{event.slug}/organisations/{hidden.organisation_id}"
    assert client.get(org_page).status_code == 404
    assert (
        client.get(f"/events/{event.slug}/organisations/{shown.organisation_id}").status_code == 200
    )


def test_a_participant_changes_their_mind_later(
    client, db, make_event, make_participant, make_user, auth
):
    event, anna, thandi = _published_pair(db, make_event, make_participant, make_user, share=True)
    auth.login(thandi.user)
    page = client.get("/account/data").get_data(as_text=True)
    assert f'id="choices-{thandi.id}"' in page
    client.post(f"/account/choices/{thandi.id}", data={"listed": "no", "share_contact": "no"})
    db.expire_all()
    assert (thandi.listed, thandi.share_contact) == (False, False)
    assert thandi.consent_version == CONSENT_VERSION and thandi.consent_at is not None
    auth.logout()
    auth.login(anna.user)
    assert "thandi@bell.example" not in client.get(f"/events/{event.slug}/agenda").get_data(
        as_text=True
    )
    # Nobody changes someone else's choices.
    assert client.post(f"/account/choices/{thandi.id}", data={"listed": "yes"}).status_code == 404
