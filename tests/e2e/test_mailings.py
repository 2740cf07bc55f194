"""Issue 22 in a browser: the organiser writes to "profile incomplete", previews, sends and
watches the mailing finish (the real worker, a real SMTP server); a participant reads it
and turns reminders off from its link; a thread on a request, both sides and the organiser."""

from __future__ import annotations

import itertools
import re
from datetime import date
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.seeding import seed_open_event, seed_user
from tests.e2e.test_invitation_journey import _wait_for_mail, smtp  # noqa: F401 (fixture)

PASSWORD = "mailing-password-1"
SHOTS = Path("/work/notes/shots")
_n = itertools.count(1)


def _seed(live_server) -> dict:
    from matchmaker.meetings.models import MeetingRequest
    from matchmaker.participants.models import Opportunity, Organisation, Participant

    n = next(_n)
    with live_server.seeding() as session:

        def user(name, email, role="participant"):
            return seed_user(session, name, email, PASSWORD, role)

        organiser = user("Kadri Tamm", f"kadri{n}@mail.example", "organiser")
        event = seed_open_event(
            organiser,
            name=f"Richards Bay mission {n}",
            slug=f"rb-mission-{n}",
            timezone="Africa/Johannesburg",
            day=date(2027, 3, 9),
            tables=4,
            requires_approval=True,
        )
        people = {}
        for key, name, org, complete in (
            ("anna", "Anna Virtanen", "HydroCyl Oy", False),
            ("mart", "Mart Kivi", "Kivi Hydraulics OÜ", False),
            ("thandi", "Thandi Nkosi", "Bell Equipment", True),
        ):
            u = user(name, f"{key}{n}@mail.example")
            p = Participant(
                event=event,
                user=u,
                status="approved",
                name=name,
                email=u.email,
                organisation=Organisation(
                    name=f"{org} {n}",
                    country="FI",
                    description="Cranes and loaders." if complete else "",
                ),
            )
            session.add(p)
            session.flush()
            if complete:
                session.add(Opportunity(participant=p, kind="request", title="Cylinders"))
            people[key] = p
        low, high = sorted((people["anna"].id, people["thandi"].id))
        session.add(
            MeetingRequest(
                event_id=event.id,
                requester_id=people["anna"].id,
                recipient_id=people["thandi"].id,
                pair_low=low,
                pair_high=high,
                status="pending",
                message="Cylinders for your 5-ton loader?",
            )
        )
        return {
            "slug": event.slug,
            "organiser": organiser.email,
            **{k: p.email for k, p in people.items()},
            "names": {k: p.name for k, p in people.items()},
        }


def _login(page: Page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def _logout(page: Page) -> None:
    page.get_by_role("button", name="Log out").click()


def test_a_mailing_to_profile_incomplete_then_unsubscribe_then_a_thread(
    page: Page,
    live_server,
    smtp,  # noqa: F811
) -> None:
    m = _seed(live_server)
    slug = m["slug"]
    _login(page, m["organiser"])
    page.goto(f"/events/{slug}/manage")
    page.get_by_role("link", name="Mailings").click()
    expect(page.get_by_role("heading", name="Mailings")).to_be_visible()

    page.get_by_label("Who gets it").select_option("profile_incomplete")
    expect(page.locator("#audience-count")).to_have_text("2 recipients")
    page.get_by_label("Subject").fill("{name}, please complete your profile")
    page.get_by_label("Message").fill(
        "Dear {name},\n\nBuyers pick from the directory: please add **an offer** "
        "before Friday.\n\nYour agenda: {agenda_link}"
    )
    page.get_by_role("button", name="Preview").click()
    preview = page.locator("#mailing-preview-result")
    expect(preview).to_contain_text("Preview for Anna Virtanen")
    expect(preview).to_contain_text("Anna Virtanen, please complete your profile")
    expect(preview.locator("strong", has_text="an offer")).to_be_visible()
    page.screenshot(path=str(SHOTS / "mailing-preview.png"), full_page=True)

    page.get_by_role("button", name="Send to 2").click()
    expect(page.locator("#mailing-progress")).to_contain_text("Finished", timeout=30_000)
    expect(page.locator("#mailing-counts")).to_contain_text("2 of 2 delivered")
    page.screenshot(path=str(SHOTS / "mailing-finished.png"), full_page=True)
    page.goto(f"/events/{slug}/outbox")
    expect(page.locator("#outbox")).to_contain_text(m["anna"])
    expect(page.locator("#outbox")).not_to_contain_text(m["thandi"])
    page.screenshot(path=str(SHOTS / "mail-outbox.png"), full_page=True)
    _logout(page)

    mail = _wait_for_mail(smtp, m["anna"])
    assert _wait_for_mail(smtp, m["mart"]) and not smtp.to(m["thandi"])
    text = mail.get_body(("plain",)).get_content()
    assert "Dear Anna Virtanen," in text and f"/events/{slug}/agenda" in text
    link = re.search(r"https?://[^/\s]+(/mail/unsubscribe/\S+)", text)
    assert link and mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    page.goto(link.group(1))  # no log-in needed: the link is signed
    expect(page.get_by_role("heading", name="Mail you receive")).to_be_visible()
    page.get_by_label(re.compile("^Reminders")).uncheck()
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#preferences-saved")).to_be_visible()
    expect(page.get_by_label(re.compile("^Reminders"))).not_to_be_checked()
    expect(page.get_by_label(re.compile("^Announcements"))).to_be_checked()
    page.screenshot(path=str(SHOTS / "mail-preferences.png"), full_page=True)

    # A thread on Anna's request: she writes, Thandi answers, the organiser joins in.
    _login(page, m["anna"])
    page.goto(f"/events/{slug}/meetings")
    page.get_by_role("link", name="Messages about this request").click()
    expect(page.get_by_text("Cylinders for your 5-ton loader?")).to_be_visible()
    page.get_by_label("Your message").fill("We could bring a sample cylinder.")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#thread")).to_contain_text("We could bring a sample cylinder.")
    thread_url = page.url
    _logout(page)

    _login(page, m["thandi"])
    page.goto(thread_url)
    expect(page.locator("#thread")).to_contain_text("We could bring a sample cylinder.")
    page.get_by_label("Your message").fill("Yes please, and the pressure ratings.")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#thread")).to_contain_text("pressure ratings")
    _logout(page)

    _login(page, m["organiser"])
    page.goto(thread_url)
    page.get_by_label("Your message").fill("Table 3 is free at 10:00 on Tuesday.")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#thread")).to_contain_text("Table 3 is free")
    _logout(page)

    _login(page, m["anna"])
    page.goto(thread_url)
    for words in ("sample cylinder", "pressure ratings", "Table 3 is free"):
        expect(page.locator("#thread")).to_contain_text(words)
    expect(page.locator("#thread")).to_contain_text("Kadri Tamm (organiser)")
    page.screenshot(path=str(SHOTS / "thread.png"), full_page=True)
