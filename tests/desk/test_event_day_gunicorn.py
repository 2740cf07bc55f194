"""Several desks and phones at once, through gunicorn with several workers on one
database: two desks checking in the same person give one check-in and no error; both
sides of a meeting marking it at the same moment both keep their answer."""

from __future__ import annotations

import threading
from datetime import datetime
from datetime import time as clock
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from tests.app.committed import own_app
from tests.gunicorn_server import gunicorn_server

PASSWORD = "correct-horse-battery"
PAIRS = 6


def _user(email, role):
    from matchmaker.accounts.models import User
    from matchmaker.dbtypes import utcnow

    user = User(name=email.split("@")[0], email=email, role=role, email_confirmed_at=utcnow())
    user.set_password(PASSWORD)
    return user


def _seed(app) -> dict:
    """An event today with two organisers (two desks) and PAIRS published meetings that
    started at midnight, each between two participants who log in."""
    from matchmaker.events import services as events
    from matchmaker.extensions import db
    from matchmaker.meetings.services import create_meeting, place_meeting
    from matchmaker.participants.models import Organisation, Participant
    from matchmaker.planning.services import publish

    with app.app_context():
        desks = [_user(f"desk{n}@race.example", "organiser") for n in (1, 2)]
        db.session.add_all(desks)
        event = events.create_event(desks[0], name="Day", slug="day", timezone="Europe/Tallinn")
        event.organisers.append(desks[1])
        today = datetime.now(ZoneInfo("Europe/Tallinn")).date()
        events.add_session(
            event,
            day=today,
            start_time=clock(0),
            end_time=clock(23, 55),
            slot_minutes=20,
            pause_minutes=5,
        )
        tables = events.add_tables(event, PAIRS)
        events.set_status(event, "open")
        slot = events.event_slots(event)[0]
        pairs = []
        for n in range(PAIRS):
            people = []
            for side in "ab":
                user = _user(f"p{n}{side}@race.example", "participant")
                people.append(
                    Participant(
                        event=event,
                        user=user,
                        status="approved",
                        name=f"Person {n}{side}",
                        organisation=Organisation(name=f"Org {n}{side}"),
                    )
                )
            db.session.add_all(people)
            db.session.flush()
            meeting = create_meeting(event, people)
            place_meeting(meeting, slot.starts_at, slot.ends_at, tables[n].id)
            pairs.append((meeting.id, [p.id for p in people], [p.user.email for p in people]))
        publish(event, desks[0])
        db.session.commit()
        return {"desks": [d.email for d in desks], "pairs": pairs}


@pytest.fixture
def server(tmp_path):
    with gunicorn_server(tmp_path, "eventday", workers=3) as server:
        with own_app(server.database_url, tmp_path) as app:
            server.seeded = _seed(app)
        yield server


def _logged_in(server, email):
    browser = server.browser()
    status, _, html = browser.post_form("/login", {"email": email, "password": PASSWORD})
    assert status == 302, html[:500]
    return browser


def _race(calls):
    """Run the (browser, path, form) posts at the same moment; their statuses."""
    start = threading.Barrier(len(calls))
    statuses = [None] * len(calls)

    def post(i, browser, path, form):
        start.wait()
        statuses[i] = browser.request("POST", path, form)[0]

    threads = [threading.Thread(target=post, args=(i, *c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return statuses


@pytest.mark.slow
def test_two_desks_and_both_sides_at_once_lose_nothing(server):
    seeded = server.seeded
    desks = [_logged_in(server, e) for e in seeded["desks"]]
    tokens = {d: d.csrf_token("/events/day/desk") for d in desks}
    for _meeting, pids, _emails in seeded["pairs"]:
        path = f"/events/day/desk/participants/{pids[0]}/checkin"
        statuses = _race([(d, path, {"csrf_token": tokens[d]}) for d in desks])
        assert statuses == [303, 303], statuses
    for meeting, _pids, emails in seeded["pairs"]:
        sides = [_logged_in(server, e) for e in emails]
        path = f"/events/day/agenda/meetings/{meeting}/report"
        forms = [
            {"csrf_token": s.csrf_token("/events/day/agenda"), "outcome": o}
            for s, o in zip(sides, ("held", "partner_absent"), strict=True)
        ]
        statuses = _race([(s, path, f) for s, f in zip(sides, forms, strict=True)])
        assert statuses == [303, 303], statuses
    log = server.log()
    assert "Traceback" not in log and "database is locked" not in log, log[-3000:]
    with server.engine.connect() as conn:
        checkins = conn.execute(text("SELECT participant_id FROM checkins")).scalars().all()
        assert sorted(checkins) == sorted(pids[0] for _m, pids, _e in seeded["pairs"])
        reports = conn.execute(
            text("SELECT meeting_id, reporter_id, outcome FROM meeting_reports")
        ).all()
        expected = {(m, pids[0], "held") for m, pids, _e in seeded["pairs"]} | {
            (m, pids[1], "partner_absent") for m, pids, _e in seeded["pairs"]
        }
        assert set(reports) == expected
