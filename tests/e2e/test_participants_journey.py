"""Issue 3's journey: register, describe an offer, find each other, agree on meetings."""

from __future__ import annotations

import itertools
import re
from datetime import date, time

import pytest
from playwright.sync_api import Page, expect

PASSWORD = "journey-password-1"
_n = itertools.count(1)


@pytest.fixture
def mission(live_server):
    """An open event (no approval) with Bell's buyer registered, and two fresh users."""
    from matchmaker.accounts.models import User
    from matchmaker.events import services as events
    from matchmaker.extensions import db
    from matchmaker.participants.models import Opportunity, Organisation, Participant
    from matchmaker.participants.tags import pack_tags

    n = next(_n)
    with live_server.app.app_context():
        users = {}
        for key, name, role in (
            ("organiser", "Kadri Tamm", "organiser"),
            ("buyer", "Thandi Nkosi", "participant"),
            ("supplier", "Anna Virtanen", "participant"),
            ("third", "Marten Kask", "participant"),
        ):
            user = User(name=name, email=f"{key}{n}@journey.example", role=role)
            user.set_password(PASSWORD)
            db.session.add(user)
            users[key] = user
        db.session.flush()
        event = events.create_event(
            users["organiser"],
            name=f"Bell mission {n}",
            slug=f"bell-mission-{n}",
            timezone="Africa/Johannesburg",
            requires_approval=False,
            max_meetings_per_participant=1,
        )
        events.add_session(
            event,
            day=date(2027, 3, 9),
            start_time=time(9),
            end_time=time(12),
            slot_minutes=20,
            pause_minutes=5,
        )
        events.add_tables(event, 4)
        events.set_status(event, "open")
        bell = Organisation(name=f"Bell Equipment {n}", country="ZA", kind="large")
        for key in ("buyer", "third"):
            org = bell if key == "buyer" else Organisation(name=f"Hüdrosilinder {n}", country="EE")
            participant = Participant(
                event=event,
                user=users[key],
                organisation=org,
                status="approved",
                name=users[key].name,
                email=users[key].email,
            )
            participant.opportunities.append(
                Opportunity(
                    kind="request",
                    title="Hydraulic cylinders for dump trucks",
                    tags=pack_tags(["hydraulic cylinders"]),
                )
            )
            db.session.add(participant)
        db.session.commit()
        return {"slug": event.slug, "n": n, **{k: u.email for k, u in users.items()}}


def login(page: Page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def logout(page: Page) -> None:
    page.get_by_role("button", name="Log out").click()


def test_register_offer_search_request_accept(page: Page, mission) -> None:
    slug, n = mission["slug"], mission["n"]
    login(page, mission["supplier"])
    page.goto(f"/events/{slug}")
    page.get_by_role("link", name="Register for this event").click()
    # Bad input first: the message sits at the field.
    page.get_by_label("Organisation name").fill(f"HydroCyl {n} Oy")
    page.get_by_label("Country").fill("F1")
    page.get_by_role("button", name="Register").click()
    expect(page.locator("#country-error")).to_contain_text("two-letter")
    page.get_by_label("Country").fill("FI")
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_text("You are registered")).to_be_visible()

    # Profile and an offer, saved in place (htmx).
    page.get_by_label("Short bio").fill("Thirty years of cylinders for Nordic OEMs.")
    page.get_by_role("button", name="Save profile").click()
    expect(page.locator("#profile-saved")).to_be_visible()
    form = page.locator("#opportunity-form")
    form.get_by_label("Kind").select_option("offer")
    form.get_by_label("Title").fill("Custom hydraulic cylinders up to 400 mm bore")
    form.get_by_label("Sectors / technologies").fill("hydraulic cylinders, hydraulics")
    form.get_by_role("button", name="Add").click()
    expect(page.locator("#opportunities li")).to_have_count(1)
    expect(page.locator("#opportunities")).to_contain_text("Custom hydraulic cylinders")

    # Search as you type: the results follow the keyboard, and the URL too.
    page.get_by_role("link", name="Directory").first.click()
    # A person types once the page has loaded (htmx sets the field up at DOMContentLoaded;
    # typing before that sends nothing - seen once on a busy machine).
    page.wait_for_load_state("load")
    page.get_by_label("Search").fill("Bell Equip")
    expect(page.locator("#directory-count")).to_contain_text("1 organisation matching")
    expect(page).to_have_url(re.compile(r"directory\?q=Bell(\+|%20)Equip$"))
    page.locator("#directory-results").get_by_role("link", name="Thandi Nkosi").click()

    page.get_by_label("Message (optional)").fill("Our cylinders fit your B45E.")
    page.get_by_role("button", name="Request a meeting").click()
    expect(page.locator("#request-state")).to_contain_text("Request sent")
    logout(page)

    login(page, mission["buyer"])
    page.goto(f"/events/{slug}/meetings")
    expect(page.locator("#nav-meeting-badge .badge")).to_have_text("1")
    page.locator("#tab-incoming").click()
    request = page.locator(".request").filter(has_text=f"HydroCyl {n} Oy")
    expect(request).to_contain_text("Our cylinders fit your B45E.")
    request.get_by_role("button", name="Accept").click()
    expect(request.locator(".status")).to_have_text("accepted")
    page.locator("#tab-accepted").click()
    expect(page.locator(".request")).to_contain_text(f"HydroCyl {n} Oy")
    logout(page)

    login(page, mission["supplier"])
    page.goto(f"/events/{slug}/meetings?show=accepted")
    expect(page.locator(".request")).to_contain_text(f"Bell Equipment {n}")
    # Over the limit (1 meeting each): a second request is refused with the reason.
    page.goto(f"/events/{slug}/directory?q=Hüdrosilinder")
    page.locator("#directory-results .representatives a").first.click()
    page.get_by_role("button", name="Request a meeting").click()
    expect(page.locator("#request-error")).to_contain_text("limit of 1 meetings")


def test_declined_and_withdrawn_requests(page: Page, mission) -> None:
    slug, n = mission["slug"], mission["n"]
    login(page, mission["third"])
    page.goto(f"/events/{slug}/directory?q=Bell")
    page.locator("#directory-results").get_by_role("link", name="Thandi Nkosi").click()
    page.get_by_role("button", name="Request a meeting").click()
    expect(page.locator("#request-state")).to_contain_text("Request sent")
    page.goto(f"/events/{slug}/meetings?show=outgoing")
    request = page.locator(".request").first
    request.get_by_role("button", name="Withdraw").click()
    expect(request.locator(".status")).to_have_text("withdrawn")
    # Withdrawn frees the pair: ask again, and this time Bell declines.
    page.goto(f"/events/{slug}/directory?q=Bell")
    page.locator("#directory-results").get_by_role("link", name="Thandi Nkosi").click()
    page.get_by_role("button", name="Request a meeting").click()
    expect(page.locator("#request-state")).to_contain_text("Request sent")
    logout(page)

    login(page, mission["buyer"])
    page.goto(f"/events/{slug}/meetings?show=incoming")
    request = page.locator(".request").filter(has_text=f"Hüdrosilinder {n}")
    request.get_by_text("Decline…").click()
    request.get_by_label("Reason (optional, up to 1000 characters)").fill("Covered until 2028.")
    request.get_by_role("button", name="Decline").click()
    expect(request.locator(".status")).to_have_text("declined")
    logout(page)

    login(page, mission["third"])
    page.goto(f"/events/{slug}/meetings?show=declined")
    expect(page.locator(".request")).to_contain_text("Covered until 2028.")


def test_the_other_side_sees_changes_without_reloading(
    page: Page, browser, live_server, mission
) -> None:
    """Bell's buyer keeps "my meetings" open; a request and its withdrawal appear by themselves."""
    slug, n = mission["slug"], mission["n"]
    login(page, mission["buyer"])
    page.goto(f"/events/{slug}/meetings?show=incoming")
    expect(page.locator("#no-requests")).to_be_visible()

    other = browser.new_context(base_url=live_server.url, locale="en-GB")
    try:
        asker = other.new_page()
        login(asker, mission["third"])
        asker.goto(f"/events/{slug}/directory?q=Bell")
        asker.locator("#directory-results").get_by_role("link", name="Thandi Nkosi").click()
        asker.get_by_label("Message (optional)").fill("Seals for your cylinders?")
        asker.get_by_role("button", name="Request a meeting").click()
        expect(asker.locator("#request-state")).to_contain_text("Request sent")

        # No reload on the buyer's side: the tabs poll, the list follows.
        request = page.locator(".request").filter(has_text=f"Hüdrosilinder {n}")
        expect(request).to_contain_text("Seals for your cylinders?", timeout=25_000)
        expect(page.locator("#tab-incoming .badge")).to_have_text("1")

        asker.goto(f"/events/{slug}/meetings?show=outgoing")
        asker.locator(".request").first.get_by_role("button", name="Withdraw").click()
        expect(asker.locator(".request .status").first).to_have_text("withdrawn")
        expect(page.locator("#no-requests")).to_be_visible(timeout=25_000)
    finally:
        other.close()


def test_organiser_registers_a_company_and_books_for_it(page: Page, mission) -> None:
    """A company that never logs in: the organiser adds it, books a meeting for it, and
    the other side sees the meeting; the participant list downloads as CSV."""
    slug, n = mission["slug"], mission["n"]
    login(page, mission["organiser"])
    page.goto(f"/events/{slug}/organiser/participants")
    form = page.locator("#add-participant-form")
    form.get_by_label("Organisation").fill(f"Rehv ja Velg {n} OÜ")
    form.get_by_label("Country").fill("Estland")
    form.get_by_label("Person").fill("Tõnu Org")
    form.get_by_role("button", name="Add participant").click()
    expect(page.locator("#country-error")).to_contain_text("not a country we know")
    # Names are found as people type them (the list offers "Estonia").
    page.locator("#add-participant-form").get_by_label("Country").fill("Estonia")
    page.locator("#add-participant-form").get_by_role("button", name="Add participant").click()
    expect(page.get_by_text(f"Tõnu Org (Rehv ja Velg {n} OÜ) is registered.")).to_be_visible()

    row = page.locator("#organiser-participants tr").filter(has_text=f"Rehv ja Velg {n} OÜ")
    expect(row.locator(".invitation")).to_contain_text("No e-mail")  # never an account hint
    expect(row.locator(".status")).to_have_text("approved")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    assert f"Rehv ja Velg {n} OÜ" in download.value.path().read_text(encoding="utf-8-sig")

    row.get_by_role("link", name="Meetings").click()
    page.get_by_label("Meet with").select_option(label=f"Thandi Nkosi (Bell Equipment {n})")
    page.get_by_role("button", name="Create the meeting").click()
    expect(page.locator("table.data")).to_contain_text(f"Bell Equipment {n}")
    expect(page.locator("table.data .status").first).to_have_text("accepted")
    logout(page)

    login(page, mission["buyer"])
    page.goto(f"/events/{slug}/meetings?show=accepted")
    expect(page.locator(".request")).to_contain_text(f"Rehv ja Velg {n} OÜ")
