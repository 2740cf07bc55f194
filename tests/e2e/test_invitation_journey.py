"""Issue 16, section 2: the organiser adds Mart Kivi with his e-mail; the worker mails him
an invitation; Mart follows the link, sets a password and has his event's pages."""

from __future__ import annotations

import itertools
import re
import time as clock
from datetime import date

import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import Page, expect

from tests.accounts.test_mail import Inbox
from tests.conftest import free_port
from tests.e2e.seeding import seed_open_event, seed_user

PASSWORD = "journey-password-1"
_n = itertools.count(1)


@pytest.fixture
def smtp(live_server):
    """A real SMTP server on loopback that the live app's worker sends to."""
    from matchmaker.extensions import huey

    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    apps = {id(a): a for a in (live_server.app, huey.flask_app)}.values()
    keys = ("MAIL_SERVER", "MAIL_PORT", "MAIL_USE_TLS")
    saved = [(a, {k: a.config.get(k) for k in keys}) for a in apps]
    for a in apps:
        a.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False)
    try:
        yield inbox
    finally:
        for a, values in saved:
            a.config.update(values)
        controller.stop()


def _wait_for_mail(inbox: Inbox, address: str, timeout: float = 15.0):
    deadline = clock.monotonic() + timeout
    while clock.monotonic() < deadline:
        if inbox.to(address):
            return inbox.to(address)[-1]
        clock.sleep(0.1)
    pytest.fail(f"no mail to {address} within {timeout} s")


@pytest.fixture
def mission(live_server):
    n = next(_n)
    with live_server.seeding() as session:
        organiser = seed_user(
            session, "Kadri Tamm", f"kadri{n}@invite.example", PASSWORD, "organiser"
        )
        event = seed_open_event(
            organiser,
            name=f"Tallinn machinery day {n}",
            slug=f"tallinn-machinery-{n}",
            timezone="Europe/Tallinn",
            day=date(2027, 5, 4),
            tables=4,
            requires_approval=True,
        )
        return {"slug": event.slug, "organiser": organiser.email, "n": n}


def _login(page: Page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def test_mart_kivi_is_invited_and_takes_his_place(page: Page, mission, smtp) -> None:
    slug, n = mission["slug"], mission["n"]
    mart_email = f"mart.kivi{n}@kivi.example"
    _login(page, mission["organiser"])
    page.goto(f"/events/{slug}/organiser/participants")
    form = page.locator("#add-participant-form")
    form.get_by_label("Organisation").fill("Kivi Hydraulics OÜ")
    form.get_by_label("Country").fill("EE")
    form.get_by_label("Person").fill("Mart Kivi")
    form.get_by_label("E-mail").fill(mart_email)
    form.get_by_role("button", name="Add participant").click()
    expect(
        page.get_by_text(re.compile("Mart Kivi.* is registered and invited by e-mail"))
    ).to_be_visible()
    row = page.locator("#organiser-participants tr").filter(has_text="Kivi Hydraulics OÜ")
    expect(row.locator(".invitation")).to_contain_text("Invited")
    expect(row.get_by_role("button", name="Re-send invitation to Mart Kivi")).to_be_visible()
    page.get_by_role("button", name="Log out").click()

    mail = _wait_for_mail(smtp, mart_email)  # sent by the worker, not by the request
    link = re.search(r"(/invitations/\S+)", mail.get_body(("plain",)).get_content())
    assert link, mail.get_body(("plain",)).get_content()
    page.goto(link.group(1))
    expect(
        page.get_by_role("heading", name=f"Your place at Tallinn machinery day {n}")
    ).to_be_visible()
    expect(page.get_by_label("Your name")).to_have_value("Mart Kivi")
    page.get_by_label("Choose a password").fill("tallinn-harbour")
    page.get_by_label("Repeat the password").fill("tallinn-harbour")
    page.get_by_role("button", name="Create my account and take my place").click()
    expect(page.get_by_text("Your place at Tallinn machinery day")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    expect(page.locator("#confirm-banner")).to_have_count(0)  # the link proved the address

    page.get_by_role("link", name="My meetings").first.click()
    expect(page.get_by_role("heading", name="My meetings")).to_be_visible()
    page.get_by_role("link", name="My profile").first.click()
    expect(page.get_by_label("Short bio")).to_be_visible()
    page.goto(f"/events/{slug}/agenda")
    expect(page.get_by_role("heading", name=re.compile("My agenda"))).to_be_visible()
    page.get_by_role("button", name="Log out").click()

    _login(page, mission["organiser"])
    page.goto(f"/events/{slug}/organiser/participants")
    row = page.locator("#organiser-participants tr").filter(has_text="Kivi Hydraulics OÜ")
    expect(row.locator(".invitation")).to_contain_text("Claimed")
    expect(row.get_by_role("button", name=re.compile("invitation"))).to_have_count(0)


def test_a_large_import_runs_in_the_worker_and_the_page_follows_it(page: Page, mission) -> None:
    """Issue 17, finding 5: the request only queues a large file; the page polls."""
    from matchmaker.participants.import_jobs import LARGE_IMPORT_ROWS

    slug, n = mission["slug"], mission["n"]
    total = LARGE_IMPORT_ROWS + 40
    lines = "".join(
        f"Bulk {n} Company {i},FI,Person {i},bulk{n}.{i}@bulk.example\n" for i in range(total)
    )
    _login(page, mission["organiser"])
    page.goto(f"/events/{slug}/organiser/participants")
    page.locator("#import-form").get_by_label("CSV file").set_input_files(
        files=[
            {
                "name": "people.csv",
                "mimeType": "text/csv",
                "buffer": ("organisation,country,name,email\n" + lines).encode(),
            }
        ]
    )
    page.locator("#import-form").get_by_role("button", name="Import").click()
    expect(page.locator("#import-progress")).to_be_visible()
    # The worker finishes; the page reloads by itself and lists everyone.
    expect(page.locator("#import-progress")).to_contain_text(
        f"{total} participants imported", timeout=60_000
    )
    expect(
        page.locator("#organiser-participants tr").filter(has_text=f"Bulk {n} Company")
    ).to_have_count(total)
