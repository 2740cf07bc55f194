"""A mailing to 2,000 recipients with placeholders: how long the page takes to queue it,
how fast one job worker sends it to a local SMTP server (aiosmtpd), and memory meanwhile.

    .venv/bin/python bench/mailing.py [--recipients 2000] [--rate 0] [--threads 1]

``--rate 0`` sends as fast as the worker can (the throughput); the app's default pace is
MAIL_RATE=10 a second. Prints figures; asserts nothing. Uses a fresh SQLite file, or
DATABASE_URL's server if set (it must be an empty scratch database).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class CountingInbox:
    def __init__(self) -> None:
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        with self.lock:
            self.count += 1
        return "250 OK"


def seed(app, recipients: int) -> tuple[str, str]:
    from sqlalchemy import insert

    from matchmaker.accounts.models import User
    from matchmaker.events import services
    from matchmaker.extensions import db
    from matchmaker.participants.models import Organisation, Participant

    with app.app_context():
        organiser = User(email="org@bench.example", name="Bench Organiser", role="organiser")
        organiser.set_password("bench-password")
        db.session.add(organiser)
        db.session.flush()
        event = services.create_event(
            organiser, name="EEN brokerage", slug="een", timezone="Europe/Brussels"
        )
        event.status = "open"
        db.session.flush()
        orgs = [{"name": f"Company {i}", "country": "FI", "kind": "sme"} for i in range(recipients)]
        db.session.execute(insert(Organisation), orgs)
        org_ids = [
            i for (i,) in db.session.execute(db.select(Organisation.id).order_by(Organisation.id))
        ]
        rows = [
            {
                "event_id": event.id,
                "organisation_id": org_id,
                "status": "approved",
                "name": f"Person {i}",
                "email": f"person{i}@bench.example",
            }
            for i, org_id in enumerate(org_ids)
        ]
        db.session.execute(insert(Participant), rows)
        db.session.commit()
        return organiser.email, event.slug


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--recipients", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=0, help="messages/s; 0: unpaced")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()

    from aiosmtpd.controller import Controller

    from matchmaker import create_app
    from matchmaker.extensions import db
    from matchmaker.mailings.models import Mailing

    tmp = Path(tempfile.mkdtemp(prefix="bench-mailing-"))
    inbox = CountingInbox()
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp / 'bench.db'}"
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url.replace("postgresql://", "postgresql+psycopg://", 1),
            "SECRET_KEY": "bench",
            "WTF_CSRF_ENABLED": False,
            "HUEY_IMMEDIATE": False,
            "HUEY_SQLITE_PATH": str(tmp / "huey.db"),
            "BASE_URL": "http://bench.example",
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": port,
            "MAIL_USE_TLS": False,
            "MAIL_RATE": args.rate or 1_000_000,
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        }
    )
    from flask_migrate import upgrade

    with app.app_context():
        upgrade(directory=str(Path(__file__).resolve().parents[1] / "migrations"))
    email, slug = seed(app, args.recipients)
    client = app.test_client()
    client.post("/login", data={"email": email, "password": "bench-password"})
    form = {
        "audience": "everyone",
        "subject": "{name}: two days left to request meetings",
        "body": "Dear {name} of {organisation},\n\nTwo days left at **{event}**.\n\n"
        "Your agenda: {agenda_link}\nYour calendar: {calendar_link}\n",
    }
    started = time.perf_counter()
    preview = client.post(f"/events/{slug}/mailings", data={**form, "preview": "1"})
    preview_s = time.perf_counter() - started
    started = time.perf_counter()
    sent = client.post(f"/events/{slug}/mailings", data=form)
    queue_s = time.perf_counter() - started
    assert preview.status_code == 200 and sent.status_code == 303, sent.status_code
    print(f"recipients                 {args.recipients}")
    print(f"preview (count + 1 render) {preview_s * 1000:8.0f} ms")
    print(f"send: queue every row      {queue_s * 1000:8.0f} ms  (the page's answer)")

    from matchmaker.worker import consumer_for

    rss_before = rss_mb()
    samples = []
    consumer = consumer_for(
        "jobs",
        app,
        workers=args.threads,
        periodic=False,
        initial_delay=0.01,
        check_worker_health=False,
    )
    consumer._set_signal_handlers = lambda: None
    started = time.perf_counter()
    consumer.start()
    try:
        while True:
            samples.append(rss_mb())
            with app.app_context():
                done = db.session.scalar(db.select(Mailing.status)) == "done"
                db.session.remove()
            if done:
                break
            time.sleep(0.5)
    finally:
        consumer.stop(graceful=True)
        controller.stop()
    seconds = time.perf_counter() - started
    print(
        f"worker: {inbox.count} delivered in {seconds:6.1f} s = {inbox.count / seconds:6.1f} msg/s"
        f" ({args.threads} thread(s), {'unpaced' if not args.rate else f'paced {args.rate}/s'})"
    )
    print(
        f"RSS before sending {rss_before:6.1f} MB; while sending min {min(samples):6.1f} "
        f"max {max(samples):6.1f} MB ({len(samples)} samples)"
    )
    if not args.rate:
        print(
            f"at the default pace (10/s) the same mailing takes {args.recipients / 10 / 60:.1f} min"
        )


if __name__ == "__main__":
    main()
