"""Two gunicorn workers, one database: simultaneous bookings of one place, one winner.

Production runs several worker processes on one database (a SQLite file by default).
Two organisers (or two tabs) who put two meetings into the same slot at the same table
at the same moment must get one success and one 409, never a 500 ("database is
locked") and never a meeting half moved (the meeting placed but not its attendees).
Everything goes through real HTTP to `gunicorn wsgi:app`, as deployed.
"""

from __future__ import annotations

import threading
from datetime import date
from datetime import time as clock

import pytest
from sqlalchemy import text

from tests.app.committed import own_app
from tests.gunicorn_server import gunicorn_server

PASSWORD = "correct-horse-battery"
ROUNDS = 8


def _seed(app) -> dict:
    """Two organisers of one event; per round two unplaced meetings of four companies."""
    from matchmaker.accounts.models import User
    from matchmaker.dbtypes import utcnow
    from matchmaker.events import services as events
    from matchmaker.extensions import db
    from matchmaker.meetings.services import create_meeting
    from matchmaker.participants.models import Organisation, Participant

    with app.app_context():
        organisers = []
        for n in (1, 2):
            user = User(name=f"Organiser {n}", email=f"org{n}@race.example", role="organiser")
            user.set_password(PASSWORD)
            if hasattr(user, "email_confirmed_at"):
                user.email_confirmed_at = utcnow()
            organisers.append(user)
        db.session.add_all(organisers)
        event = events.create_event(
            organisers[0], name="Race", slug="race", timezone="Africa/Johannesburg"
        )
        event.organisers.append(organisers[1])
        events.add_session(
            event,
            day=date(2027, 3, 9),
            start_time=clock(9),
            end_time=clock(9 + ROUNDS),
            slot_minutes=30,
            pause_minutes=30,
        )
        (table,) = events.add_tables(event, 1)
        events.set_status(event, "open")
        rounds = []
        for r in range(ROUNDS):
            people = [
                Participant(
                    event=event,
                    organisation=Organisation(name=f"Round {r} company {i}", country="FI"),
                    status="approved",
                    name=f"Person {r}.{i}",
                )
                for i in range(4)
            ]
            db.session.add_all(people)
            db.session.flush()
            a, b = create_meeting(event, people[:2]), create_meeting(event, people[2:])
            rounds.append((a.id, b.id))
        slots = events.event_slots(event)
        assert len(slots) >= ROUNDS
        db.session.commit()
        return {
            "slug": event.slug,
            "table": table.id,
            "targets": [f"{slots[r].key}@{table.id}" for r in range(ROUNDS)],
            "rounds": rounds,
            "emails": [o.email for o in organisers],
        }


@pytest.fixture
def server(tmp_path):
    """`gunicorn -w 2 wsgi:app` on a fresh, migrated database, seeded for the race."""
    with gunicorn_server(tmp_path, "race", workers=2) as server:
        with own_app(server.database_url, tmp_path) as app:
            server.seeded = _seed(app)
        yield server


def _logged_in(server, email: str):
    browser = server.browser()
    status, _, html = browser.post_form("/login", {"email": email, "password": PASSWORD})
    assert status == 302, html[:500]
    return browser


@pytest.mark.slow
def test_two_workers_place_two_meetings_in_one_place_at_once_one_wins(server):
    seeded, slug = server.seeded, server.seeded["slug"]
    people = [_logged_in(server, email) for email in seeded["emails"]]
    token = {}
    for browser in people:  # the form's token, fetched before the race (one per session)
        token[browser] = browser.csrf_token(f"/events/{slug}/schedule")
    rounds, refusals = [], []
    for meetings, target in zip(seeded["rounds"], seeded["targets"], strict=True):
        start = threading.Barrier(2)
        answers: dict[int, int] = {}

        def move(browser, meeting_id, target=target, start=start, answers=answers):
            form = {"csrf_token": token[browser], "target": target}
            start.wait()
            status, _, html = browser.request(
                "POST", f"/events/{slug}/schedule/meetings/{meeting_id}/move", form
            )
            answers[meeting_id] = status
            # Who said no: the re-check (it saw the other move) or the database's index.
            if "taken already" in html:
                refusals.append("database")
            elif "not free for this meeting any more" in html:
                refusals.append("re-check")

        threads = [
            threading.Thread(target=move, args=(browser, meeting_id))
            for browser, meeting_id in zip(people, meetings, strict=True)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        rounds.append(answers)

    log = server.log()
    for answers in rounds:  # exactly one winner (redirected to the board), one 409
        assert sorted(answers.values()) == [302, 409], (rounds, refusals, log[-3000:])
    assert "database is locked" not in log and "Traceback" not in log, log[-3000:]

    # What is committed, read through a connection of the test's own.
    with server.engine.connect() as conn:
        for meetings in seeded["rounds"]:
            rows = conn.execute(
                text(
                    "SELECT m.id, m.slot_start, m.table_id, mp.slot_start FROM meetings m "
                    "JOIN meeting_participants mp ON mp.meeting_id = m.id "
                    "WHERE m.id IN (:a, :b)"
                ),
                dict(zip("ab", meetings, strict=True)),
            ).all()
            assert len(rows) == 4
            assert len({m for m, start, _t, _s in rows if start is not None}) == 1, rows
            for _m, start, table, attendee_start in rows:
                # Never half moved: the attendees are where their meeting is.
                assert attendee_start == start
                assert table == (seeded["table"] if start is not None else None)
