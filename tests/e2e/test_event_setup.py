"""Issue 2's journey: register, log in, create an event with two sessions and 10 tables,
and read the slot grid in the event's local time."""

from playwright.sync_api import Page, expect


def _watch_csp(page: Page) -> list[str]:
    violations: list[str] = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text)
        if "Content Security Policy" in msg.text or "Refused to" in msg.text
        else None,
    )
    return violations


def test_organiser_sets_up_an_event_and_sees_local_slot_times(page: Page) -> None:
    violations = _watch_csp(page)

    page.goto("/register")
    page.get_by_label("Your name").fill("Kadri Tamm")
    page.get_by_label("E-mail").fill("kadri@cluster.example")
    page.get_by_label("Password").fill("tartu-science-park")
    page.get_by_label("organise events").check()
    page.get_by_role("button", name="Create account").click()
    # The same answer as for a taken address (no session yet): the mail's link confirms.
    expect(page.get_by_role("heading", name="Check your mail")).to_be_visible()

    # Log in with the new password, as a returning organiser would.
    page.locator("#check-mail").get_by_role("link", name="Log in").click()
    page.get_by_label("E-mail").fill("kadri@cluster.example")
    page.get_by_label("Password").fill("tartu-science-park")
    page.get_by_role("button", name="Log in").click()

    page.get_by_role("link", name="My events").click()
    page.get_by_role("link", name="New event").click()
    page.get_by_label("Name").fill("Baltic mechatronics brokerage day")
    page.get_by_label("Web address").fill("baltic-brokerage")
    page.get_by_label("Time zone").fill("Mars/Olympus")
    page.get_by_role("button", name="Create event").click()
    expect(page.locator("#timezone-error")).to_contain_text("Unknown time zone")
    page.get_by_label("Time zone").fill("Europe/Tallinn")
    page.get_by_role("button", name="Create event").click()
    expect(page.get_by_text("Event created")).to_be_visible()

    sessions = page.locator("#sessions")
    for start, end in (("09:00", "12:30"), ("14:00", "17:00")):
        sessions.get_by_label("Day").fill("2027-05-04")
        sessions.get_by_label("Starts").fill(start)
        sessions.get_by_label("Ends").fill(end)
        sessions.get_by_label("Slot length (minutes)").fill("20")
        sessions.get_by_label("Pause between slots (minutes)").fill("5")
        sessions.get_by_role("button", name="Add session").click()
        expect(page.locator("#sessions tbody tr")).to_have_count(1 if start == "09:00" else 2)

    # An overlapping session is refused at the field; nothing is lost.
    page.locator("#sessions").get_by_label("Day").fill("2027-05-04")
    page.locator("#sessions").get_by_label("Starts").fill("12:00")
    page.locator("#sessions").get_by_label("Ends").fill("13:00")
    page.locator("#sessions").get_by_role("button", name="Add session").click()
    expect(page.locator("#start_time-error")).to_contain_text("Overlaps")
    expect(page.locator("#sessions tbody tr")).to_have_count(2)

    tables = page.locator("#tables")
    tables.get_by_label("How many").fill("10")
    tables.get_by_role("button", name="Add tables").click()
    expect(page.locator("#tables .table-chips li")).to_have_count(10)
    expect(page.locator("#tables")).to_contain_text("Table 10")

    # The slot grid: local times in Europe/Tallinn, the zone named.
    grid = page.locator("#slot-grid")
    expect(grid).to_contain_text("Europe/Tallinn")
    slots = grid.locator("[data-slot]")
    expect(slots).to_have_count(15)
    expect(slots.first).to_contain_text("09:00–09:20")
    expect(slots.nth(7)).to_contain_text("11:55–12:15")
    expect(slots.nth(8)).to_contain_text("14:00–14:20")
    # Tallinn is UTC+3 in May: the slot's stable key is its UTC start.
    assert slots.first.get_attribute("data-slot") == "2027-05-04T06:00Z"

    state = page.locator("#event-state")
    expect(state).to_contain_text("Only you and the other organisers can see this event")
    page.get_by_role("button", name="Open registration").click()
    # The state card says what the new state does and offers only its own moves.
    expect(page.locator("#event-status")).to_have_text("Open for registration")
    expect(state).to_contain_text("Anyone can see the event and register")
    expect(state.get_by_role("button", name="Close registration")).to_be_visible()
    expect(state.get_by_role("button", name="Open registration")).to_have_count(0)
    page.goto("/")
    # The organiser finds it among their own events.
    expect(
        page.locator("#your-events").get_by_role("link", name="Baltic mechatronics brokerage day")
    ).to_be_visible()
    assert violations == []
