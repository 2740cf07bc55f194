"""Time the whole scheduling path of the app: load from the database, solve, save.

Generates, in a fresh SQLite database, an event with 2,000 participants and 10,000
accepted meetings (bulk inserts), then times ``build_problem`` (load),
``solve`` and ``save_result`` + commit (save) separately and in total, and prints the
figures with the peak RSS.

    .venv/bin/python bench/schedule_app.py [--participants 2000] [--meetings 10000]
        [--time-limit 60] [--tables 120]
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from datetime import time as dtime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--participants", type=int, default=2000)
    ap.add_argument("--meetings", type=int, default=10_000)
    ap.add_argument("--tables", type=int, default=250)
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--pages", action="store_true", help="also time the organiser's schedule pages")
    args = ap.parse_args()

    from flask_migrate import upgrade
    from sqlalchemy import func, insert, select

    from matchmaker import create_app
    from matchmaker.accounts.models import User
    from matchmaker.events import services as events
    from matchmaker.extensions import db
    from matchmaker.meetings.models import Meeting, MeetingParticipant
    from matchmaker.participants.models import Organisation, Participant
    from matchmaker.planning.engine_input import build_problem, save_result
    from matchmaker.scheduling import parse_problem, solve

    tmp = Path(tempfile.mkdtemp(prefix="schedule-bench-"))
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'bench.db'}",
            "HUEY_IMMEDIATE": True,
            "SECRET_KEY": "bench",
        }
    )
    rng = random.Random(args.seed)
    with app.app_context():
        upgrade(directory=str(Path(__file__).resolve().parents[1] / "migrations"))
        t0 = time.perf_counter()
        organiser = User(name="Bench", email="bench@example.test", role="organiser")
        organiser.password_hash = "x"
        db.session.add(organiser)
        event = events.create_event(
            organiser, name="Bench forum", slug="bench", timezone="Europe/Helsinki"
        )
        # Two days x two sessions of 20-minute slots: 4 x 13 = 52 slots.
        for day in (date(2027, 5, 4), date(2027, 5, 5)):
            for start, end in ((dtime(9), dtime(13, 20)), (dtime(14), dtime(18, 20))):
                events.add_session(event, day=day, start_time=start, end_time=end, slot_minutes=20)
        events.add_tables(event, args.tables)
        db.session.flush()
        n_orgs = args.participants // 2
        db.session.execute(
            insert(Organisation),
            [{"name": f"Org {i}", "country": "FI"} for i in range(n_orgs)],
        )
        org_ids = list(db.session.scalars(select(Organisation.id).order_by(Organisation.id)))
        now = datetime.now(UTC)
        db.session.execute(
            insert(Participant),
            [
                {
                    "event_id": event.id,
                    "organisation_id": org_ids[i % n_orgs],
                    "status": "approved",
                    "name": f"Person {i}",
                    "email": f"p{i}@example.test",
                    "created_at": now,
                    "updated_at": now,
                }
                for i in range(args.participants)
            ],
        )
        pids = list(
            db.session.scalars(select(Participant.id).where(Participant.event_id == event.id))
        )
        pairs: set[tuple[int, int]] = set()
        while len(pairs) < args.meetings:
            a, b = rng.sample(pids, 2)
            pairs.add((min(a, b), max(a, b)))
        import uuid

        db.session.execute(
            insert(Meeting),
            [
                {
                    "event_id": event.id,
                    "status": "active",
                    "uid": str(uuid.UUID(int=rng.getrandbits(128))),
                    "created_at": now,
                    "updated_at": now,
                }
                for _ in pairs
            ],
        )
        mids = list(db.session.scalars(select(Meeting.id).where(Meeting.event_id == event.id)))
        db.session.execute(
            insert(MeetingParticipant),
            [
                {"meeting_id": m, "participant_id": p, "status": "active"}
                for m, pair in zip(mids, sorted(pairs), strict=True)
                for p in pair
            ],
        )
        db.session.commit()
        setup = time.perf_counter() - t0
        slots = len(events.event_slots(event))
        print(
            f"event: {args.participants} participants, {len(mids)} meetings, "
            f"{slots} slots, {args.tables} tables (generated in {setup:.1f} s)"
        )

        t1 = time.perf_counter()
        data = build_problem(event)
        t_build = time.perf_counter()
        problem = parse_problem(data)
        t2 = time.perf_counter()
        first_complete: list[float] = []

        def on_progress(p) -> None:
            # When the organiser first has a schedule with every meeting placed.
            if not first_complete and p.total and p.placed == p.total:
                first_complete.append(time.perf_counter() - t2)

        result = solve(problem, time_limit=args.time_limit, workers=2, on_progress=on_progress)
        t3 = time.perf_counter()
        placed = save_result(event, result)
        db.session.commit()
        t4 = time.perf_counter()
        stored = db.session.scalar(
            select(func.count(Meeting.id)).where(
                Meeting.event_id == event.id, Meeting.slot_start.is_not(None)
            )
        )
        assert stored == placed == len(result.assignments)

    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"load from DB (build + parse problem): {t2 - t1:7.2f} s  "
        f"(queries + dict {t_build - t1:.2f} s, parse {t2 - t_build:.2f} s)"
    )
    print(
        f"solve (limit {args.time_limit:g} s):            {t3 - t2:7.2f} s  "
        f"status {result.status}, placed {len(result.assignments)}/{len(mids)}, "
        f"breaks {result.breaks}, bound {result.bound}"
    )
    if first_complete:
        print(f"  every meeting placed after:         {first_complete[0]:7.2f} s")
    print(f"save to DB + commit:                  {t4 - t3:7.2f} s  ({placed} placements)")
    print(f"total:                                {t4 - t1:7.2f} s")
    print(f"peak RSS:                             {rss_mb:7.0f} MB")
    if args.pages:
        time_pages(app)


def time_pages(app) -> None:
    """Server time and size of the schedule pages an organiser opens after a run."""
    from matchmaker.accounts.models import User
    from matchmaker.extensions import db

    with app.app_context():
        organiser = db.session.scalar(db.select(User).where(User.email == "bench@example.test"))
        organiser.set_password("bench-password-1")
        db.session.commit()
    app.config["WTF_CSRF_ENABLED"] = False  # the test client logs in without a form page
    client = app.test_client()
    client.post("/login", data={"email": "bench@example.test", "password": "bench-password-1"})
    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        cProfile.runctx(
            'client.get("/events/bench/schedule")', globals(), {"client": client}, "/tmp/board.prof"
        )
        pstats.Stats("/tmp/board.prof").sort_stats("cumulative").print_stats(40)
    for label, path in (
        ("schedule page (grid)", "/events/bench/schedule"),
        ("schedule page, one participant", "/events/bench/schedule?participant=1"),
        ("schedule page (per participant)", "/events/bench/schedule?view=participants"),
        ("schedule CSV", "/events/bench/schedule.csv"),
    ):
        t = time.perf_counter()
        response = client.get(path)
        ms = (time.perf_counter() - t) * 1000
        size = len(response.get_data()) / 1e6
        print(f"{label:36} {ms:8.0f} ms  {size:6.1f} MB  (HTTP {response.status_code})")


if __name__ == "__main__":
    main()
