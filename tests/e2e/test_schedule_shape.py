"""Issue 18 in the browser: the demo mission's run starts each day with its first slot
(early and compact), and a meeting moves by clicking a cell the grid offers."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect
from sqlalchemy import delete, select, update

from tests.e2e.test_schedule_journey import ORGANISER, SLUG, _login, _run_solver, _seed

SHOTS = Path("/work/notes/shots")


def _unlock_all(app) -> None:
    """Other journeys place, lock and publish meetings of the same demo: this one starts
    from a first run (nothing placed, so no previous schedule to keep - a re-plan keeps
    meetings where they are before any tie-break - and no trade-visit places an earlier
    run gave: a re-run keeps those too, before the meetings)."""
    from matchmaker.events.models import Event
    from matchmaker.extensions import db
    from matchmaker.meetings.models import Meeting
    from matchmaker.visits.models import Visit, VisitPlace

    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == SLUG))
        db.session.execute(
            update(Meeting)
            .where(Meeting.event_id == event.id)
            .values(locked=False, slot_start=None, table_id=None)
        )
        visits = select(Visit.id).where(Visit.event_id == event.id)
        db.session.execute(
            delete(VisitPlace).where(VisitPlace.visit_id.in_(visits), VisitPlace.from_run)
        )
        db.session.commit()


def _first_busy_per_day(app) -> tuple[dict, dict]:
    """Per local day: the first slot, and the first slot with a meeting."""
    from matchmaker.events.models import Event
    from matchmaker.events.services import event_slots
    from matchmaker.extensions import db
    from matchmaker.meetings.models import Meeting

    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == SLUG))
        first, busy = {}, {}
        starts = set(
            db.session.scalars(
                select(Meeting.slot_start).where(
                    Meeting.event_id == event.id, Meeting.slot_start.is_not(None)
                )
            )
        )
        for slot in event_slots(event):
            day = slot.local_start.date()
            first.setdefault(day, slot.starts_at)
            if slot.starts_at in starts:
                busy.setdefault(day, slot.starts_at)
        return first, busy


def _meeting(app, meeting_id: int):
    from matchmaker.extensions import db
    from matchmaker.meetings.models import Meeting

    with app.app_context():
        m = db.session.get(Meeting, meeting_id)
        return m.slot_start, m.table_id, m.locked


def test_demo_run_starts_each_day_early_and_a_meeting_moves_by_click(
    page: Page, live_server
) -> None:
    app = live_server.app
    _seed(app)
    _unlock_all(app)
    _login(page, ORGANISER)
    page.goto(f"/events/{SLUG}/schedule")
    # A generous limit: the run ends as soon as breaks and tie-break are proven (about
    # 5 s here), and a busy machine only makes it take longer.
    page.fill("input[name=time_limit]", "90")
    page.click("#start-run")
    expect(page.locator("#run-status")).to_have_attribute(
        "data-status", "succeeded", timeout=120_000
    )
    expect(page.locator("#run-result")).to_have_text("Optimal (proven)")
    expect(page.locator("#run-tie-break")).to_contain_text("Early and compact: 0 idle slots")
    first, busy = _first_busy_per_day(app)
    assert busy and all(busy[day] == first[day] for day in busy), (first, busy)

    # Cells name both sides: "Person (Organisation) – Person (Organisation)".
    cell = page.locator("#schedule-grid .meeting-cell").first
    expect(cell.locator(".meeting-who")).to_contain_text(") – ")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1600, "height": 1000})
    page.locator("#schedule-grid").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "issue18-grid-early.png"))

    # Pick a meeting: the grid shows where it may go; Enter on a "Move here" moves it.
    meeting_id = int(cell.get_attribute("data-meeting"))
    before = _meeting(app, meeting_id)
    page.click(f"a[aria-label^='Move meeting {meeting_id}:']")
    expect(page.locator("#move-banner")).to_contain_text("free for both sides")
    targets = page.locator("#schedule-grid td.target button")
    expect(targets.first).to_be_visible()
    assert targets.count() >= 1
    expect(page.locator(f"#meeting-{meeting_id}")).to_have_class(re.compile(r"\bpicked\b"))
    page.screenshot(path=str(SHOTS / "issue18-grid-moving.png"))
    targets.last.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#move-done")).to_contain_text("locked it there")
    after = _meeting(app, meeting_id)
    assert after[:2] != before[:2] and after[2] is True
    expect(page.locator(f"#meeting-{meeting_id}")).to_contain_text("locked")
    assert page.url.endswith(f"/events/{SLUG}/schedule")  # the address bar stays


def test_a_revision_says_what_changed_in_the_notice_and_the_agenda(
    page: Page, browser, live_server
) -> None:
    """Publish, move one meeting on the grid, read the diff before publishing again;
    a participant of the moved meeting reads their change in the notice, and the agenda
    marks it once."""
    app = live_server.app
    _seed(app)
    _login(page, ORGANISER)
    page.goto(f"/events/{SLUG}/schedule")
    if not page.locator("#schedule-grid .meeting-cell").count():
        _run_solver(page)
    page.on("dialog", lambda dialog: dialog.accept())
    if page.locator("#publish").is_enabled():
        page.click("#publish")
        expect(page.locator(".flash-success")).to_contain_text("Published revision")
    cell = page.locator("#schedule-grid .meeting-cell").nth(1)
    meeting_id = int(cell.get_attribute("data-meeting"))
    before = _meeting(app, meeting_id)
    other = browser.new_context(base_url=live_server.url, locale="en-GB")
    try:
        # The participant has looked at their agenda as published now.
        their = other.new_page()
        _login(their, _attendee_email(app, meeting_id))
        their.goto(f"/events/{SLUG}/agenda")
        expect(their.locator(f"#agenda-meeting-{meeting_id}")).to_be_visible()

        page.click(f"a[aria-label^='Move meeting {meeting_id}:']")
        page.locator("#schedule-grid td.target button").last.click()
        expect(page.locator("#move-done")).to_be_visible()
        # The organiser sees who is told what before publishing.
        page.reload()
        expect(page.locator("#pending-summary")).to_contain_text(
            "1 meeting moves; 2 people are notified."
        )
        page.click("#pending-people summary")
        expect(page.locator("#pending-people")).to_contain_text(" → ")
        page.click("#publish")
        expect(page.locator(".flash-success")).to_contain_text("Published revision")

        was = _local(app, before[0])
        their.goto("/notifications")
        expect(their.locator("main")).to_contain_text(f"{was} Table")
        expect(their.locator("main")).to_contain_text(" → ")
        their.goto(f"/events/{SLUG}/agenda")
        row = their.locator(f"#agenda-meeting-{meeting_id}")
        expect(row).to_have_class(re.compile(r"\bagenda-changed\b"))
        expect(row).to_contain_text(f"Moved: was {was}")
        expect(their.locator("#agenda-changes")).to_be_visible()
        their.reload()
        expect(their.locator("#agenda-changes")).to_have_count(0)
    finally:
        other.close()


def test_the_manage_page_answers_how_many_tables(page: Page, live_server) -> None:
    app = live_server.app
    _seed(app)
    _login(page, ORGANISER)
    page.goto(f"/events/{SLUG}/manage")
    expect(page.locator("#capacity-tables")).to_contain_text("proven", timeout=30_000)
    expect(page.locator("#capacity-tables")).to_contain_text("You have 12")
    expect(page.locator("#capacity-bottlenecks")).to_be_visible()


def _open_grid(page: Page) -> None:
    """The organiser's schedule page with a schedule on it (run one if there is none)."""
    _login(page, ORGANISER)
    page.goto(f"/events/{SLUG}/schedule")
    if not page.locator("#schedule-grid .meeting-cell").count():
        _run_solver(page)


def test_every_table_is_in_view_at_1280_px_and_the_slot_column_stays_on_a_phone(
    page: Page, live_server
) -> None:
    """The demo's 12 tables side by side in a 1280 px window: no inner sideways scroll
    bar, the page scrolls and the header stays; on a phone the grid scrolls sideways in
    its box and the slot column stays."""
    _seed(live_server.app)
    page.set_viewport_size({"width": 1280, "height": 900})
    _open_grid(page)
    page.reload()
    headers = page.locator("#schedule-grid thead th")
    expect(headers).to_have_count(13)  # the slot column and Table 1-12
    for i in range(13):
        box = headers.nth(i).bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 1280, (i, box)
    scroll, client = page.locator(".grid-scroll").evaluate("e => [e.scrollWidth, e.clientWidth]")
    assert scroll <= client, (scroll, client)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    # A cell names both sides in full (cut short on screen, whole in its title).
    cell = page.locator("#schedule-grid .meeting-cell").first
    expect(cell).to_have_attribute("title", re.compile(r"^.+ \(.+\) – .+ \(.+\)$"))
    expect(cell.locator(".meeting-who")).to_contain_text(") – ")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("document.getElementById('schedule-grid').scrollIntoView()")
    page.screenshot(path=str(SHOTS / "issue18-grid-1280.png"))
    # A long day: the page scrolls (not a box inside it) and the header stays on top.
    page.evaluate(
        "window.scrollBy(0, document.getElementById('schedule-grid')"
        ".getBoundingClientRect().top + 600)"
    )
    assert abs(headers.first.bounding_box()["y"]) <= 1
    page.screenshot(path=str(SHOTS / "issue18-grid-1280-scrolled.png"))

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    grid = page.locator(".grid-scroll")
    scroll, client = grid.evaluate("e => [e.scrollWidth, e.clientWidth]")
    assert scroll > client  # a phone scrolls the grid sideways...
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # ...not the page
    grid.evaluate("e => { e.scrollLeft = 600; }")
    slot = page.locator("#schedule-grid tbody th[scope=row]").first
    expect(slot).to_be_in_viewport()
    assert abs(slot.bounding_box()["x"] - grid.bounding_box()["x"]) <= 2
    grid.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "issue18-grid-390.png"))


def _movable(app) -> tuple[int, str]:
    """An unlocked meeting on the grid and the last cell it may go to."""
    from matchmaker.events.models import Event
    from matchmaker.extensions import db
    from matchmaker.meetings.models import Meeting
    from matchmaker.planning.board import free_targets

    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == SLUG))
        meetings = db.session.scalars(
            select(Meeting)
            .where(
                Meeting.event_id == event.id,
                Meeting.status == "active",
                Meeting.slot_start.is_not(None),
                Meeting.locked.is_(False),
            )
            .order_by(Meeting.id)
        )
        for m in meetings:
            cells = [f"{s.key}@{t.id}" for s, tables in free_targets(event, m) for t in tables]
            if cells:
                return m.id, cells[-1]
    raise AssertionError("no meeting can move")


def test_a_meeting_moves_by_drag_and_drop(page: Page, live_server) -> None:
    """Dragging shows the cells the meeting may go to; a drop on one moves it there and
    locks it, through the same request as a click (a change meanwhile: 409, the
    reason on the page)."""
    app = live_server.app
    _seed(app)
    # Tall enough for the whole grid: a drag here never has to scroll the page.
    page.set_viewport_size({"width": 1280, "height": 4000})
    _open_grid(page)
    meeting_id, target = _movable(app)
    page.reload()
    source = page.locator(f"#meeting-{meeting_id}")
    cell = page.locator(f'#schedule-grid td[data-cell="{target}"]')

    # Picked up: the allowed cells light up; let go elsewhere, nothing moves.
    box = source.bounding_box()
    page.mouse.move(box["x"] + 12, box["y"] + 8)
    page.mouse.down()
    page.mouse.move(box["x"] + 40, box["y"] + 30, steps=5)
    expect(cell).to_have_class(re.compile(r"\bdrop-target\b"))
    page.screenshot(path=str(SHOTS / "issue18-grid-dragging.png"))
    page.mouse.up()
    expect(page.locator("#schedule-grid td.drop-target")).to_have_count(0)

    before = _meeting(app, meeting_id)
    source.drag_to(cell)
    expect(page.locator("#move-done")).to_contain_text("locked it there")
    after = _meeting(app, meeting_id)
    assert after[:2] != before[:2] and after[2] is True
    assert f"{after[0]:%Y-%m-%dT%H:%MZ}@{after[1]}" == target
    expect(page.locator(f"#meeting-{meeting_id}")).to_contain_text("locked")
    expect(page.locator(f'#schedule-grid td[data-cell="{target}"]')).to_have_count(0)
    assert page.url.endswith(f"/events/{SLUG}/schedule")

    # Changed by someone else while it is being dragged: the server says so.
    meeting_id, target = _movable(app)
    source = page.locator(f"#meeting-{meeting_id}")
    cell = page.locator(f'#schedule-grid td[data-cell="{target}"]')
    box = source.bounding_box()
    page.mouse.move(box["x"] + 12, box["y"] + 8)
    page.mouse.down()
    page.mouse.move(box["x"] + 40, box["y"] + 30, steps=5)
    expect(cell).to_have_class(re.compile(r"\bdrop-target\b"))
    _touch(app, meeting_id)
    box = cell.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, steps=5)
    page.mouse.up()
    expect(page.locator("#move-error")).to_contain_text("changed this meeting")
    assert _meeting(app, meeting_id)[2] is False


def _touch(app, meeting_id: int) -> None:
    """Someone else changes the meeting (its version moves on)."""
    from matchmaker.extensions import db
    from matchmaker.meetings.models import Meeting

    with app.app_context():
        db.session.execute(
            update(Meeting).where(Meeting.id == meeting_id).values(version=Meeting.version + 1)
        )
        db.session.commit()


def _attendee_email(app, meeting_id: int) -> str:
    from matchmaker.extensions import db
    from matchmaker.meetings.models import Meeting

    with app.app_context():
        return db.session.get(Meeting, meeting_id).attendees[0].participant.user.email


def _local(app, starts_at) -> str:
    from matchmaker.templating import to_zone

    return f"{to_zone(starts_at, 'Africa/Johannesburg'):%a %H:%M}"
