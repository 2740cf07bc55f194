"""A control the page marks `hidden` stays out of sight until its script shows it: the
check-in desk's "Stop" (the camera scan) showed beside "Scan with the camera" before any
scan, because the stylesheet's `button { display: inline-block }` beat `[hidden]`."""

from __future__ import annotations

from datetime import date

from playwright.sync_api import Page, expect

from tests.e2e.seeding import seed_open_event, seed_user
from tests.e2e.test_event_day import PASSWORD, _login


def test_the_scan_stop_button_shows_only_while_scanning(page: Page, live_server) -> None:
    # Its own organiser and event: the e2e tests share one database (the event day's
    # journey may have seeded its own desk organiser already).
    with live_server.seeding() as session:
        organiser = seed_user(
            session, "Scan Desk", "scan-desk@hidden.example", PASSWORD, role="organiser"
        )
        event = seed_open_event(
            organiser,
            name="Hidden controls",
            slug="hidden-controls",
            timezone="Europe/Tallinn",
            day=date.today(),
            tables=2,
        )
        slug = event.slug
    page.set_viewport_size({"width": 390, "height": 844})
    _login(page, "scan-desk@hidden.example")
    page.goto(f"/events/{slug}/desk")
    expect(page.locator("#scan-start")).to_be_visible()
    expect(page.locator("#scan-stop")).to_be_hidden()
    expect(page.locator("#scan-video")).to_be_hidden()
