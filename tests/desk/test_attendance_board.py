"""Attendance marked from the agenda and at the desk; the live board; table signs."""

from __future__ import annotations

from tests.conftest import htmx_headers


def _report(client, day, meeting, outcome):
    return client.post(
        f"/events/{day.event.slug}/agenda/meetings/{meeting.id}/report",
        data={"outcome": outcome},
        headers=htmx_headers(),
    )


def test_both_sides_mark_from_their_agenda_and_the_grid_colours_it(client, auth, day_event):
    day = day_event()
    held, missed = day.meetings[0], day.meetings[1]
    auth.login(day.people[0].user)
    r = _report(client, day, held, "held")
    assert r.status_code == 200 and "Marked as held" in r.get_data(True)
    auth.logout()
    auth.login(day.people[3].user)
    r = _report(client, day, missed, "partner_absent")
    assert "your partner did not come" in r.get_data(True)
    auth.logout()
    auth.login(day.people[2].user)
    assert "Your partner says you did not come" in client.get(
        f"/events/{day.event.slug}/agenda"
    ).get_data(True)
    auth.logout()
    auth.login(day.organiser)
    url = f"/events/{day.event.slug}/desk/attendance"
    html = client.get(url, query_string={"view": "day"}).get_data(True)
    assert f'id="attendance-{held.id}" class="att-cell att-held"' in html
    assert f'id="attendance-{missed.id}" class="att-cell att-no_show"' in html
    assert f'id="attendance-{day.meetings[2].id}" class="att-cell att-unmarked"' in html
    # On the day, the grid opens on the slots around now: midnight's meetings are over.
    from matchmaker.dbtypes import utcnow

    if utcnow() > day.slots[2].ends_at:
        assert f'id="attendance-{held.id}"' not in client.get(url).get_data(True)


def test_reports_cannot_come_early_or_from_outside_the_meeting(client, auth, db, day_event):
    from matchmaker.desk.models import MeetingReport

    day = day_event()
    auth.login(day.people[1].user)
    # Not in that meeting: as if it did not exist.
    assert _report(client, day, day.meetings[1], "held").status_code == 404
    auth.logout()
    auth.login(day.people[0].user)
    # The last slot of the day has not started yet.
    assert _report(client, day, day.meetings[2], "held").status_code == 409
    assert db.query(MeetingReport).count() == 0


def test_the_organiser_marks_for_anyone(client, auth, day_event):
    day = day_event()
    m = day.meetings[0]
    auth.login(day.organiser)
    url = f"/events/{day.event.slug}/desk/meetings/{m.id}/attendance"
    r = client.post(url, data={"mark": f"absent:{day.people[1].id}"}, headers=htmx_headers())
    assert "att-no_show" in r.get_data(True) and "did not come" in r.get_data(True)
    r = client.post(url, data={"mark": "held"}, headers=htmx_headers())
    assert "att-held" in r.get_data(True)
    r = client.post(url, data={"mark": "clear"}, headers=htmx_headers())
    assert "att-unmarked" in r.get_data(True)


def test_the_live_board_shows_the_current_and_next_slot_by_its_secret_link(
    client, auth, db, day_event
):
    day = day_event()
    auth.login(day.organiser)
    html = client.get(f"/events/{day.event.slug}/desk/board").get_data(True)
    token = html.split("/board/")[1].split('"')[0]
    auth.logout()
    first, second = day.slots[0], day.slots[1]
    at = first.starts_at.isoformat()
    html = client.get(f"/board/{token}", query_string={"now": at}).get_data(True)
    assert "Anna Virtanen" in html and "Kadri Tamm" in html
    assert first.local_start.strftime("%H:%M") in html and day.event.timezone in html
    # In the next slot, nothing is on and the next round is the one after.
    html = client.get(
        f"/board/{token}/live", query_string={"now": second.starts_at.isoformat()}
    ).get_data(True)
    assert "<html" not in html and "Anna Virtanen" not in html and "every 15s" in html
    assert client.get("/board/not-the-token").status_code == 404
    auth.login(day.organiser)
    client.post(f"/events/{day.event.slug}/desk/board")
    assert client.get(f"/board/{token}").status_code == 404


def test_table_signs_one_per_table_with_the_days_meetings(client, auth, day_event):
    day = day_event()
    auth.login(day.organiser)
    html = client.get(f"/events/{day.event.slug}/desk/signs").get_data(True)
    assert html.count('class="table-sign"') == 2
    sign = html.split(f'id="sign-{day.event.tables[0].id}"')[1].split("</section>")[0]
    assert "Anna Virtanen" in sign and "Thandi Nkosi" in sign and "Jukka" not in sign


def test_the_boards_clock_is_set_by_the_url_only_in_tests(app, client, auth, day_event):
    day = day_event()
    auth.login(day.organiser)
    html = client.get(f"/events/{day.event.slug}/desk/board").get_data(True)
    token = html.split("/board/")[1].split('"')[0]
    at = day.slots[0].starts_at.isoformat()
    assert "Anna Virtanen" in client.get(f"/board/{token}", query_string={"now": at}).get_data(True)
    app.config["TESTING"] = False
    try:
        html = client.get(f"/board/{token}", query_string={"now": at}).get_data(True)
    finally:
        app.config["TESTING"] = True
    # The real clock: the first slot (from midnight) is over (unless it is just now).
    from matchmaker.dbtypes import utcnow

    if utcnow() < day.slots[0].ends_at:
        return
    assert "Anna Virtanen" not in html.split('id="live-now"')[1].split("live-next")[0]
