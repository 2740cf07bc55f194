"""Issue 19 in the browser, as Thandi Nkosi (Bell Equipment, procurement) on the demo:
"cylinder" lists cylinder suppliers first, never Bell Equipment, each organisation once,
and a meeting request goes from a card in place."""

from __future__ import annotations

import os
import re
from pathlib import Path

from playwright.sync_api import Page, expect

SLUG = "bell-equipment-mission"
THANDI = "thandi.nkosi@bell-equipment.example"
PASSWORD = "matchmaker-demo"
SHOTS = Path(os.environ.get("SHOTS_DIR", "test-results/shots"))


def _login(page: Page) -> None:
    page.goto("/login")
    page.get_by_label("E-mail").fill(THANDI)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def test_thandi_finds_cylinder_suppliers_and_asks_one_from_the_card(page: Page, live_server):
    from matchmaker.demo.loader import load_demo
    from matchmaker.extensions import db

    with live_server.app.app_context():
        load_demo()  # nothing when another test loaded it already
        db.session.commit()
    _login(page)
    page.goto(f"/events/{SLUG}/directory")
    page.get_by_role("searchbox", name="Search").fill("cylinder")
    expect(page).to_have_url(re.compile(r"directory\?q=cylinder$"))
    cards = page.locator("#directory-results .org-card")
    expect(cards.first).to_be_visible()
    ids = cards.evaluate_all("cards => cards.map(c => c.id)")
    assert ids and len(ids) == len(set(ids))  # each organisation once
    names = [n.strip() for n in page.locator("#directory-results .org-card h3").all_inner_texts()]
    assert "Bell Equipment" not in names
    # Cylinder suppliers first: the first card offers cylinders in a title or a tag.
    first_offer = cards.first.locator(".opportunity").filter(has=page.locator(".kind-offer"))
    expect(first_offer.filter(has_text=re.compile("cylind", re.I)).first).to_be_visible()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "directory-cylinder-thandi.png"), full_page=True)

    # Request from a card not asked yet: the message field opens in place.
    card = cards.filter(has=page.get_by_role("link", name="Request a meeting")).first
    card_id = card.get_attribute("id")
    card.get_by_role("link", name="Request a meeting").click()
    card = page.locator(f"#{card_id}")
    card.get_by_label("Message (optional)").fill("Your cylinders for our B45E?")
    expect(card.get_by_label("With")).to_contain_text("Anyone from")
    card.get_by_role("button", name="Send request").click()
    expect(card.locator(".request-state")).to_contain_text("Requested")
    expect(page).to_have_url(re.compile(r"directory\?q=cylinder$"))  # never left the page
    page.screenshot(path=str(SHOTS / "directory-requested-thandi.png"), full_page=True)

    page.get_by_role("link", name="Suggested for you").click()
    expect(page.locator("#suggestions .reasons mark").first).to_be_visible()
    assert f'id="{card_id}"' not in page.content()  # asked: no longer suggested
    page.screenshot(path=str(SHOTS / "suggestions-thandi.png"), full_page=True)

    # Her organisation's page, edited in place: a country by its name, a bare website.
    page.get_by_role("link", name="My organisation").click()
    page.get_by_role("link", name="Edit the organisation").click()
    form = page.locator("#organisation-details form")
    form.get_by_label("What the organisation does").fill("Articulated dump trucks, since 1954.")
    form.get_by_label("Country").fill("South Africa")
    form.get_by_label("Website").fill("bell.co.za")
    form.get_by_role("button", name="Save").click()
    details = page.locator("#organisation-details")
    expect(details).to_contain_text("Saved.")
    expect(details.get_by_role("link", name="https://bell.co.za")).to_be_visible()
    expect(details).to_contain_text("South Africa")
    page.screenshot(path=str(SHOTS / "organisation-bell.png"), full_page=True)
