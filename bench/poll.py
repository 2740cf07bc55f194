"""Server time of one "My meetings" poll: answered in full (rendered, as every poll was
before the ETag), revalidated to a 304 from the data versions, and beside them a
calendar feed's 304 (the cheapest request that touches the database) and its full body.

    .venv/bin/python bench/poll.py [--rounds 300] [--participants 2000]

The event is bench/load/seed.py's (a throwaway SQLite file, or the database in
BENCH_DATABASE_URL, which is wiped). Requests go through the Flask test client (routing,
log-in check, queries, rendering: the server's share of a response, no network), one
after another; p50/p95 in milliseconds, and the load average (the machine may be shared).
"""

from __future__ import annotations

import argparse
import os
import pathlib
import statistics
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sqlalchemy import text  # noqa: E402


def timed(client, path: str, rounds: int, headers: dict, expect: int) -> list[float]:
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        response = client.get(path, headers=headers)
        times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == expect, (path, response.status_code)
    return sorted(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--participants", type=int, default=2000)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp()
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp}/bench.db"
    url = url.replace("postgresql://", "postgresql+psycopg://", 1)

    from flask_migrate import upgrade

    from bench.load.seed import build
    from matchmaker import create_app
    from matchmaker.extensions import db

    app = create_app(
        {
            "SECRET_KEY": "bench-poll",
            "SQLALCHEMY_DATABASE_URI": url,
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": not url.startswith("sqlite")},
            "HUEY_IMMEDIATE": True,
            "HUEY_SQLITE_PATH": f"{tmp}/huey.db",
            "WTF_CSRF_ENABLED": False,
        }
    )
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade(directory=str(REPO / "migrations"))
    plan = build(app, participants=args.participants)
    client = app.test_client()
    response = client.post(
        "/login", data={"email": plan["emails"][0], "password": plan["password"]}
    )
    assert response.status_code == 302
    poll = f"/events/{plan['slug']}/meetings/counts"
    htmx = {"HX-Request": "true"}
    first = client.get(poll, headers=htmx)
    etag = first.headers["ETag"]
    feed = plan["feeds"][0]
    feed_etag = client.get(feed).headers["ETag"]
    cases = [
        ("poll, answered in full (rendered)", poll, htmx, 200),
        ("poll, 304 from the data versions", poll, {**htmx, "If-None-Match": etag}, 304),
        ("feed, full body (cached)", feed, {}, 200),
        ("feed, 304", feed, {"If-None-Match": feed_etag}, 304),
    ]
    print(f"database: {url.split(':')[0]}, {args.participants} participants, "
          f"load average {os.getloadavg()[0]:.2f} (1 min) at start")  # fmt: skip
    print(f"{'request':36} {'p50 ms':>8} {'p95 ms':>8}   ({args.rounds} rounds each)")
    for label, path, headers, expect in cases:
        timed(client, path, 20, headers, expect)  # warm-up
        times = timed(client, path, args.rounds, headers, expect)
        p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
        print(f"{label:36} {statistics.median(times):8.2f} {p95:8.2f}")
    print(f"load average {os.getloadavg()[0]:.2f} (1 min) at the end")


if __name__ == "__main__":
    main()
