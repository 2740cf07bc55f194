"""The event day in the browser: check in by search and by a scanned code, mark a meeting
held and one no-show, watch the live board move on, print the table signs."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import datetime, timedelta
from datetime import time as clock
from pathlib import Path
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, expect

PASSWORD = "a-long-event-day-password"
SHOTS = Path("/work/notes/shots")
ZONES = ("Europe/Tallinn", "America/New_York", "Asia/Tokyo", "Pacific/Honolulu")


def _zone() -> str:
    """A zone where it is between 02:00 and 21:00 now: the day's first session (00:00 to
    01:00) is over and its last one (23:00 to 23:40) has not begun."""
    return next(z for z in ZONES if 2 <= datetime.now(ZoneInfo(z)).hour < 21)


def _seed(live_server) -> dict:
    from matchmaker.accounts.models import User
    from matchmaker.dbtypes import utcnow
    from matchmaker.events import services as events
    from matchmaker.meetings.services import create_meeting, place_meeting
    from matchmaker.participants.models import Opportunity, Organisation, Participant
    from matchmaker.planning.services import publish

    def user(email, name, role="participant"):
        u = User(name=name, email=email, role=role, email_confirmed_at=utcnow())
        u.set_password(PASSWORD)
        return u

    with live_server.seeding() as session:
        organiser = user("desk@eventday.example", "Desk Organiser", "organiser")
        session.add(organiser)
        zone = _zone()
        event = events.create_event(
            organiser, name="Event day", slug="event-day", timezone=zone, venue="Tartu"
        )
        today = datetime.now(ZoneInfo(zone)).date()
        events.add_session(
            event,
            day=today,
            start_time=clock(0),
            end_time=clock(1, 0),
            slot_minutes=20,
            pause_minutes=0,
        )
        events.add_session(
            event,
            day=today,
            start_time=clock(23, 0),
            end_time=clock(23, 40),
            slot_minutes=20,
            pause_minutes=0,
        )
        tables = events.add_tables(event, 3)
        events.set_status(event, "open")
        names = [
            ("Anna Virtanen", "HydroCyl Oy"),
            ("Thandi Nkosi", "Bell Equipment"),
            ("Kadri Tamm", "Tartu Science Park"),
            ("Jukka Laine", "Mechatronics Cluster"),
        ]
        people = []
        for i, (name, org) in enumerate(names):
            u = user(f"p{i}@eventday.example", name)
            p = Participant(
                event=event,
                user=u,
                status="approved",
                name=name,
                organisation=Organisation(name=org, country="FI"),
            )
            session.add(p)
            people.append(p)
        # Thandi and Jukka share an interest: when Kadri is absent, Thandi (her partner
        # tonight) is proposed a meeting with Jukka, free then too.
        session.add(Opportunity(participant=people[1], kind="request", title="Hydraulic cylinders"))
        session.add(
            Opportunity(participant=people[3], kind="offer", title="Hydraulic cylinder repair")
        )
        session.flush()
        slots = events.event_slots(event)
        m0 = create_meeting(event, [people[0], people[1]])
        m1 = create_meeting(event, [people[2], people[3]])
        m2 = create_meeting(event, [people[0], people[2]])
        place_meeting(m0, slots[0].starts_at, slots[0].ends_at, tables[0].id)
        place_meeting(m1, slots[0].starts_at, slots[0].ends_at, tables[1].id)
        place_meeting(m2, slots[1].starts_at, slots[1].ends_at, tables[2].id)
        m3 = create_meeting(event, [people[1], people[2]])  # tonight: not begun
        place_meeting(m3, slots[-1].starts_at, slots[-1].ends_at, tables[0].id)
        publish(event, organiser)
        session.flush()
        return {
            "slug": event.slug,
            "anna": people[0].id,
            "meetings": [m0.id, m1.id, m2.id, m3.id],
            "switch": slots[0].ends_at,
            "kadri": people[2].id,
            "qr_url": None,
        }


def _login(page: Page, email: str) -> None:
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button:text('Log in')")
    expect(page.locator("#nav-notifications")).to_be_visible()


def _qr_png(live_server, participant_id: int, path: Path) -> None:
    import segno

    from matchmaker.desk import codes
    from matchmaker.extensions import db
    from matchmaker.participants.models import Participant

    with live_server.app.test_request_context("/", base_url=live_server.url):
        url = codes.checkin_url(db.session.get(Participant, participant_id))
        db.session.remove()
    segno.make(url, error="m").save(str(path), scale=8, border=4)


def test_the_event_day(page: Page, live_server, tmp_path):
    seeded = _seed(live_server)
    slug = seeded["slug"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 390, "height": 844})
    _login(page, "desk@eventday.example")

    # Check-in by search, one tap.
    page.goto(f"/events/{slug}/desk")
    expect(page.locator("#checkin-counts")).to_contain_text("0 of 4 checked in")
    page.fill("#checkin-q", "thand")
    expect(page.locator("#checkin-results li")).to_have_count(1)
    page.get_by_role("button", name="Check in Thandi Nkosi").click()
    expect(page.get_by_role("button", name="Undo check-in of Thandi Nkosi")).to_be_visible()
    expect(page.locator("#checkin-counts")).to_contain_text("1 of 4 checked in")

    # Check-in by a scanned badge: the scanner's decoding (jsQR) of a picture of the code.
    png = tmp_path / "anna.png"
    _qr_png(live_server, seeded["anna"], png)
    page.set_input_files("#scan-file", str(png))
    expect(page.locator("#scan-result")).to_contain_text("Anna Virtanen")
    expect(page.locator("#scan-result")).to_contain_text("is checked in")
    expect(page.locator("#checkin-counts")).to_contain_text("2 of 4 checked in")
    page.fill("#checkin-q", "")
    page.screenshot(path=str(SHOTS / "checkin-390.png"), full_page=True)

    # The organiser marks a no-show in the attendance grid.
    m0, m1, _m2, m3 = seeded["meetings"]
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"/events/{slug}/desk/attendance?view=day")
    cell = page.locator(f"#attendance-{m1}")
    expect(cell).to_have_attribute("data-state", "unmarked")
    cell.get_by_role("button", name="Jukka Laine did not come").click()
    expect(page.locator(f"#attendance-{m1}")).to_have_attribute("data-state", "no_show")

    # Kadri has not come: absent for the rest of the day. Her meeting tonight is cancelled
    # (and published so), and a re-plan of what has not begun starts.
    expect(page.locator(f"#attendance-{m3}")).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Absent today: Kadri Tamm").click()
    expect(page.locator(".flash")).to_contain_text("Kadri Tamm (Tartu Science Park) is absent")
    expect(page.locator(".flash")).to_contain_text("1 meeting cancelled")
    expect(page.locator(".flash")).to_contain_text("1 proposal sent to the freed partners")
    page.goto(f"/events/{slug}/desk/attendance?view=day")
    expect(page.locator(f"#attendance-{m1}")).to_be_visible()
    expect(page.locator(f"#attendance-{m3}")).to_have_count(0)
    expect(page.locator(f"#missing-{seeded['kadri']}")).to_contain_text("absent")

    # The live board, by its secret link, moves on to the next slot by itself.
    page.goto(f"/events/{slug}/desk/board")
    board_url = page.locator("#board-url").input_value()
    switch = seeded["switch"] - timedelta(seconds=3)
    page.goto(f"{board_url}?now={switch:%Y-%m-%dT%H:%M:%SZ}&poll=1")
    expect(page.locator("#live-now")).to_contain_text("Thandi Nkosi")
    expect(page.locator("#live-next")).to_contain_text("Kadri Tamm")
    page.screenshot(path=str(SHOTS / "board.png"))
    expect(page.locator("#live-now")).to_contain_text("Kadri Tamm", timeout=15_000)
    expect(page.locator("#live-now")).not_to_contain_text("Thandi Nkosi")

    # Table signs: one printed page per table.
    page.goto(f"/events/{slug}/desk/signs")
    expect(page.locator(".table-sign")).to_have_count(3)
    pdf = tmp_path / "signs.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True)
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf.read_bytes()))
    assert pages == 3, pages
    if shutil.which("pdftoppm"):
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "60",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                str(pdf),
                str(SHOTS / "table-sign"),
            ],
            check=True,
        )

    # Badges: six to a page, each with its holder's code.
    page.goto(f"/events/{slug}/desk/badges")
    expect(page.locator(".badge-card svg")).to_have_count(4)
    pdf = tmp_path / "badges.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True)
    assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf.read_bytes())) == 1
    if shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-png", "-r", "50", "-singlefile", str(pdf), str(SHOTS / "badges")],
            check=True,
        )

    # A participant marks their meeting held from the agenda on their phone.
    page.get_by_role("button", name="Log out").click()
    page.set_viewport_size({"width": 390, "height": 844})
    _login(page, "p0@eventday.example")
    page.goto(f"/events/{slug}/agenda")
    expect(page.locator("#agenda-qr svg")).to_be_visible()
    report = page.locator(f"#report-{m0}")
    report.get_by_role("button", name="Held").click()
    expect(page.locator(f"#report-{m0}")).to_contain_text("Marked as held")

    # Thandi, freed by Kadri's absence, sees the organisers' proposal and accepts it; Jukka
    # accepts the request it sends, and the meeting is in both agendas tonight.
    page.get_by_role("button", name="Log out").click()
    _login(page, "p1@eventday.example")
    page.goto(f"/events/{slug}/proposals")
    proposal = page.locator("#proposals li.card")
    expect(proposal).to_have_count(1)
    expect(proposal).to_contain_text("Mechatronics Cluster")
    expect(proposal).to_contain_text("Hydraulic")
    page.screenshot(path=str(SHOTS / "proposal-390.png"), full_page=True)
    page.get_by_role("button", name="Accept the meeting with Jukka Laine").click()
    expect(proposal).to_contain_text("the meeting is set once they accept too")
    page.get_by_role("button", name="Log out").click()
    _login(page, "p3@eventday.example")
    page.goto(f"/events/{slug}/meetings?show=incoming")
    request = page.locator("li.request", has_text="Bell Equipment")
    expect(request).to_contain_text("Proposed by the organisers")
    request.get_by_role("button", name="Accept").click()
    expect(page.locator("li.request", has_text="Bell Equipment")).to_contain_text("accepted")
    page.goto(f"/events/{slug}/agenda")
    expect(page.locator("main")).to_contain_text("Thandi Nkosi")
