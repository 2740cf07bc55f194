"""Check-in at the desk: search as one types, one tap in and out, counts, QR codes."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.conftest import htmx_headers


def _count(db):
    from matchmaker.desk.models import CheckIn

    return db.scalar(select(func.count(CheckIn.id)))


def test_search_finds_by_name_or_organisation_as_one_types(client, auth, day_event):
    day = day_event()
    auth.login(day.organiser)
    url = f"/events/{day.event.slug}/desk"
    html = client.get(url, query_string={"q": "thandi"}, headers=htmx_headers()).get_data(True)
    assert "<html" not in html and "Thandi Nkosi" in html and "Anna Virtanen" not in html
    org = day.people[2].organisation.name
    html = client.get(url, query_string={"q": org.upper()}, headers=htmx_headers()).get_data(True)
    assert "Kadri Tamm" in html and "Thandi" not in html
    # LIKE wildcards are searched for as such, not as wildcards.
    html = client.get(url, query_string={"q": "%"}, headers=htmx_headers()).get_data(True)
    assert "Nobody matches" in html


def test_check_in_counts_and_undo(client, auth, db, day_event):
    day = day_event()
    auth.login(day.organiser)
    p = day.people[1]
    base = f"/events/{day.event.slug}/desk"
    assert '<strong id="checkin-count">0</strong> of 4' in client.get(base).get_data(True)
    r = client.post(f"{base}/participants/{p.id}/checkin", headers=htmx_headers())
    assert r.status_code == 200 and "Undo" in r.get_data(True)
    assert "counts-changed" in r.headers["HX-Trigger"]
    # A second desk taps the same person: still one check-in, and it says so.
    r = client.post(f"{base}/participants/{p.id}/checkin", headers=htmx_headers())
    assert "Checked in already" in r.get_data(True) and _count(db) == 1
    assert '<strong id="checkin-count">1</strong> of 4' in client.get(f"{base}/counts").get_data(
        True
    )
    client.post(f"{base}/participants/{p.id}/undo", headers=htmx_headers())
    assert _count(db) == 0


def test_only_the_events_organisers_use_the_desk(client, auth, make_user, day_event):
    day = day_event()
    other = make_user("organiser")
    auth.login(other)
    base = f"/events/{day.event.slug}/desk"
    assert client.get(base).status_code == 404
    assert client.post(f"{base}/participants/{day.people[0].id}/checkin").status_code == 404


def test_a_scanned_code_checks_its_holder_in_and_nothing_else(client, auth, db, day_event):
    from matchmaker.desk import codes

    day = day_event()
    p = day.people[0]
    token = codes.checkin_token(p)
    # The participant (or anyone) opening their own code gets only a note.
    auth.login(p.user)
    html = client.get(f"/c/{token}").get_data(True)
    assert "Show it at the registration desk" in html and p.name not in html
    assert client.post(f"/c/{token}").status_code == 404 and _count(db) == 0
    auth.logout()
    auth.login(day.organiser)
    scan = f"/events/{day.event.slug}/desk/scan"
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    r = client.post(scan, data={"code": f"http://x/c/{forged}"}, headers=htmx_headers())
    assert r.status_code == 422 and _count(db) == 0
    r = client.post(scan, data={"code": codes.checkin_url(p)}, headers=htmx_headers())
    assert r.status_code == 200 and "is checked in" in r.get_data(True) and _count(db) == 1
    # An organiser whose phone camera opened the code's link checks the holder in there.
    client.post(f"/events/{day.event.slug}/desk/participants/{p.id}/undo")
    assert p.name in client.get(f"/c/{token}").get_data(True)
    assert client.post(f"/c/{token}").status_code == 303 and _count(db) == 1


def test_badges_and_agenda_carry_a_qr_code_of_the_token(client, auth, day_event):
    from matchmaker.desk import codes

    day = day_event()
    auth.login(day.organiser)
    html = client.get(f"/events/{day.event.slug}/desk/badges").get_data(True)
    assert html.count("<svg") == 4 and "Anna Virtanen" in html
    auth.logout()
    auth.login(day.people[0].user)
    html = client.get(f"/events/{day.event.slug}/agenda").get_data(True)
    assert 'id="agenda-qr"' in html and "<svg" in html
    assert codes.participant_of_token(codes.checkin_token(day.people[0])) == day.people[0]


def test_not_checked_in_after_the_organisers_time_is_flagged_to_them_and_partners(
    client, auth, day_event
):
    day = day_event()
    auth.login(day.organiser)
    base = f"/events/{day.event.slug}/desk"
    client.post(f"{base}/participants/{day.people[0].id}/checkin")
    html = client.get(f"{base}/attendance?view=day").get_data(True)
    assert "late-flag" not in html
    assert client.post(f"{base}/late", data={"late_after": "nonsense"}).status_code == 422
    client.post(f"{base}/late", data={"late_after": "00:00"})
    html = client.get(f"{base}/attendance?view=day").get_data(True)
    row = html.split(f'id="missing-{day.people[1].id}"')[1].split("</li>")[0]
    assert "late (after 00:00)" in row
    assert f'id="missing-{day.people[0].id}"' not in html  # she came
    auth.logout()
    # Anna's partner in the evening meeting (Kadri) has not come: Anna's agenda says so.
    auth.login(day.people[0].user)
    agenda = client.get(f"/events/{day.event.slug}/agenda").get_data(True)
    later = agenda.split(f'id="report-{day.meetings[2].id}"')[1].split("</div>")[0]
    assert "Your partner has not checked in yet" in later
