"""Scheduling in the browser: run and watch the solver on the demo mission, lock and
move meetings, publish, read the agenda, change after publication, re-run."""

from __future__ import annotations

import random
import re

from playwright.sync_api import Page, expect
from sqlalchemy import func, select

SLUG = "bell-equipment-mission"
PASSWORD = "matchmaker-demo"
ORGANISER = "kadri.tamm@tartu-sciencepark.example"


def _seed(app) -> None:
    """The demo mission with accepted meetings (made here if the demo has none)."""
    from matchmaker.demo.loader import load_demo
    from matchmaker.events.models import Event
    from matchmaker.extensions import db
    from matchmaker.meetings.models import Meeting
    from matchmaker.meetings.services import create_meeting
    from matchmaker.participants.models import Participant

    with app.app_context():
        load_demo()
        db.session.commit()
        event = db.session.scalar(select(Event).where(Event.slug == SLUG))
        count = db.session.scalar(
            select(func.count(Meeting.id)).where(
                Meeting.event_id == event.id, Meeting.status == "active"
            )
        )
        if not count:
            people = list(
                db.session.scalars(
                    select(Participant)
                    .where(Participant.event_id == event.id)
                    .order_by(Participant.id)
                )
            )
            rng, pairs = random.Random(7), set()
            while len(pairs) < 60:
                a, b = rng.sample(people, 2)
                if a.organisation_id != b.organisation_id:
                    pairs.add((min(a.id, b.id), max(a.id, b.id)))
            by_id = {p.id: p for p in people}
            for a, b in sorted(pairs):
                create_meeting(event, [by_id[a], by_id[b]])
        db.session.commit()


def _login(page: Page, email: str) -> None:
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button:text('Log in')")
    expect(page.locator("#nav-notifications")).to_be_visible()


def _placement(app, meeting_id: int):
    from matchmaker.extensions import db
    from matchmaker.meetings.models import Meeting

    with app.app_context():
        m = db.session.get(Meeting, meeting_id)
        return m.slot_start, m.table_id, m.locked, [a.participant.user.email for a in m.attendees]


def _notified(app, kind: str = "schedule") -> dict[str, int]:
    """Notices of ``kind`` about the demo mission, per person (other journeys publish
    schedules of events of their own on the same server)."""
    from matchmaker.accounts.models import User
    from matchmaker.events.models import Event
    from matchmaker.extensions import db
    from matchmaker.notifications.models import Notification

    with app.app_context():
        rows = db.session.execute(
            select(User.email, func.count(Notification.id))
            .join(Notification, Notification.user_id == User.id)
            .join(Event, Event.id == Notification.event_id)
            .where(Notification.kind == kind, Event.slug == SLUG)
            .group_by(User.email)
        ).all()
        return dict(rows)


def _run_solver(page: Page) -> None:
    page.fill("input[name=time_limit]", "20")
    page.click("#start-run")
    # Live progress while it runs, then the final state without reloading the page.
    expect(page.locator("#run-status")).to_have_attribute(
        "data-status", "succeeded", timeout=60_000
    )
    expect(page.locator("#run-placed")).to_have_text(re.compile(r"^\d+ of \d+$"))
    expect(page.locator("#schedule-grid .meeting-cell").first).to_be_visible()


def _move_first_offer(page: Page, meeting_id: int) -> None:
    """Pick the meeting on the grid and click the last cell it may go to."""
    page.click(f"a[aria-label^='Move meeting {meeting_id}:']")
    expect(page.locator("#move-banner")).to_be_visible()
    targets = page.locator("#schedule-grid td.target button")
    expect(targets.first).to_be_visible()
    targets.last.click()
    expect(page.locator("#move-done")).to_contain_text("locked it there")


def test_schedule_journey(page: Page, context, browser, live_server) -> None:
    app = live_server.app
    _seed(app)
    page.on("dialog", lambda dialog: dialog.accept())

    # Organiser runs the solver and watches it to the end.
    _login(page, ORGANISER)
    page.goto(f"/events/{SLUG}/manage")
    page.click("a.button:text-is('Schedule')")
    expect(page.locator("h1")).to_contain_text("Schedule")
    _run_solver(page)
    expect(page.locator("#quality-placed")).to_contain_text(" of ")

    # Lock one meeting, move another.
    cells = page.locator("#schedule-grid .meeting-cell")
    locked_id = int(cells.nth(0).get_attribute("data-meeting"))
    moved_id = int(cells.nth(1).get_attribute("data-meeting"))
    # Marks on the board and the quality card tell which of them the lock replaced.
    page.evaluate(
        "document.getElementById('schedule-board').dataset.before = 'lock';"
        "document.getElementById('schedule-quality').dataset.before = 'lock'"
    )
    page.click(f"button[aria-label='Lock meeting {locked_id}']")
    expect(page.locator(f"#meeting-{locked_id}")).to_contain_text("locked")
    expect(page.locator(f"button[aria-label='Unlock meeting {locked_id}']")).to_be_visible()
    # Only the cell and the quality card (out of band) were swapped, not the board.
    expect(page.locator("#schedule-quality")).to_have_count(1)
    expect(page.locator("#schedule-quality[data-before]")).to_have_count(0)
    expect(page.locator("#schedule-board[data-before='lock']")).to_have_count(1)
    locked_at = _placement(app, locked_id)
    assert locked_at[2] is True
    before_move = _placement(app, moved_id)
    _move_first_offer(page, moved_id)
    assert _placement(app, moved_id)[:2] != before_move[:2]

    # Publish: everyone with meetings is told once.
    page.click("#publish")
    expect(page.locator(".flash-success")).to_contain_text("Published revision 1")
    first_round = _notified(app)
    assert first_round and set(first_round.values()) == {1}

    # A participant of the locked meeting reads their agenda.
    participant_email = locked_at[3][0]
    other = browser.new_context(base_url=live_server.url, locale="en-GB")
    try:
        their = other.new_page()
        _login(their, participant_email)
        their.goto(f"/events/{SLUG}")
        their.click("a:text('My agenda')")
        expect(their.locator("#agenda-zone")).to_contain_text("Africa/Johannesburg")
        expect(their.locator(f"#agenda-meeting-{locked_id}")).to_be_visible()
        expect(their.locator(".agenda-free").first).to_be_visible()
    finally:
        other.close()

    # After publication: move one meeting, publish; only its two people are notified.
    page.goto(f"/events/{SLUG}/schedule")
    cells = page.locator("#schedule-grid .meeting-cell:not(.locked)")
    changed_id = int(cells.nth(2).get_attribute("data-meeting"))
    _move_first_offer(page, changed_id)
    expect(page.locator("#pending-count")).to_have_text("1")
    page.click("#publish")
    expect(page.locator(".flash-success")).to_contain_text("Published revision 2")
    second_round = _notified(app)
    newly = {e for e, n in second_round.items() if n > first_round.get(e, 0)}
    assert newly == set(_placement(app, changed_id)[3])
    expect(page.locator("#revision-2")).to_contain_text("1 moved")

    # A move not published yet, then a re-run: the draft is the run's from then on.
    cells = page.locator("#schedule-grid .meeting-cell:not(.locked)")
    _move_first_offer(page, int(cells.nth(3).get_attribute("data-meeting")))
    expect(page.locator("#pending-count")).to_have_text("1")

    # A re-run keeps the locked meeting where it was. When it ends, the "Publish" card
    # fetches itself again (the draft is the run's now).
    with page.expect_response(lambda r: r.url.endswith(f"/events/{SLUG}/schedule/publication")):
        _run_solver(page)
    assert _placement(app, locked_id)[:3] == locked_at[:3]
    # The "Publish" card follows the run that just ended on the page: what publishing
    # would change is the new draft's, as the database says (issue 16.5).
    changed = _draft_changes(app)
    if changed:
        expect(page.locator("#pending-count")).to_have_text(str(changed))
    else:
        expect(page.locator("#schedule-publish")).to_contain_text("no changes since")


def _draft_changes(app) -> int:
    from matchmaker.events.models import Event
    from matchmaker.extensions import db
    from matchmaker.planning import services

    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == SLUG))
        return len(services.draft_changes(event))
