"""Requests per second of a participant's calendar feed, of its 304 revalidation, and of
a bare Flask route, all served in the same run by gunicorn (2 sync workers).

    .venv/bin/python bench/feeds.py [--seconds 5] [--threads 4] [--rounds 3]

Setup: a throwaway SQLite database (migrated with Alembic) holding one event with a
published schedule in which one participant has 12 meetings (each with a request
message and the other side's offers), plus a programme item. The bare route is not
part of the application: this script writes a tiny WSGI module in a temp folder that
builds the real app with ``create_app()`` and adds ``/bench/bare`` (``@public``,
returns "ok"), so it passes through exactly the same hooks as the feed (access check,
security headers). Gunicorn runs without an access log.

The client is Python threads with ``http.client`` on loopback, a bounded number of
workers hitting one URL for a fixed time; rounds alternate bare/feed/304 so drift hits
all three alike, and the median round is reported. Figures, not assertions.
"""

from __future__ import annotations

import argparse
import http.client
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

WSGI = """
from matchmaker import create_app
from matchmaker.access import public

app = create_app()


@app.get("/bench/bare")
@public
def bench_bare():
    return "ok"
"""


def seed(env: dict) -> str:
    """Create the event, schedule and participant; return the feed's path."""
    os.environ.update(env)
    from datetime import UTC, date, datetime, time, timedelta

    from flask_migrate import upgrade

    from matchmaker import create_app
    from matchmaker.accounts.models import User
    from matchmaker.calendar import services as calendar
    from matchmaker.events import services as events
    from matchmaker.events.models import ProgrammeItem
    from matchmaker.extensions import db
    from matchmaker.meetings.models import MeetingRequest
    from matchmaker.meetings.services import create_meeting, place_meeting
    from matchmaker.participants.models import Opportunity, Organisation, Participant
    from matchmaker.planning.services import publish

    app = create_app()
    with app.app_context():
        upgrade()
        organiser = User(email="org@bench.test", name="Organiser", role="organiser")
        organiser.set_password("bench-password-1")
        db.session.add(organiser)
        event = events.create_event(
            organiser,
            name="Bench mission",
            slug="bench",
            timezone="Africa/Johannesburg",
            venue="Richards Bay",
            description="",
            requires_approval=True,
        )
        for start, end in ((time(9), time(12, 30)), (time(14), time(17))):
            events.add_session(
                event,
                day=date(2030, 3, 9),
                start_time=start,
                end_time=end,
                slot_minutes=20,
                pause_minutes=5,
            )
        events.add_tables(event, 12)
        people = []
        for n in range(13):
            person = Participant(
                event=event,
                organisation=Organisation(name=f"Company {n}; Ltd, \\ branch"),
                status="approved",
                name=f"Person {n}",
                email=f"p{n}@bench.test",
            )
            person.opportunities = [
                Opportunity(kind="offer", title=f"Hydraulic part {n}"),
                Opportunity(kind="request", title=f"Distributor {n}"),
            ]
            people.append(person)
        db.session.add_all(people)
        db.session.flush()
        me, slots = people[0], events.event_slots(event)
        for n, other in enumerate(people[1:]):
            request = MeetingRequest(
                event_id=event.id,
                requester_id=other.id,
                recipient_id=me.id,
                pair_low=min(me.id, other.id),
                pair_high=max(me.id, other.id),
                status="accepted",
                message=f"Hello from company {n}, about belts; and chains.",
            )
            db.session.add(request)
            meeting = create_meeting(event, [me, other], request=request)
            place_meeting(meeting, slots[n].starts_at, slots[n].ends_at, event.tables[n].id)
        start = datetime(2030, 3, 9, 17, tzinfo=UTC)
        db.session.add(
            ProgrammeItem(
                event=event, title="Dinner", starts_at=start, ends_at=start + timedelta(hours=2)
            )
        )
        publish(event, organiser)
        path = f"/feeds/{calendar.feed_token(calendar.participant_feed(me))}.ics"
        db.session.commit()
        return path


def hammer(port: int, path: str, headers: dict, seconds: float, threads: int) -> float:
    """Requests per second over ``seconds`` with ``threads`` keep-alive clients."""
    counts = [0] * threads
    stop = time.monotonic() + seconds

    def worker(i: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        while time.monotonic() < stop:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            if response.status not in (200, 304):
                raise RuntimeError(f"{path}: HTTP {response.status}")
            counts[i] += 1
            if response.will_close:
                conn.close()

    started = time.monotonic()
    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return sum(counts) / (time.monotonic() - started)


def wait_for(port: int, deadline: float = 30.0) -> None:
    until = time.monotonic() + deadline
    while time.monotonic() < until:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/bench/bare")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--port", type=int, default=5191)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-feeds-") as tmp:
        env = {
            "DATABASE_URL": f"sqlite:///{tmp}/bench.db",
            "SECRET_KEY": "bench-secret-key",
            "BASE_URL": f"http://127.0.0.1:{args.port}",
            "HUEY_SQLITE_PATH": f"{tmp}/huey.db",
            "HUEY_IMMEDIATE": "1",
        }
        path = seed(env)
        Path(tmp, "bench_wsgi.py").write_text(WSGI)
        server = subprocess.Popen(
            [
                str(REPO / ".venv/bin/gunicorn"),
                "--workers=2",
                f"--bind=127.0.0.1:{args.port}",
                f"--pythonpath={tmp},{REPO}",
                "--log-level=warning",
                "bench_wsgi:app",
            ],
            env={**os.environ, **env},
            cwd=REPO,
        )
        try:
            wait_for(args.port)
            probe = http.client.HTTPConnection("127.0.0.1", args.port)
            probe.request("GET", path)
            response = probe.getresponse()
            body, etag = response.read(), response.getheader("ETag")
            print(f"feed: {len(body)} bytes, {body.count(b'BEGIN:VEVENT')} events, ETag {etag}")
            targets = {
                "bare": ("/bench/bare", {}),
                "feed": (path, {}),
                "304": (path, {"If-None-Match": etag}),
            }
            for url, headers in targets.values():  # warm both workers
                hammer(args.port, url, headers, 1.0, args.threads)
            results: dict[str, list[float]] = {name: [] for name in targets}
            for _ in range(args.rounds):
                for name, (url, headers) in targets.items():
                    results[name].append(
                        hammer(args.port, url, headers, args.seconds, args.threads)
                    )
        finally:
            server.terminate()
            server.wait(10)

    median = {name: statistics.median(values) for name, values in results.items()}
    print(
        f"gunicorn 2 sync workers, {args.threads} client threads, "
        f"{args.rounds} rounds x {args.seconds:g}s each (median shown)"
    )
    for name, value in median.items():
        spread = ", ".join(f"{v:.0f}" for v in results[name])
        print(f"{name:>5}: {value:8.0f} req/s   (rounds: {spread})")
    print(f"feed / bare: {median['feed'] / median['bare']:.0%}   (target >= 50%)")
    print(f" 304 / bare: {median['304'] / median['bare']:.0%}   (target >= 80%)")


if __name__ == "__main__":
    main()
