"""Server CPU per request kind of the event-day load, one request at a time.

    .venv/bin/python -m bench.load.profile [--participants 2000] [--rounds 40]
                                           [--profile KIND] [--top 25]

The event is bench/load/seed.py's (a throwaway SQLite file, or the database in
BENCH_DATABASE_URL, which is wiped). Each request kind of bench/load/locustfile.py goes
through the Flask test client (routing, log-in check, queries, rendering: the server's
share, no network) as participant p0 (the desk as the organiser), ``--rounds`` times
after two warm-ups. Printed: the median CPU ms per request (process time: it moves less
with the machine's load than wall time, though a busy machine still inflates it), the
median wall ms, the SQL statements and the Python function calls per request (counts:
the same on a busy machine, so before/after comparisons hold where times do not). ``--profile KIND``
(e.g. ``agenda``) prints cProfile's top functions (cumulative) for that kind.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import re
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))


def kinds(plan: dict) -> dict:
    """name -> (method, path, headers, expected statuses)."""
    slug = plan["slug"]
    htmx = {"HX-Request": "true"}
    return {
        "my meetings poll (200)": ("GET", f"/events/{slug}/meetings/counts", htmx, (200,)),
        "my meetings poll (304)": ("GET", f"/events/{slug}/meetings/counts", htmx, (304,)),
        "menu badge poll": ("GET", f"/events/{slug}/meetings/counts?show=badge", htmx, (200,)),
        "agenda": ("GET", f"/events/{slug}/agenda", {}, (200,)),
        "directory": ("GET", f"/events/{slug}/directory", {}, (200,)),
        "calendar feed (200)": ("GET", plan["feeds"][0], {}, (200,)),
        "calendar feed (304)": ("GET", plan["feeds"][0], {}, (304,)),
        "login page": ("GET", "/login", {}, (200,)),
        "desk check-in": ("POST", None, htmx, (200,)),
        "static css": ("GET", "/static/css/app.css", {}, (200, 304)),
    }


def request(client, name, method, path, headers, expect, plan, ids, etags):
    """One request of kind ``name``; a 304 kind revalidates with the ETag last seen."""
    h = dict(headers)
    if method == "POST":
        url = f"/events/{plan['slug']}/desk/participants/{next(ids)}/checkin"
        response = client.post(url, headers=h)
    else:
        if "(304)" in name:
            h["If-None-Match"] = etags[path]
        response = client.get(path, headers=h)
    assert response.status_code in expect, (name, response.status_code)
    if response.headers.get("ETag"):
        etags[path] = response.headers["ETag"]
    return response


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.load.profile")
    parser.add_argument("--participants", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--profile", default="", help="a request kind to profile")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--queries", default="", help="a request kind whose SQL to print")
    parser.add_argument("--only", default="", help="only the kinds whose names hold this")
    args = parser.parse_args()

    from bench.fresh_app import fresh_app
    from bench.load.seed import build

    app, _url = fresh_app()
    app.config["SECRET_KEY"] = "bench-profile"
    app.logger.disabled = True
    plan = build(app, participants=args.participants)
    participant, desk = app.test_client(), app.test_client()
    for client, email in ((participant, plan["emails"][0]), (desk, plan["organiser"])):
        response = client.post("/login", data={"email": email, "password": plan["password"]})
        assert response.status_code == 302, response.status_code
    ids = iter(plan["participant_ids"])
    etags: dict[str, str] = {}
    print(
        f"{args.participants} participants, {plan['meetings']} published meetings, "
        f"{args.rounds} rounds, database {app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}"
    )
    from sqlalchemy import event

    from matchmaker.extensions import db

    with app.app_context():
        engine = db.engine
    counted = [0]

    def count(*_args, counted=counted):
        counted[0] += 1

    event.listen(engine, "before_cursor_execute", count)
    print(
        f"{'request':26} {'CPU ms':>7} {'wall ms':>8} {'bytes':>7} {'SQL':>4} {'Python calls':>12}"
    )
    for name, (method, path, headers, expect) in kinds(plan).items():
        if args.only and args.only not in name and "(200)" not in name:
            continue
        client = desk if name.startswith("desk") else participant

        def one(client=client, name=name, method=method, path=path, headers=headers,
                expect=expect):  # fmt: skip
            return request(client, name, method, path, headers, expect, plan, ids, etags)

        for _ in range(2):
            size = len(one().data)
        if args.queries in (name, re.sub(r" \(\d+\)$", "", name)):
            statements: list[str] = []

            def log(_conn, _cursor, statement, *_args, statements=statements):
                statements.append(" ".join(statement.split())[:300])

            event.listen(engine, "before_cursor_execute", log)
            one()
            event.remove(engine, "before_cursor_execute", log)
            print(f"-- {name}: {len(statements)} statements")
            for statement in statements:
                print("   ", statement)
        if re.sub(r" \(\d+\)$", "", name) == args.profile or name == args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
        else:
            profiler = None
        cpu, wall = [], []
        counted[0] = 0
        for _ in range(args.rounds):
            c0, w0 = time.process_time(), time.perf_counter()
            one()
            cpu.append((time.process_time() - c0) * 1000)
            wall.append((time.perf_counter() - w0) * 1000)
        if profiler:
            profiler.disable()
        sql = counted[0] / args.rounds
        # Function calls per request: a count, not a time, so the same on a busy machine.
        tracer = cProfile.Profile()
        tracer.runcall(lambda: [one() for _ in range(5)])
        calls = pstats.Stats(tracer).total_calls / 5  # type: ignore[attr-defined]
        print(
            f"{name:26} {statistics.median(cpu):7.2f} {statistics.median(wall):8.2f} {size:7} "
            f"{sql:4.1f} {calls:12.0f}",
            flush=True,
        )
        if profiler:
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(args.top)
            print(out.getvalue())


if __name__ == "__main__":
    main()
