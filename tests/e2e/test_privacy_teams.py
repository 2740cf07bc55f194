"""Issue 24 in the browser: consent at registration, download my data, delete my account
(the partner's agenda then says "Former participant"), a co-organiser invited with the
desk role (checks people in, 404 elsewhere), and turning on two-factor log-in."""

from __future__ import annotations

import itertools
import json
import re
import time
from datetime import date
from pathlib import Path

import pyotp
import pytest
from playwright.sync_api import Page, expect

from matchmaker.privacy.consent import LISTED_QUESTION, SHARE_QUESTION
from tests.e2e.seeding import seed_open_event, seed_user
from tests.e2e.test_invitation_journey import _wait_for_mail, smtp  # noqa: F401

PASSWORD = "privacy-journey-1"
_n = itertools.count(1)


def _user(session, name: str, email: str, role: str = "participant"):
    return seed_user(session, name, email, PASSWORD, role)


@pytest.fixture
def scene(live_server):
    """An open event with a published meeting between Anna and Thandi."""
    from matchmaker.events import services as events
    from matchmaker.meetings.services import create_meeting, place_meeting
    from matchmaker.participants.models import Organisation, Participant
    from matchmaker.planning.services import publish

    n = next(_n)
    with live_server.seeding() as session:
        owner = _user(session, "Kadri Tamm", f"kadri{n}@privacy.example", "organiser")
        event = seed_open_event(
            owner,
            name=f"Baltic privacy day {n}",
            slug=f"baltic-privacy-{n}",
            timezone="Europe/Tallinn",
            day=date(2027, 5, 4),
            tables=2,
            requires_approval=False,
        )
        event.late_registration = True  # registration stays open once published
        people = {}
        for key, name, org in (
            ("anna", "Anna Virtanen", "Hydroline Oy"),
            ("thandi", "Thandi Nkosi", "Bell Equipment"),
        ):
            user = _user(session, name, f"{key}{n}@privacy.example")
            people[key] = Participant(
                event=event,
                user=user,
                organisation=Organisation(name=f"{org} {n}", country="FI"),
                status="approved",
                name=name,
                email=user.email,
            )
            session.add(people[key])
        session.flush()
        meeting = create_meeting(event, [people["anna"], people["thandi"]])
        slot = events.event_slots(event)[0]
        place_meeting(meeting, slot.starts_at, slot.ends_at, event.tables[0].id)
        publish(event, owner)
        volunteer = _user(session, "Liis Kask", f"liis{n}@privacy.example")
        newcomer = _user(session, "Jukka Laine", f"jukka{n}@privacy.example")
        return {
            "n": n,
            "slug": event.slug,
            "owner": owner.email,
            "anna": people["anna"].user.email,
            "anna_id": people["anna"].id,
            "thandi": people["thandi"].user.email,
            "volunteer": volunteer.email,
            "newcomer": newcomer.email,
        }


def _login(page: Page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def _participant(live_server, participant_id=None, **where):
    from matchmaker.participants.models import Participant

    with live_server.seeding() as session:
        p = (
            session.get(Participant, participant_id)
            if participant_id
            else session.query(Participant).filter_by(**where).one()
        )
        return {
            "name": p.name,
            "email": p.email,
            "listed": p.listed,
            "share_contact": p.share_contact,
            "phone": p.phone,
            "consent_version": p.consent_version,
            "consent_at": p.consent_at,
        }


def test_consent_at_registration(page: Page, live_server, scene) -> None:
    _login(page, scene["newcomer"])
    page.goto(f"/events/{scene['slug']}/register")
    expect(page.get_by_role("group", name="What others see")).to_contain_text(
        "only to the people you have a meeting with"
    )
    page.get_by_label("Organisation name").fill(f"Laine Research {scene['n']}")
    page.get_by_label("Country").fill("FI")
    page.get_by_role("group", name=LISTED_QUESTION).get_by_label("No").check()
    page.get_by_role("group", name=SHARE_QUESTION).get_by_label("Yes").check()
    page.get_by_label("Phone (optional)").fill("+358 40 765 4321")
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_text("You are registered")).to_be_visible()
    stored = _participant(live_server, email=scene["newcomer"])
    assert (stored["listed"], stored["share_contact"], stored["phone"]) == (
        False,
        True,
        "+358 40 765 4321",
    )
    assert stored["consent_at"] is not None and stored["consent_version"]


def test_download_my_data(page: Page, scene) -> None:
    _login(page, scene["anna"])
    page.goto("/account")
    page.get_by_role("link", name="See and download my data").click()
    expect(page.get_by_role("heading", name="Your data", exact=True)).to_be_visible()
    expect(page.locator("#data-account")).to_contain_text(scene["anna"])
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as JSON").click()
    data = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert data["account"]["email"] == scene["anna"]
    assert data["participations"][0]["name"] == "Anna Virtanen"
    assert "password_hash" not in data["account"]


def test_delete_my_account_leaves_a_former_participant(page: Page, live_server, scene) -> None:
    _login(page, scene["anna"])
    page.goto("/account")
    page.get_by_role("link", name="Delete my account").click()
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_text("Your account is deleted")).to_be_visible()
    expect(page.get_by_role("link", name="Log in")).to_be_visible()
    assert _participant(live_server, scene["anna_id"])["name"] == "Former participant"

    _login(page, scene["thandi"])
    page.goto(f"/events/{scene['slug']}/agenda")
    expect(page.get_by_text("Former participant").first).to_be_visible()
    expect(page.get_by_text("Anna Virtanen")).to_have_count(0)


def test_a_desk_co_organiser_checks_in_and_gets_404_elsewhere(
    page: Page,
    scene,
    smtp,  # noqa: F811
) -> None:
    slug = scene["slug"]
    _login(page, scene["owner"])
    page.goto(f"/events/{slug}/manage")
    page.get_by_role("link", name="Team").click()
    page.get_by_label("E-mail").fill(scene["volunteer"])
    page.get_by_label("Desk: check-in and attendance on the event day").check()
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.locator("#team-invitations")).to_contain_text(scene["volunteer"])
    page.goto(f"/events/{slug}/audit")
    expect(page.locator("#audit-log")).to_contain_text("Invited someone to the team")
    page.get_by_role("button", name="Log out").click()

    mail = _wait_for_mail(smtp, scene["volunteer"])
    link = re.search(r"(/team/join/\S+)", mail.get_body(("plain",)).get_content())
    assert link
    _login(page, scene["volunteer"])
    page.goto(link.group(1))
    page.get_by_role("button", name=re.compile("Join the team")).click()
    expect(page).to_have_url(re.compile(f"/events/{slug}/desk"))
    page.get_by_role("button", name="Check in Thandi Nkosi").click()
    expect(page.get_by_role("button", name="Undo check-in of Thandi Nkosi")).to_be_visible()
    for elsewhere in ("manage", "organiser/participants", "schedule", "team", "audit"):
        response = page.request.get(f"/events/{slug}/{elsewhere}")
        assert response.status == 404, elsewhere


def test_turn_on_two_factor(page: Page, scene) -> None:
    _login(page, scene["owner"])
    page.goto("/account")
    page.get_by_role("link", name="Turn on two-factor log-in").click()
    expect(page.get_by_role("img", name="QR code holding the key")).to_be_visible()
    secret = page.locator("#totp-secret").inner_text()
    page.get_by_label("Code from the app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn two-factor log-in on").click()
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    page.get_by_role("button", name="Log out").click()

    page.goto("/login")
    page.get_by_label("E-mail").fill(scene["owner"])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Your code")).to_be_visible()
    # The next step's code: the one that turned it on is used up (a code is good once).
    page.get_by_label("Code").fill(pyotp.TOTP(secret).at(time.time() + 30))
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
