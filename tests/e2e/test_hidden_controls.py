"""A control the page marks `hidden` stays out of sight until its script shows it: the
check-in desk's "Stop" (the camera scan) showed beside "Scan with the camera" before any
scan, because the stylesheet's `button { display: inline-block }` beat `[hidden]`."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.test_event_day import _login, _seed


def test_the_scan_stop_button_shows_only_while_scanning(page: Page, live_server) -> None:
    slug = _seed(live_server)["slug"]
    page.set_viewport_size({"width": 390, "height": 844})
    _login(page, "desk@eventday.example")
    page.goto(f"/events/{slug}/desk")
    expect(page.locator("#scan-start")).to_be_visible()
    expect(page.locator("#scan-stop")).to_be_hidden()
    expect(page.locator("#scan-video")).to_be_hidden()
