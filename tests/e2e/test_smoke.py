"""The app serves its home page to a real browser."""

import re

from playwright.sync_api import Page, expect


def test_home_page_opens(page: Page) -> None:
    response = page.goto("/")
    assert response is not None and response.ok
    expect(page).to_have_title(re.compile("Matchmaker"))
