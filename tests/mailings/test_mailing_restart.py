"""A mailing survives a worker restart in its middle, and two workers at once: a real
Huey consumer on a SQLite queue file, a real SMTP server, a database of its own (what
the worker commits is what the test reads). Every recipient gets the mail exactly once."""

from __future__ import annotations

import time
from collections import Counter

import pytest
from sqlalchemy import func, select

from tests.app.committed import own_app
from tests.conftest import PASSWORD
from tests.gunicorn_server import fresh_database
from tests.mailings.conftest import start_smtp

RECIPIENTS = 30


def _seed(app) -> tuple[str, str]:
    from matchmaker.accounts.models import User
    from matchmaker.events import services
    from matchmaker.extensions import db
    from matchmaker.participants.models import Organisation, Participant

    with app.app_context():
        organiser = User(email="org@restart.test", name="Org", role="organiser")
        organiser.set_password(PASSWORD)
        db.session.add(organiser)
        db.session.flush()
        event = services.create_event(
            organiser, name="Restart", slug="restart", timezone="UTC", venue="", description=""
        )
        event.status = "open"  # a draft is mailed as well; open is the usual case
        for n in range(RECIPIENTS):
            db.session.add(
                Participant(
                    event=event,
                    organisation=Organisation(name=f"Org {n}", country="FI"),
                    status="approved",
                    name=f"Person {n}",
                    email=f"p{n}@restart.test",
                )
            )
        db.session.commit()
        return organiser.email, event.slug


def _consumer(app):
    from matchmaker.worker import consumer_for

    consumer = consumer_for(
        "jobs", app, workers=2, periodic=False, initial_delay=0.02, check_worker_health=False
    )
    consumer._set_signal_handlers = lambda: None  # keep pytest's own handlers
    consumer.start()
    return consumer


def _wait(condition, timeout=60.0):
    stop = time.monotonic() + timeout
    while time.monotonic() < stop:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("timed out")


@pytest.mark.slow
def test_every_recipient_gets_the_mailing_once_across_a_worker_restart(tmp_path, monkeypatch):
    from matchmaker.extensions import db
    from matchmaker.mailings import tasks
    from matchmaker.mailings.models import Mailing, OutboxMail

    monkeypatch.setattr(tasks, "CHUNK_SECONDS", 0.3)  # many hand-overs in 30 messages
    inbox, controller, port = start_smtp()
    url = fresh_database(tmp_path, "mailrestart")
    config = {
        "HUEY_IMMEDIATE": False,
        "HUEY_SQLITE_PATH": str(tmp_path / "huey.db"),
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": port,
        "MAIL_USE_TLS": False,
        "MAIL_RATE": 30,
    }
    try:
        with own_app(url, tmp_path, **config) as app:
            email, slug = _seed(app)
            client = app.test_client()
            client.post("/login", data={"email": email, "password": PASSWORD})
            first = _consumer(app)
            try:
                answer = client.post(
                    f"/events/{slug}/mailings",
                    data={"subject": "Hi {name}", "body": "Hello {name}", "audience": "everyone"},
                )
                assert answer.status_code == 303
                _wait(lambda: len(inbox.messages) >= 5)
            finally:
                first.stop(graceful=True)  # the worker goes away in the middle
            stopped_at = len(inbox.messages)
            assert 5 <= stopped_at < RECIPIENTS, "the restart must fall inside the mailing"
            time.sleep(0.5)
            assert len(inbox.messages) == stopped_at  # nobody sends while it is down

            with app.app_context():
                mailing_id = db.session.scalar(select(Mailing.id))
            second = _consumer(app)
            try:
                # And a second job for the same mailing (the watchdog's, another worker's):
                # both take rows, neither takes one the other has.
                tasks.send_mailing(mailing_id)

                def done():
                    with app.app_context():
                        try:
                            return db.session.get(Mailing, mailing_id).status == "done"
                        finally:
                            db.session.remove()

                _wait(done)
            finally:
                second.stop(graceful=True)

            received = Counter(rcpt for rcpts, _ in inbox.messages for rcpt in rcpts)
            assert received == Counter({f"p{n}@restart.test": 1 for n in range(RECIPIENTS)})
            with app.app_context():
                statuses = dict(
                    db.session.execute(
                        select(OutboxMail.status, func.count()).group_by(OutboxMail.status)
                    ).all()
                )
                assert statuses == {"sent": RECIPIENTS}
                subjects = {m["Subject"] for _, m in inbox.messages}
                assert subjects == {f"Hi Person {n}" for n in range(RECIPIENTS)}
                db.session.remove()
    finally:
        controller.stop()
