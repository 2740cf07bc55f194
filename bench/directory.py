"""Benchmark: the directory and "my meetings" at 2,000 participants and 8,000 opportunities.

Builds one event (a throwaway SQLite file, or the database in BENCH_DATABASE_URL, which
is wiped) with 2,000 approved participants in 700 organisations, 8,000 opportunities and
3,000 meeting requests, then times whole requests through the Flask test client (routing,
queries, template rendering: the server's share of a response) and prints p50/p95 beside
the target (issue 19: 100 ms, 150 ms for suggestions) and the p95 measured before the
directory became one card per organisation with the databases' full-text search
(bench/results/directory.txt of 2026-11-25: one card per participant, words matched in
Python).

    .venv/bin/python bench/directory.py [--rounds 40]
"""

from __future__ import annotations

import argparse
import os
import pathlib
import random
import statistics
import sys
import time
from datetime import date
from datetime import time as dtime

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

from fresh_app import fresh_app  # noqa: E402 (bench/ beside the script)
from gcfreeze import settle  # noqa: E402
from sqlalchemy import insert, text  # noqa: E402

PARTICIPANTS, ORGANISATIONS, OPPORTUNITIES, REQUESTS = 2000, 700, 8000, 3000
WORDS = (
    "hydraulic cylinders cabins wheels rims welding steel automation robotics sensors "
    "telematics gearboxes drivetrain coating painting laser cutting sheet metal machining "
    "cnc quality audits logistics spare parts testing research plc electronics valves "
    "manifolds seats hvac insulation mining forestry earthmoving distribution batteries"
).split()
# p95 (ms) before issue 19, from bench/results/directory.txt (2026-11-25), by request.
BEFORE = {
    "sqlite": {
        "/events/bench/directory": 15.7,
        "/events/bench/directory?q=hydraulic": 18.1,
        "/events/bench/directory?q=cylinders+welding": 21.0,
        "/events/bench/directory?q=robot&country=FI&opp_kind=offer": 21.1,
        "/events/bench/directory?page=50": 16.4,
        "/events/bench/meetings?show=all": 13.2,
        "/events/bench/meetings?show=incoming": 6.2,
        "/events/bench/suggestions": 41.9,
    },
    "postgresql": {
        "/events/bench/directory": 31.6,
        "/events/bench/directory?q=hydraulic": 30.3,
        "/events/bench/directory?q=cylinders+welding": 37.8,
        "/events/bench/directory?q=robot&country=FI&opp_kind=offer": 34.0,
        "/events/bench/directory?page=50": 25.7,
        "/events/bench/meetings?show=all": 18.2,
        "/events/bench/meetings?show=incoming": 6.3,
        "/events/bench/suggestions": 78.1,
    },
}
COUNTRIES = ["FI", "EE", "ZA", "DE", "SE", "NO", "PL", "LV"]
KINDS = ["sme", "large", "startup", "research", "cluster"]


def build(app, rng: random.Random):
    from matchmaker.accounts.models import User
    from matchmaker.events import services as events
    from matchmaker.extensions import db
    from matchmaker.meetings.models import MeetingRequest
    from matchmaker.participants.models import Opportunity, Organisation, Participant

    with app.app_context():
        organiser = User(name="Org", email="org@bench.example", role="organiser")
        viewer = User(name="Viewer", email="viewer@bench.example", role="participant")
        for user in (organiser, viewer):
            user.set_password("bench-password-1")
            db.session.add(user)
        db.session.flush()
        event = events.create_event(
            organiser,
            name="Bench",
            slug="bench",
            timezone="Africa/Johannesburg",
            max_meetings_per_participant=None,
        )
        events.add_session(
            event,
            day=date(2027, 3, 9),
            start_time=dtime(9),
            end_time=dtime(17),
            slot_minutes=20,
            pause_minutes=5,
        )
        events.set_status(event, "open")

        def phrase(n):
            return " ".join(rng.choice(WORDS) for _ in range(n))

        db.session.execute(
            insert(Organisation),
            [
                {
                    "id": i + 1,
                    "name": f"{phrase(2).title()} {i} Oy",
                    "country": rng.choice(COUNTRIES),
                    "kind": rng.choice(KINDS),
                    "sectors": "|" + "|".join(rng.sample(WORDS, 2)) + "|",
                }
                for i in range(ORGANISATIONS)
            ],
        )
        db.session.execute(
            insert(Participant),
            [
                {
                    "id": i + 1,
                    "event_id": event.id,
                    "organisation_id": i % ORGANISATIONS + 1,
                    "user_id": viewer.id if i == 0 else None,
                    "status": "approved",
                    "name": f"Person {i}",
                    "bio": phrase(30),
                }
                for i in range(PARTICIPANTS)
            ],
        )
        db.session.execute(
            insert(Opportunity),
            [
                {
                    "participant_id": i % PARTICIPANTS + 1,
                    "kind": rng.choice(["offer", "request", "partnership"]),
                    "title": phrase(4).capitalize(),
                    "description": phrase(40),
                    "tags": "|" + "|".join(rng.sample(WORDS, 3)) + "|",
                }
                for i in range(OPPORTUNITIES)
            ],
        )
        pairs, rows = set(), []
        while len(rows) < REQUESTS:
            # A tenth involve the viewer, so "my meetings" is busy.
            a = 1 if len(rows) % 10 == 0 else rng.randrange(1, PARTICIPANTS + 1)
            b = rng.randrange(1, PARTICIPANTS + 1)
            low, high = sorted((a, b))
            if a == b or (low, high) in pairs:
                continue
            pairs.add((low, high))
            rows.append(
                {
                    "event_id": event.id,
                    "requester_id": a,
                    "recipient_id": b,
                    "pair_low": low,
                    "pair_high": high,
                    "message": phrase(12),
                    "status": rng.choice(["pending", "accepted", "declined", "withdrawn"]),
                }
            )
        db.session.execute(insert(MeetingRequest), rows)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            # Committed: ANALYZE in a transaction rolled back leaves no statistics, and
            # the planner then takes the event for one row (and probes row by row).
            with db.engine.begin() as conn:
                conn.execute(text("ANALYZE"))


def timed(client, url: str, rounds: int) -> tuple[list[float], list[float]]:
    """Wall-clock and this process's CPU time (ms) of each request. On a machine shared
    with other work the CPU time shows what the request costs when it has a core to
    itself (SQLite runs in this process; PostgreSQL's own share is not in it)."""
    client.get(url)  # warm the caches and templates
    settle()  # as wsgi.py does after loading the app
    times, cpu = [], []
    for _ in range(rounds):
        t0, c0 = time.perf_counter(), time.process_time()
        response = client.get(url, headers={"HX-Request": "true"})
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return times, cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args()
    app, url = fresh_app()
    t0 = time.perf_counter()
    build(app, random.Random(7))
    print(
        f"database: {url.split(':')[0]}; built "
        f"{PARTICIPANTS} participants, {OPPORTUNITIES} opportunities, {REQUESTS} requests "
        f"in {time.perf_counter() - t0:.1f} s"
    )
    client = app.test_client()
    response = client.post(
        "/login", data={"email": "viewer@bench.example", "password": "bench-password-1"}
    )
    assert response.status_code == 302
    cases = [
        ("directory, no filter (page 1)", "/events/bench/directory"),
        ("search, 1 word 'hydraulic'", "/events/bench/directory?q=hydraulic"),
        ("search, a prefix 'hyd'", "/events/bench/directory?q=hyd"),
        ("search, 2 words 'cylinders welding'", "/events/bench/directory?q=cylinders+welding"),
        ("search, 3 words", "/events/bench/directory?q=laser+cutting+steel"),
        (
            "search, 5 words",
            "/events/bench/directory?q=hydraulic+cylinders+welding+robotics+sensors",
        ),
        (
            "filters: sector + country + kind",
            "/events/bench/directory?sector=mining&country=FI&org_kind=sme",
        ),
        (
            "search + country + kind",
            "/events/bench/directory?q=robot&country=FI&opp_kind=offer",
        ),
        ("directory, page 50 (the last, 35)", "/events/bench/directory?page=50"),
        ("my meetings (all)", "/events/bench/meetings?show=all"),
        ("my meetings (incoming)", "/events/bench/meetings?show=incoming"),
        ("suggested for you", "/events/bench/suggestions"),
    ]
    dialect = url.split(":")[0].split("+")[0]
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(
        f"{'request':40} {'p50 ms':>8} {'p95 ms':>8} {'cpu p50':>8} {'cpu p95':>8} "
        f"{'target':>7} {'before':>7}   ({args.rounds} rounds each; before = p95 of 2026-11-25)"
    )
    for label, path in cases:
        times, cpu = (sorted(t) for t in timed(client, path, args.rounds))
        target = 150 if "suggest" in label else 100 if "meetings" not in label else None
        before = BEFORE.get(dialect, {}).get(path)
        print(
            f"{label:40} {statistics.median(times):8.1f} {_p95(times):8.1f} "
            f"{statistics.median(cpu):8.1f} {_p95(cpu):8.1f} "
            f"{target or '':>7} {before if before is not None else '-':>7}"
        )


def _p95(ordered: list[float]) -> float:
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


if __name__ == "__main__":
    main()
