"""Issue 21: a participant answers the survey on a phone, the organiser sees it in the
report, downloads the XLSX (read back with openpyxl: the figures match the page) and
prints the report to PDF."""

from __future__ import annotations

import io
import itertools
import os
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from openpyxl import load_workbook
from playwright.sync_api import Page, expect

PASSWORD = "outcomes-password"
_n = itertools.count(1)


def login(page: Page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def _same(cell, text: str) -> bool:
    if isinstance(cell, int | float):
        return float(text) == float(cell)
    return str(cell) == text


def _seed(session, n: int) -> dict:
    from matchmaker.accounts.models import User
    from matchmaker.events import services as events
    from matchmaker.meetings.services import create_meeting, place_meeting
    from matchmaker.participants.models import Organisation, Participant
    from matchmaker.planning.services import publish

    def user(key, role="participant", name=""):
        u = User(name=name or key.title(), email=f"{key}{n}@outcomes.example", role=role)
        u.set_password(PASSWORD)
        u.email_confirmed_at = datetime.now(ZoneInfo("UTC"))
        session.add(u)
        session.flush()
        return u

    organiser = user("organiser", "organiser", "Olga Organiser")
    event = events.create_event(
        organiser,
        name=f"Bell Equipment visit {n}",
        slug=f"bell-visit-{n}",
        timezone="Africa/Johannesburg",
    )
    day = datetime.now(ZoneInfo(event.timezone)).date() - timedelta(days=2)
    events.add_session(event, day=day, start_time=time(9), end_time=time(11), slot_minutes=20)
    events.add_tables(event, 2)
    events.set_status(event, "open")
    people = []
    for key, name, org, country in (
        ("anna", "Anna Virtanen", "Hydroline Oy", "FI"),
        ("thandi", "Thandi Nkosi", "Bell Equipment", "ZA"),
        ("kadri", "Kadri Tamm", "Tartu Robotics", "EE"),
        ("jukka", "Jukka Laine", "Laine Research", "FI"),
    ):
        u = user(key, name=name)
        p = Participant(
            event=event,
            user=u,
            status="approved",
            name=name,
            email=u.email,
            organisation=Organisation(name=org, country=country, kind="sme"),
        )
        session.add(p)
        people.append(p)
    session.flush()
    slots = events.event_slots(event)
    pairs = [(0, 1, 0, 0), (2, 3, 0, 1), (0, 2, 1, 0)]
    meetings = []
    for a, b, slot, table in pairs:
        m = create_meeting(event, [people[a], people[b]])
        place_meeting(m, slots[slot].starts_at, slots[slot].ends_at, event.tables[table].id)
        meetings.append(m)
    publish(event, organiser)
    event.status = "finished"
    session.flush()
    return {
        "slug": event.slug,
        "organiser": organiser.email,
        "anna": people[0].user.email,
        "m1": meetings[0].id,
    }


def test_survey_on_a_phone_then_report_xlsx_and_pdf(page: Page, live_server, tmp_path):
    with live_server.seeding() as session:
        seed = _seed(session, next(_n))
    slug = seed["slug"]
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, seed["anna"])
    page.goto(f"/events/{slug}/survey")
    meeting = page.locator(f"#meeting-{seed['m1']}")
    expect(meeting).to_contain_text("Thandi Nkosi (Bell Equipment)")
    # Nothing sticks out of a phone's screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    meeting.get_by_label("Yes").check()
    meeting.get_by_label("4").check()
    meeting.get_by_label("Expected result").select_option("Quotation")
    meeting.get_by_label("Follow up on").fill("2027-02-01")
    meeting.get_by_label("Private note").fill("Send the catalogue")
    page.locator("fieldset", has_text="How satisfied").get_by_label("5").check()
    if os.environ.get("OUTCOME_SHOTS"):
        page.screenshot(path=f"{os.environ['OUTCOME_SHOTS']}/survey-390px.png", full_page=True)
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_text("Thank you: 1 meeting(s) answered")).to_be_visible()
    expect(meeting.get_by_label("Yes")).to_be_checked()
    page.get_by_role("link", name="Your contacts and follow-ups").click()
    expect(page.locator("table.data")).to_contain_text("Send the catalogue")
    page.get_by_role("button", name="Log out").click()

    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, seed["organiser"])
    page.goto(f"/events/{slug}/report")
    summary = page.locator("#summary")
    expect(summary).to_contain_text("Meetings held")
    shown = dict(
        zip(
            summary.locator("dt").all_inner_texts(),
            summary.locator("dd").all_inner_texts(),
            strict=True,
        )
    )
    assert shown["Meetings held"] == "1" and shown["Participants who answered"] == "1"
    assert shown["Response rate"] == "25%" and shown["Satisfaction, mean (1-5)"] == "5.0"
    expect(page.locator("svg.hbar").first).to_be_visible()

    with page.expect_download() as download:
        page.locator("#download-xlsx").click()
    path = tmp_path / "report.xlsx"
    download.value.save_as(path)
    book = load_workbook(io.BytesIO(path.read_bytes()), read_only=True)
    sheet = {row[0]: row[1] for row in book["Summary"].iter_rows(min_row=2, values_only=True)}
    assert sheet.keys() == shown.keys()
    for key, value in sheet.items():  # numbers as numbers (a mean of 4.0 reads back as 4)
        assert _same(value, shown[key]), (key, value, shown[key])
    raw = list(book["Meetings and outcomes"].iter_rows(values_only=True))
    assert len(raw) == 4 and "Quotation" in raw[1] and "Send the catalogue" not in raw[1]

    page.get_by_role("link", name="Meetings with both sides' answers").click()
    expect(page.locator("#meetings")).to_contain_text("Quotation")
    expect(page.locator("#meetings")).not_to_contain_text("Send the catalogue")
    page.go_back()

    shots = Path(os.environ.get("OUTCOME_SHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / "report-page.png"), full_page=True)
    page.emulate_media(media="print")
    pdf = page.pdf(path=str(shots / "report.pdf"), format="A4", print_background=False)
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") >= 1
    page.emulate_media(media="screen")
