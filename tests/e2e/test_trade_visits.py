"""Trade visits in the browser: a participant ranks three visits; the organiser runs the
engine and publishes; the participant's agenda shows their visit group and no meeting in
its span; their feed has the visit with its address; giving the place up moves the first
on the waitlist in and leaves it cancelled in the feed; the organiser edits a group's
places."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time

from playwright.sync_api import Page, expect

from tests.e2e.conftest import RESULTS

PASSWORD = "visits-e2e-pass"
SLUG = "visits-e2e"


def _seed(live_server) -> dict:
    from matchmaker.accounts.models import User
    from matchmaker.events import services as events
    from matchmaker.meetings.services import create_meeting
    from matchmaker.participants.models import Organisation, Participant
    from matchmaker.visits import services as visits

    def user(session, name, email, role):
        u = User(name=name, email=email, role=role, email_confirmed_at=datetime.now(UTC))
        u.set_password(PASSWORD)
        session.add(u)
        session.flush()
        return u

    with live_server.seeding() as session:
        organiser = user(session, "Olga Organiser", "olga@visits.example", "organiser")
        event = events.create_event(
            organiser,
            name="Visits mission",
            slug=SLUG,
            timezone="Africa/Johannesburg",
            venue="Richards Bay",
            description="",
            requires_approval=True,
        )
        for start, end in ((time(9), time(12, 30)), (time(14), time(17))):
            events.add_session(
                event,
                day=date(2027, 3, 9),
                start_time=start,
                end_time=end,
                slot_minutes=20,
                pause_minutes=5,
            )
        events.add_tables(event, 4)
        events.set_status(event, "open")
        people = []
        for i, name in enumerate(["Pia Paavola", "Quinn Quist", "Rasmus Ruut", "Siiri Saar"]):
            u = user(session, name, f"p{i}@visits.example", "participant")
            org = Organisation(name=f"{name.split()[1]} Oy", country="FI")
            p = Participant(
                event=event, user=u, organisation=org, status="approved", name=name, email=u.email
            )
            session.add(p)
            people.append(p)
        session.flush()
        pia, quinn = people[0], people[1]
        for other in people[1:]:
            create_meeting(event, [pia, other])
        create_meeting(event, [quinn, people[2]])

        def add(title, address, start, end, places, before=0, after=0):
            v = visits.create_visit(
                event, title=title, host=title, address=address, meeting_point="Gate 2"
            )
            visits.add_option(
                v,
                events.local_to_utc(event, date(2027, 3, 9), start),
                events.local_to_utc(event, date(2027, 3, 9), end),
                places,
                before,
                after,
                "Group 1",
            )
            return v

        line = add(
            "Bell ADT assembly line",
            "1 Mikroweg, Alton North, Richards Bay",
            time(10),
            time(11),
            1,
            20,
            20,
        )
        port = add("Port of Richards Bay", "Port Control, Richards Bay", time(14), time(15), 5)
        plant = add(
            "Cylinder plant", "14 Alumina Allee, Richards Bay", time(15, 30), time(16, 30), 5
        )
        # Quinn wants the port first and the assembly line second: the line's one place
        # goes to whoever ranks it first, and Quinn waits for it.
        visits.set_wishes(event, quinn, [(port.id, None), (line.id, None)])
        return {
            "event": event.id,
            "line": line.id,
            "port": port.id,
            "plant": plant.id,
            "pia": pia.id,
            "quinn": quinn.id,
        }


def _login(page: Page, email: str) -> None:
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button:text('Log in')")
    expect(page.locator("#nav-notifications")).to_be_visible()


def _minutes(text: str) -> tuple[int, int]:
    a, b = re.findall(r"(\d\d):(\d\d)", text)[:2]
    return int(a[0]) * 60 + int(a[1]), int(b[0]) * 60 + int(b[1])


def test_trade_visits(page: Page, browser, live_server) -> None:
    ids = _seed(live_server)

    # The participant ranks three visits.
    _login(page, "p0@visits.example")
    page.goto(f"/events/{SLUG}/visits/mine")
    page.fill(f"#rank-{ids['line']}", "1")
    page.fill(f"#rank-{ids['port']}", "2")
    page.fill(f"#rank-{ids['plant']}", "3")
    page.click("button:text('Save my choices')")
    expect(page.locator(f"#rank-{ids['line']}")).to_have_value("1")
    expect(page.locator(f"#rank-{ids['plant']}")).to_have_value("3")

    # The organiser runs the engine and publishes.
    org = browser.new_context(base_url=live_server.url, locale="en-GB")
    try:
        o = org.new_page()
        o.on("dialog", lambda dialog: dialog.accept())
        _login(o, "olga@visits.example")
        o.goto(f"/events/{SLUG}/schedule")
        o.fill("input[name=time_limit]", "10")
        o.click("#start-run")
        expect(o.locator("#run-status")).to_have_attribute(
            "data-status", "succeeded", timeout=60_000
        )
        o.goto(f"/events/{SLUG}/schedule")
        o.click("#publish")
        expect(o.locator(".flash-success")).to_contain_text("Published revision 1")
        o.goto(f"/events/{SLUG}/organiser/visits")
        expect(o.locator("#count-first")).to_have_text("2")
        expect(o.locator(f"#visit-{ids['line']}")).to_contain_text("Pia Paavola")
        expect(o.locator(f"#visit-{ids['line']}")).to_contain_text("Waitlist: 1. Quinn Quist")
        o.screenshot(path=str(RESULTS / "trade-visits-allocation.png"), full_page=True)
    finally:
        org.close()

    # The agenda: the visit group over its span (09:40-11:20 with travel), no meeting in it.
    page.goto(f"/events/{SLUG}/agenda")
    visit_rows = page.locator("tr.agenda-visit")
    expect(visit_rows.first).to_be_visible()
    expect(page.locator("tr.agenda-visit", has_text="Bell ADT assembly line")).to_contain_text(
        "Group 1"
    )
    page.screenshot(path=str(RESULTS / "trade-visits-agenda.png"), full_page=True)
    spans = [_minutes(t) for t in visit_rows.locator("td.nowrap").all_inner_texts()]
    assert (9 * 60 + 40, 11 * 60 + 20) in spans
    meetings = [_minutes(t) for t in page.locator("tr.agenda-meeting td.nowrap").all_inner_texts()]
    assert meetings, "the participant has meetings around the visits"
    for a, b in meetings:
        for c, d in spans:
            assert not (a < d and c < b), f"meeting {a}-{b} inside visit {c}-{d}"

    # The feed has the visit with its address.
    with live_server.app.app_context():
        from matchmaker.calendar import services as calendar
        from matchmaker.extensions import db
        from matchmaker.participants.models import Participant

        feed = calendar.participant_feed(db.session.get(Participant, ids["pia"]))
        db.session.commit()
        path = f"/feeds/{calendar.feed_token(feed)}.ics"
    body = page.request.get(live_server.url + path).text()
    unfolded = body.replace("\r\n ", "")
    assert "SUMMARY:Visit: Bell ADT assembly line (Group 1)" in unfolded
    assert "LOCATION:1 Mikroweg\\, Alton North\\, Richards Bay" in unfolded
    assert "Meeting point: Gate 2" in unfolded

    # She gives her place up: Quinn, first on the waitlist, moves in.
    page.goto(f"/events/{SLUG}/visits/mine")
    page.locator(f"#place-{ids['line']} button").click()
    expect(page.locator(f"#place-{ids['line']}")).to_have_count(0)
    with live_server.app.app_context():
        from matchmaker.visits.models import VisitPlace

        holders = db.session.scalars(
            db.select(VisitPlace.participant_id).where(VisitPlace.visit_id == ids["line"])
        ).all()
    assert holders == [ids["quinn"]]

    # Her calendar keeps the given-up visit, cancelled (same UID), so her client removes it.
    body = page.request.get(live_server.url + path).text().replace("\r\n ", "")
    line_event = next(e for e in body.split("BEGIN:VEVENT")[1:] if "Bell ADT assembly line" in e)
    assert "STATUS:CANCELLED" in line_event

    # The organiser edits the port's places.
    org = browser.new_context(base_url=live_server.url, locale="en-GB")
    try:
        o = org.new_page()
        _login(o, "olga@visits.example")
        o.goto(f"/events/{SLUG}/organiser/visits")
        port = o.locator(f"#visit-{ids['port']}")
        port.locator("summary", has_text="Change the places").click()
        port.locator("input[id^=option-places-]").fill("8")
        port.locator("button:text('Save group')").click()
        expect(o.locator(f"#visit-{ids['port']}")).to_contain_text("of 8 places")
    finally:
        org.close()
