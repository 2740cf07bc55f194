"""The "My meetings" poll: a 304 from data versions when nothing changed for this person,
the new counts as soon as something did (theirs, or the event's)."""

from matchmaker.meetings.models import MeetingRequest
from tests.conftest import htmx_headers


def _poll(client, event, etag=None, show=""):
    headers = htmx_headers()
    if etag:
        headers["If-None-Match"] = etag
    return client.get(f"/events/{event.slug}/meetings/counts?show={show}", headers=headers)


def _ask(client, event, other):
    response = client.post(
        f"/events/{event.slug}/participants/{other.id}/request",
        data={"message": "Cylinders?"},
        headers=htmx_headers(),
    )
    assert response.status_code == 200


def test_a_poll_that_finds_nothing_new_is_a_304_until_this_persons_counts_change(
    client, db, make_event, make_participant, auth
):
    event = make_event(max_meetings_per_participant=5)
    anna, thandi, carl, dora = (make_participant(event) for _ in range(4))
    db.commit()

    auth.login(anna.user)
    first = _poll(client, event)
    assert first.status_code == 200 and 'id="meeting-tabs"' in first.get_data(as_text=True)
    etag = first.headers["ETag"]
    assert (
        "no-cache" in first.headers["Cache-Control"] and "private" in first.headers["Cache-Control"]
    )
    again = _poll(client, event, etag)
    assert again.status_code == 304 and again.get_data() == b""
    assert again.headers["ETag"] == etag
    auth.logout()

    # Other people's requests do not concern Anna: still nothing new for her.
    auth.login(carl.user)
    _ask(client, event, dora)
    auth.logout()
    auth.login(anna.user)
    assert _poll(client, event, etag).status_code == 304
    auth.logout()

    # A request to Anna: her very next poll has it.
    auth.login(thandi.user)
    _ask(client, event, anna)
    auth.logout()
    auth.login(anna.user)
    changed = _poll(client, event, etag)
    html = changed.get_data(as_text=True)
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert 'id="tab-incoming"' in html and '<span class="badge">1</span>' in html
    etag = changed.headers["ETag"]
    assert _poll(client, event, etag).status_code == 304

    # She declines it (a one-row UPDATE statement, not an ORM flush): the counts move.
    req = db.query(MeetingRequest).filter_by(recipient_id=anna.id).one()
    response = client.post(
        f"/events/{event.slug}/requests/{req.id}/decline", data={}, headers=htmx_headers()
    )
    assert response.status_code == 200
    after = _poll(client, event, etag)
    assert after.status_code == 200 and '<span class="badge">' not in after.get_data(as_text=True)


def test_the_limit_line_follows_a_change_of_the_events_limit(
    client, db, make_event, make_participant, auth
):
    event = make_event(max_meetings_per_participant=5)
    anna = make_participant(event)
    make_participant(event)
    db.commit()
    auth.login(anna.user)
    first = _poll(client, event, show="limit")
    assert "of at most 5 open" in first.get_data(as_text=True)
    etag = first.headers["ETag"]
    assert _poll(client, event, etag, show="limit").status_code == 304
    # Each tab's answer is its own: the badge is not the limit line.
    assert _poll(client, event, etag, show="badge").status_code == 200

    event.max_meetings_per_participant = 3
    db.commit()
    changed = _poll(client, event, etag, show="limit")
    assert changed.status_code == 200 and "of at most 3 open" in changed.get_data(as_text=True)


def test_someone_elses_etag_gets_no_304_and_nobody_unregistered_gets_one(
    client, db, make_event, make_participant, make_user, auth
):
    event = make_event()
    anna, thandi = make_participant(event), make_participant(event)
    db.commit()
    auth.login(anna.user)
    etag = _poll(client, event).headers["ETag"]
    auth.logout()
    auth.login(thandi.user)
    assert _poll(client, event, etag).status_code == 200
    auth.logout()
    auth.login(make_user())
    assert _poll(client, event, etag).status_code == 403


def test_a_poll_that_finds_nothing_new_reads_the_log_in_and_the_versions_and_writes_nothing(
    client, db, make_event, make_participant, auth
):
    """Two thousand phones poll every 10 s: the 304 is one statement for the log-in (the
    user and this browser's session row together) and one for the data versions."""
    from sqlalchemy import event as sa_event
    from sqlalchemy.engine import Engine

    event = make_event()
    anna = make_participant(event)
    db.commit()
    auth.login(anna.user)
    etag = _poll(client, event).headers["ETag"]
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            statements.append(statement)

    sa_event.listen(Engine, "before_cursor_execute", record)
    try:
        assert _poll(client, event, etag).status_code == 304
    finally:
        sa_event.remove(Engine, "before_cursor_execute", record)
    assert len(statements) == 2, statements
    assert all(s.lstrip().upper().startswith("SELECT") for s in statements), statements
    assert "user_sessions" in statements[0] and "users" in statements[0]
