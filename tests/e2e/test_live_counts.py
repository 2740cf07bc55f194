"""Issue 16 section 5: every count on a page follows the htmx action that changed it.

Each test does what a person does on the page, then compares the number the page shows
with what the database holds. Before the fix the counts stayed as the page was loaded:
"0 tables x 10 slots = 0 places" after adding 7 tables, "Pending (1)" after approving,
the notification badge at 4 after every request was answered.
"""

from __future__ import annotations

import itertools
from datetime import date, time

import pytest
from playwright.sync_api import Page, expect

PASSWORD = "live-counts-password"
_n = itertools.count(1)


def login(page: Page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def _user(session, key: str, n: int, role: str = "participant", name: str = ""):
    from matchmaker.accounts.models import User

    user = User(name=name or key.title(), email=f"{key}{n}@counts.example", role=role)
    user.set_password(PASSWORD)
    session.add(user)
    session.flush()
    return user


def _event(session, organiser, n: int, **settings):
    from matchmaker.events import services as events

    event = events.create_event(
        organiser,
        name=f"Counting mission {n}",
        slug=f"counting-mission-{n}",
        timezone="Europe/Tallinn",
        **settings,
    )
    # 09:00-12:20 in 20-minute slots: 10 slots.
    events.add_session(
        event, day=date(2027, 5, 4), start_time=time(9), end_time=time(12, 20), slot_minutes=20
    )
    return event


def _participant(session, event, user, org: str, status: str = "approved"):
    from matchmaker.participants.models import Organisation, Participant

    participant = Participant(
        event=event,
        user=user,
        organisation=Organisation(name=org, country="FI"),
        status=status,
        name=user.name,
        email=user.email,
    )
    session.add(participant)
    session.flush()
    return participant


def test_the_glance_card_follows_added_and_removed_tables_and_sessions(
    page: Page, live_server
) -> None:
    from matchmaker.events.models import Event
    from matchmaker.events.stats import event_stats

    n = next(_n)
    with live_server.seeding() as session:
        organiser = _user(session, "organiser", n, role="organiser", name="Kadri Tamm")
        slug = _event(session, organiser, n).slug
        email = organiser.email

    def places_in_database() -> str:
        from sqlalchemy import select

        from matchmaker.extensions import db

        with live_server.app.app_context():
            event = db.session.scalar(select(Event).where(Event.slug == slug))
            stats = event_stats(event)
            slots = len(stats.utilisation)
            return f"{stats.tables} tables × {slots} slots = {stats.tables * slots} places"

    login(page, email)
    page.goto(f"/events/{slug}/manage")
    glance = page.locator("#event-stats")
    expect(glance).to_contain_text("0 tables × 10 slots = 0 places")

    tables = page.locator("#tables")
    tables.get_by_label("How many").fill("7")
    tables.get_by_role("button", name="Add tables").click()
    expect(page.locator("#tables .table-chips li")).to_have_count(7)
    expect(glance).to_contain_text("7 tables × 10 slots = 70 places")
    assert places_in_database() == "7 tables × 10 slots = 70 places"

    page.get_by_role("button", name="Remove Table 7").click()
    expect(page.locator("#tables .table-chips li")).to_have_count(6)
    expect(glance).to_contain_text("6 tables × 10 slots = 60 places")
    assert places_in_database() == "6 tables × 10 slots = 60 places"

    sessions = page.locator("#sessions")
    sessions.get_by_label("Day").fill("2027-05-04")
    sessions.get_by_label("Starts").fill("14:00")
    sessions.get_by_label("Ends").fill("15:00")
    sessions.get_by_label("Slot length (minutes)").fill("20")
    sessions.get_by_label("Pause between slots (minutes)").fill("0")
    sessions.get_by_role("button", name="Add session").click()
    expect(page.locator("#sessions tbody tr")).to_have_count(2)
    expect(glance).to_contain_text("6 tables × 13 slots = 78 places")
    assert places_in_database() == "6 tables × 13 slots = 78 places"

    # A refused session changes nothing, and the card says so too.
    sessions.get_by_label("Day").fill("2027-05-04")
    sessions.get_by_label("Starts").fill("14:30")
    sessions.get_by_label("Ends").fill("16:00")
    sessions.get_by_role("button", name="Add session").click()
    expect(page.locator("#start_time-error")).to_contain_text("Overlaps")
    expect(glance).to_contain_text("6 tables × 13 slots = 78 places")


def test_the_status_totals_follow_approving_and_rejecting(page: Page, live_server) -> None:
    from matchmaker.participants.organiser import status_totals

    n = next(_n)
    with live_server.seeding() as session:
        organiser = _user(session, "organiser", n, role="organiser", name="Kadri Tamm")
        event = _event(session, organiser, n, requires_approval=True)
        for i, status in enumerate(("pending", "pending", "approved")):
            user = _user(session, f"company{i}-", n, name=f"Person {i}")
            _participant(session, event, user, f"Company {i} {n} Oy", status)
        slug, event_id, email = event.slug, event.id, organiser.email

    def totals_in_database() -> dict[str, int]:
        from matchmaker.events.models import Event
        from matchmaker.extensions import db

        with live_server.app.app_context():
            return status_totals(db.session.get(Event, event_id))

    def expect_totals(totals: dict[str, int]) -> None:
        nav = page.get_by_role("navigation", name="Filter by status")
        expect(nav.get_by_role("link", name="All")).to_have_text(f"All ({sum(totals.values())})")
        for status, count in totals.items():
            link = nav.get_by_role("link", name=status.title())
            expect(link).to_have_text(f"{status.title()} ({count})")

    login(page, email)
    page.goto(f"/events/{slug}/organiser/participants")
    expect_totals({"pending": 2, "approved": 1, "rejected": 0})

    rows = page.locator("#organiser-participants tbody tr")
    rows.filter(has_text=f"Company 0 {n} Oy").get_by_role("button", name="Approve").click()
    expect(rows.filter(has_text=f"Company 0 {n} Oy").locator(".status")).to_have_text("approved")
    expect_totals({"pending": 1, "approved": 2, "rejected": 0})
    assert totals_in_database() == {"pending": 1, "approved": 2, "rejected": 0}

    rows.filter(has_text=f"Company 1 {n} Oy").get_by_role("button", name="Reject").click()
    expect(rows.filter(has_text=f"Company 1 {n} Oy").locator(".status")).to_have_text("rejected")
    expect_totals({"pending": 0, "approved": 2, "rejected": 1})
    assert totals_in_database() == {"pending": 0, "approved": 2, "rejected": 1}


@pytest.fixture
def four_requests(live_server):
    """Bell's buyer has four meeting requests waiting, each with its notification."""
    from matchmaker.events import services as events
    from matchmaker.meetings import booking

    n = next(_n)
    with live_server.seeding() as session:
        organiser = _user(session, "organiser", n, role="organiser", name="Kadri Tamm")
        event = _event(session, organiser, n, requires_approval=False)
        events.add_tables(event, 4)
        event.max_meetings_per_participant = 6
        events.set_status(event, "open")
        buyer_user = _user(session, "buyer", n, name="Thandi Nkosi")
        buyer = _participant(session, event, buyer_user, f"Bell Equipment {n}")
        for i in range(4):
            user = _user(session, f"supplier{i}-", n, name=f"Supplier {i}")
            supplier = _participant(session, event, user, f"Supplier {i} {n} Oy")
            booking.request_meeting(supplier, buyer, f"Hello from supplier {i}", created_by=user)
        found = {"slug": event.slug, "email": buyer_user.email, "user_id": buyer_user.id}
    return found


def _unread_in_database(live_server, user_id: int) -> int:
    from matchmaker.accounts.models import User
    from matchmaker.extensions import db
    from matchmaker.notifications.services import unread_count

    with live_server.app.app_context():
        return unread_count(db.session.get(User, user_id))


def _expect_badge(page: Page, count: int) -> None:
    if count:
        expect(page.locator("#nav-notifications .badge")).to_have_text(str(count))
    else:
        expect(page.locator("#nav-notifications .badge")).to_have_count(0)


def test_answering_requests_settles_their_notifications_and_the_badges_follow(
    page: Page, live_server, four_requests
) -> None:
    slug, user_id = four_requests["slug"], four_requests["user_id"]
    login(page, four_requests["email"])
    page.goto(f"/events/{slug}/meetings?show=incoming")
    _expect_badge(page, 4)
    assert _unread_in_database(live_server, user_id) == 4
    expect(page.locator("#nav-meeting-badge .badge")).to_have_text("4")
    expect(page.locator("#meeting-limit")).to_contain_text("part of 4 of at most 6")

    for i, action in enumerate(("Accept", "Accept", "Decline", "Accept")):
        request = page.locator(".request").filter(has_text=f"Supplier {i} ")
        if action == "Decline":
            request.get_by_text("Decline…").click()
        request.get_by_role("button", name=action, exact=True).click()
        expect(request.locator(".status")).to_have_text(
            "declined" if action == "Decline" else "accepted"
        )
        left = 3 - i
        _expect_badge(page, left)
        assert _unread_in_database(live_server, user_id) == left
        if left:
            expect(page.locator("#nav-meeting-badge .badge")).to_have_text(str(left))
        else:
            expect(page.locator("#nav-meeting-badge .badge")).to_have_count(0)
        expect(page.locator("#tab-incoming")).to_contain_text(f"Incoming {left}")
    # Declined frees a place: 3 accepted meetings of at most 6.
    expect(page.locator("#meeting-limit")).to_contain_text("part of 3 of at most 6")

    # A fresh load agrees with what the page shows.
    page.reload()
    _expect_badge(page, 0)


def test_mark_all_as_read_empties_the_badge(page: Page, live_server, four_requests) -> None:
    login(page, four_requests["email"])
    page.goto("/notifications")
    _expect_badge(page, 4)
    page.get_by_role("button", name="Mark all as read").click()
    expect(page.get_by_role("button", name="Mark all as read")).to_have_count(0)
    _expect_badge(page, 0)
    assert _unread_in_database(live_server, four_requests["user_id"]) == 0
