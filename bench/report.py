"""Benchmark: the organisers' report of a 2,000-participant / 10,000-meeting event with
outcomes for every meeting (both sides answered, second stage included).

Builds the event in a throwaway SQLite file (or the database in BENCH_DATABASE_URL,
which is wiped), then times whole requests through the Flask test client - the report
page and the XLSX download - and ``figures.build`` alone; prints the median of the
rounds (wall-clock, and the process's CPU time, which is steadier on a shared machine:
the load average is printed beside them) and the peak of Python's allocations
(tracemalloc) during one request, at the full size and at half of it (memory should not
grow faster than the event). ``--profile`` prints cProfile's top functions of one XLSX
download of the full event (the query, the rows' assembly or the writer?).

    .venv/bin/python bench/report.py [--participants 2000] [--meetings 10000] [--rounds 3]
        [--only page,xlsx,meetings] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import os
import pathlib
import pstats
import random
import statistics
import sys
import time
import tracemalloc
import uuid
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

from fresh_app import fresh_app  # noqa: E402 (bench/ beside the script)
from sqlalchemy import insert, text  # noqa: E402

TZ = "Europe/Tallinn"
COUNTRIES = "FI EE ZA DE SE LV LT PL NO DK".split()
KINDS = "sme large startup research cluster".split()
SECTORS = "hydraulics cabins wheels welding robotics sensors drivetrain valves mining".split()
RESULTS = "order quotation cooperation joint_project further_meeting none".split()
AGREEMENTS = "none order distribution cooperation joint_project investment other".split()
BANDS = "unknown lt10k 10k-50k 50k-250k 250k-1m gt1m".split()


def build(app, participants: int, meetings: int, slug: str, rng: random.Random) -> None:
    from matchmaker.accounts.models import User
    from matchmaker.events import services as events
    from matchmaker.extensions import db
    from matchmaker.meetings.models import Meeting, MeetingParticipant, MeetingRequest
    from matchmaker.outcomes.models import SurveyAnswer, SurveyResponse
    from matchmaker.participants.models import Organisation, Participant
    from matchmaker.planning.models import PublishedMeeting, ScheduleRevision

    with app.app_context():
        organiser = db.session.scalar(db.select(User).where(User.email == "org@bench.example"))
        if organiser is None:
            organiser = User(
                name="Org",
                email="org@bench.example",
                role="organiser",
                email_confirmed_at=datetime.now(UTC),
            )
            organiser.set_password("bench-password-1")
            db.session.add(organiser)
            db.session.flush()
        event = events.create_event(organiser, name=f"Bench {slug}", slug=slug, timezone=TZ)
        per_slot = max(1, participants // 10)
        slots_needed = -(-meetings // per_slot)
        days = -(-slots_needed // 24)
        for d in range(days):  # 24 slots of 20 minutes a day, 09:00-17:00
            events.add_session(
                event,
                day=date(2026, 6, 1) + timedelta(days=d),
                start_time=dtime(9),
                end_time=dtime(17),
                slot_minutes=20,
                pause_minutes=0,
            )
        tables = events.add_tables(event, min(per_slot, 500))
        events.set_status(event, "open")
        base = db.session.scalar(text("SELECT COALESCE(MAX(id), 0) FROM participants"))
        org_base = db.session.scalar(text("SELECT COALESCE(MAX(id), 0) FROM organisations"))
        orgs = participants // 3
        db.session.execute(
            insert(Organisation),
            [
                {
                    "id": org_base + i + 1,
                    "name": f"Company {i} Oy",
                    "country": rng.choice(COUNTRIES),
                    "kind": rng.choice(KINDS),
                    "sectors": "|" + "|".join(rng.sample(SECTORS, 2)) + "|",
                }
                for i in range(orgs)
            ],
        )
        ids = [base + i + 1 for i in range(participants)]
        db.session.execute(
            insert(Participant),
            [
                {
                    "id": pid,
                    "event_id": event.id,
                    "organisation_id": org_base + i % orgs + 1,
                    "status": "approved",
                    "name": f"Person {i}",
                }
                for i, pid in enumerate(ids)
            ],
        )
        revision = ScheduleRevision(event_id=event.id, number=1, published_by_id=organiser.id)
        db.session.add(revision)
        db.session.flush()
        mid0 = db.session.scalar(text("SELECT COALESCE(MAX(id), 0) FROM meetings"))
        rows_m, rows_mp, rows_pm, rows_req, rows_ans = [], [], [], [], []
        n, pairs = 0, set()
        for slot in events.event_slots(event):
            if n >= meetings:
                break
            people = rng.sample(ids, 2 * per_slot)
            for t in range(min(per_slot, meetings - n)):
                n += 1
                mid = mid0 + n
                a, b = people[2 * t], people[2 * t + 1]
                pairs_before = (min(a, b), max(a, b)) in pairs
                rows_req.append(
                    {
                        "event_id": event.id,
                        "requester_id": a,
                        "recipient_id": b,
                        "pair_low": min(a, b),
                        "pair_high": max(a, b),
                        # one open request per pair: a pair met twice asked once
                        "status": "declined" if pairs_before else "accepted",
                    }
                )
                pairs.add((min(a, b), max(a, b)))
                rows_m.append(
                    {
                        "id": mid,
                        "event_id": event.id,
                        "status": "active",
                        "slot_start": slot.starts_at,
                        "slot_end": slot.ends_at,
                        "table_id": tables[t % len(tables)].id,
                        "uid": str(uuid.uuid4()),
                    }
                )
                rows_mp += [
                    {"meeting_id": mid, "participant_id": p, "slot_start": slot.starts_at}
                    for p in (a, b)
                ]
                rows_pm.append(
                    {
                        "meeting_id": mid,
                        "event_id": event.id,
                        "status": "confirmed",
                        "starts_at": slot.starts_at,
                        "ends_at": slot.ends_at,
                        "table_id": tables[t % len(tables)].id,
                        "revision_id": revision.id,
                    }
                )
                held = rng.random() < 0.9
                for p in (a, b):
                    agreement = rng.choice(AGREEMENTS)
                    rows_ans.append(
                        {
                            "meeting_id": mid,
                            "participant_id": p,
                            "event_id": event.id,
                            "held": held,
                            "promising": rng.randint(1, 5) if held else None,
                            "expected_result": rng.choice(RESULTS) if held else None,
                            "follow_up_on": None,
                            "note": "private",
                            "answered_at": slot.ends_at,
                            "agreement": agreement,
                            "agreement_value": None if agreement == "none" else rng.choice(BANDS),
                            "agreement_note": "",
                            "agreement_answered_at": slot.ends_at,
                        }
                    )
        db.session.execute(insert(MeetingRequest), rows_req)
        db.session.execute(insert(Meeting), rows_m)
        db.session.execute(insert(MeetingParticipant), rows_mp)
        db.session.execute(insert(PublishedMeeting), rows_pm)
        db.session.execute(insert(SurveyAnswer), rows_ans)
        db.session.execute(
            insert(SurveyResponse),
            [
                {
                    "participant_id": p,
                    "day": date(2026, 6, 1),
                    "event_id": event.id,
                    "satisfaction": rng.randint(2, 5),
                    "comment": "",
                    "answered_at": datetime.now(UTC),
                }
                for p in ids
            ],
        )
        event.status = "finished"
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            # begin(): committed. Under connect() the ANALYZE was rolled back with the
            # connection's transaction, the planner kept "no rows" for the new event and
            # chose nested loops: figures.build took 40-65 s instead of 0.3 s.
            with db.engine.begin() as conn:
                conn.execute(text("ANALYZE"))
        print(f"built {slug}: {participants} participants, {n} meetings, {len(rows_ans)} answers")


def measure(client, url: str, rounds: int) -> tuple[float, float, float, int]:
    """Median seconds (wall, CPU), peak MiB allocated during one request, response size."""
    response = client.get(url)  # warm templates and caches
    assert response.status_code == 200, (url, response.status_code)
    times, cpu = [], []
    for _ in range(rounds):
        t0, c0 = time.perf_counter(), time.process_time()
        response = client.get(url)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    gc.collect()
    tracemalloc.start()
    client.get(url)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return statistics.median(times), statistics.median(cpu), peak / 2**20, len(response.data)


def load() -> str:
    return f"load {os.getloadavg()[0]:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=2000)
    parser.add_argument("--meetings", type=int, default=10000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", default="page,xlsx,meetings", help="what to time")
    parser.add_argument("--profile", action="store_true", help="profile one full XLSX")
    args = parser.parse_args()
    from matchmaker.extensions import db
    from matchmaker.reports import figures

    app, url = fresh_app()
    rng = random.Random(7)
    sizes = [
        (args.participants // 2, args.meetings // 2, "half"),
        (args.participants, args.meetings, "full"),
    ]
    for p, m, slug in sizes:
        build(app, p, m, slug, rng)
    print(f"database: {url.split(':')[0]}; median of {args.rounds} rounds")
    client = app.test_client()
    response = client.post(
        "/login", data={"email": "org@bench.example", "password": "bench-password-1"}
    )
    assert response.status_code == 302
    print(f"load average before timing: {os.getloadavg()} (2 cores)")
    print(
        f"{'event':28} {'what':22} {'seconds':>8} {'CPU s':>6} {'peak MiB':>9} {'bytes':>9}"
        "  load (1 min)"
    )
    only = set(args.only.split(","))
    for p, m, slug in sizes:
        label = f"{p} part. / {m} meetings"
        with app.app_context():
            from matchmaker.events.models import Event

            event = db.session.scalar(db.select(Event).where(Event.slug == slug))
            t0, c0 = time.perf_counter(), time.process_time()
            figures.build(event)
            seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
            print(f"{label:28} {'figures.build':22} {seconds:8.2f} {cpu:6.2f} {'':19}  {load()}")
        for key, what, path in (
            ("page", "report page", f"/events/{slug}/report"),
            ("xlsx", "XLSX download", f"/events/{slug}/report.xlsx"),
            ("meetings", "meetings page (50)", f"/events/{slug}/report/meetings"),
        ):
            if key not in only:
                continue
            seconds, cpu, peak, size = measure(client, path, args.rounds)
            print(f"{label:28} {what:22} {seconds:8.2f} {cpu:6.2f} {peak:9.1f} {size:9d}  {load()}")
    if args.profile:
        profile = cProfile.Profile()
        profile.runcall(client.get, f"/events/{sizes[-1][2]}/report.xlsx")
        pstats.Stats(profile).sort_stats("cumulative").print_stats(30)


if __name__ == "__main__":
    main()
