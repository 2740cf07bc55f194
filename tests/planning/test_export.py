"""CSV exports for organisers: the schedule and the participant list."""

from __future__ import annotations

import csv
import io

from matchmaker.events.services import event_slots
from matchmaker.meetings.services import place_meeting
from matchmaker.participants.models import Organisation


def read_csv(response) -> list[list[str]]:
    body = response.get_data()
    assert body.startswith("\ufeff".encode())  # Excel needs the mark to read UTF-8
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_schedule_export_in_local_time_with_tables_and_contacts(
    client, auth, db, scheduled_event, make_user
):
    s = scheduled_event()
    s.people[0].organisation = Organisation(name='=HYPERLINK("x") Oy', country="FI")
    s.people[1].organisation = Organisation(name="Hüdrosilinder OÜ", country="EE")
    slots = event_slots(s.event)
    first = s.meetings[0]  # people 0 and 1
    place_meeting(first, slots[1].starts_at, slots[1].ends_at, s.event.tables[2].id)
    first.locked = True
    db.flush()
    auth.login(s.organiser)
    response = client.get(f"/events/{s.event.slug}/schedule.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0][:5] == ["Day (Africa/Johannesburg)", "Start", "End", "Table", "Locked"]
    placed = rows[1]
    # Slot 2 of the Tuesday session (09:00 + 25 min) in the event's zone, not UTC.
    assert placed[:5] == ["2027-03-09", "09:25", "09:45", s.event.tables[2].name, "yes"]
    assert '\'=HYPERLINK("x") Oy' in placed  # never a live formula
    assert "Hüdrosilinder OÜ" in placed and s.people[1].email in placed
    assert len(rows) == 1 + len(s.meetings)  # unplaced meetings are listed, without a time
    assert all(r[0] == "" for r in rows[2:])

    auth.logout()
    auth.login(make_user("organiser"))
    assert client.get(f"/events/{s.event.slug}/schedule.csv").status_code == 404
    auth.logout()
    auth.login(s.people[0].user)
    assert client.get(f"/events/{s.event.slug}/schedule.csv").status_code == 403


def test_participant_list_export(client, auth, db, make_event, make_participant):
    event = make_event(max_meetings_per_participant=12)
    approved = make_participant(event, max_meetings=5)
    pending = make_participant(event, status="pending")
    auth.login(event.organisers[0])
    response = client.get(f"/events/{event.slug}/organiser/participants.csv")
    assert response.status_code == 200
    rows = read_csv(response)
    assert rows[0][0] == "Organisation" and rows[0][-1] == "Meeting limit"
    by_email = {r[4]: r for r in rows[1:]}
    assert by_email[approved.email][5] == "approved" and by_email[approved.email][-1] == "5"
    assert by_email[pending.email][5] == "pending" and by_email[pending.email][-1] == "12"
    auth.logout()
    auth.login(approved.user)
    assert client.get(f"/events/{event.slug}/organiser/participants.csv").status_code == 403


def test_cli_export_prints_the_csv_the_page_downloads(app, client, auth, db, scheduled_event):
    """``flask schedule export SLUG``: the draft; the published schedule when the draft
    places nothing."""
    from matchmaker.planning import services

    s = scheduled_event()
    slots = event_slots(s.event)
    for i, m in enumerate(s.meetings[:3]):
        place_meeting(m, slots[i].starts_at, slots[i].ends_at, s.event.tables[0].id)
    db.flush()
    runner = app.test_cli_runner()
    printed = runner.invoke(args=["schedule", "export", s.event.slug])
    assert printed.exit_code == 0, printed.output
    auth.login(s.organiser)
    page = client.get(f"/events/{s.event.slug}/schedule.csv").get_data()
    assert printed.stdout_bytes == page
    rows = list(csv.reader(io.StringIO(printed.output.lstrip("\ufeff"))))
    assert [r[1] for r in rows[1:4]] == ["09:00", "09:25", "09:50"]

    services.publish(s.event, None)
    for m in s.meetings[:3]:
        place_meeting(m, None, None, None)
    db.flush()
    published = runner.invoke(args=["schedule", "export", s.event.slug])
    again = list(csv.reader(io.StringIO(published.output.lstrip("\ufeff"))))
    assert again == rows[:4]  # the published copy, as it was (placed meetings only)

    missing = runner.invoke(args=["schedule", "export", "no-such-event"])
    assert missing.exit_code != 0
