"""Organiser pages on a phone (390 px) do not scroll sideways: a wide table scrolls in its
own box.  Found by crawling the demo: the participants list (the import form's example
line, and the table's hidden labels, placed against the page instead of the table's
box), the team page (a table without its box) and a participant's page (the same)
pushed the whole page 74-191 px wider than the screen."""

from __future__ import annotations

from datetime import date

from playwright.sync_api import Page

from tests.e2e.seeding import seed_open_event, seed_user
from tests.e2e.test_event_day import PASSWORD, _login


def test_organiser_pages_fit_a_phone(page: Page, live_server) -> None:
    from matchmaker.meetings.booking import request_meeting
    from matchmaker.participants.models import Organisation, Participant

    with live_server.seeding() as session:
        organiser = seed_user(
            session, "Kadri Tamm", "kadri.tamm@phone-width.example", PASSWORD, role="organiser"
        )
        event = seed_open_event(
            organiser,
            name="Phone width mission",
            slug="phone-width-mission",
            timezone="Africa/Johannesburg",
            day=date(2027, 3, 9),
            tables=4,
        )
        people = []
        for name, org in (
            ("Anna Virtanen", "HydroCyl Oy Hydraulic Cylinder Manufacturing"),
            ("Thandi Nkosi", "Bell Equipment Procurement and Supplier Development"),
        ):
            user = seed_user(
                session, name, f"{name.split()[0].lower()}@phone-width.example", PASSWORD
            )
            person = Participant(
                event=event,
                user=user,
                organisation=Organisation(name=org, country="FI"),
                status="approved",
                name=name,
                email=user.email,
            )
            session.add(person)
            people.append(person)
        session.flush()
        request_meeting(people[1], people[0], "About cylinders for the B60E dump truck")
        slug, anna = event.slug, people[0].id
    page.set_viewport_size({"width": 390, "height": 844})
    _login(page, "kadri.tamm@phone-width.example")
    for path in (
        f"/events/{slug}/organiser/participants",
        f"/events/{slug}/team",
        f"/events/{slug}/organiser/participants/{anna}",
    ):
        page.goto(path)
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= 390, f"{path} is {wide} px wide on a 390 px screen"
