"""Benchmark: the event day at 2,000 participants - check-in search and the live board.

Builds one event held today (a throwaway SQLite file, or the database in
BENCH_DATABASE_URL, which is wiped) with 2,000 approved participants in 700
organisations, 60 tables and a published schedule of about 2,100 meetings over the
day's 71 slots, then times whole requests through the Flask test client (routing,
queries, template rendering: the server's share of a response) and prints p50/p95.

    .venv/bin/python bench/event_day.py [--rounds 60]
    .venv/bin/python bench/event_day.py --replan [--per-slot 140] [--time-limit 5]

``--replan`` builds the 10,000-meeting day instead (140 meetings in each of 71 slots),
marks one participant absent at noon-ish (the real clock: the day runs from 00:00 to
23:40 in the event's zone) and times the same-day re-plan: cancelling and publishing,
then the solver run (load, engine, save), and checks no meeting that began has moved.
"""

from __future__ import annotations

import argparse
import pathlib
import random
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime
from datetime import time as dtime
from zoneinfo import ZoneInfo

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

from fresh_app import fresh_app  # noqa: E402 (bench/ beside the script)
from gcfreeze import settle  # noqa: E402
from sqlalchemy import insert, text  # noqa: E402

PARTICIPANTS, ORGANISATIONS, TABLES, PER_SLOT = 2000, 700, 60, 30
TZ = "Europe/Tallinn"
FIRST = "Anna Thandi Kadri Jukka Mari Peeter Liisa Juha Sipho Lerato Kaisa Tiina".split()
LAST = "Virtanen Nkosi Tamm Laine Korhonen Saar Mokoena Dlamini Mets Niemi Ilves".split()
WORDS = "hydraulic cabins wheels welding steel robotics sensors drivetrain valves".split()


def build(app, rng: random.Random, per_slot: int = PER_SLOT) -> str:
    from matchmaker.accounts.models import User
    from matchmaker.desk.live import board_of
    from matchmaker.events import services as events
    from matchmaker.extensions import db
    from matchmaker.meetings.models import Meeting, MeetingParticipant
    from matchmaker.participants.models import Organisation, Participant
    from matchmaker.planning.models import PublishedMeeting, ScheduleRevision

    with app.app_context():
        organiser = User(
            name="Org",
            email="org@bench.example",
            role="organiser",
            email_confirmed_at=datetime.now(UTC),
        )
        organiser.set_password("bench-password-1")
        db.session.add(organiser)
        db.session.flush()
        event = events.create_event(organiser, name="Bench day", slug="bench", timezone=TZ)
        today = datetime.now(ZoneInfo(TZ)).date()
        events.add_session(
            event,
            day=today,
            start_time=dtime(0),
            end_time=dtime(23, 40),
            slot_minutes=20,
            pause_minutes=0,
        )
        tables = events.add_tables(event, max(TABLES, per_slot))
        events.set_status(event, "open")
        db.session.execute(
            insert(Organisation),
            [
                {"id": i + 1, "name": f"{rng.choice(WORDS).title()} {i} Oy", "country": "FI"}
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
                    "status": "approved",
                    "name": f"{rng.choice(FIRST)} {rng.choice(LAST)} {i}",
                }
                for i in range(PARTICIPANTS)
            ],
        )
        revision = ScheduleRevision(event_id=event.id, number=1, published_by_id=organiser.id)
        db.session.add(revision)
        db.session.flush()
        meetings, members, published, mid = [], [], [], 0
        for slot in events.event_slots(event):
            people = rng.sample(range(1, PARTICIPANTS + 1), 2 * per_slot)
            for t in range(per_slot):
                mid += 1
                a, b = people[2 * t], people[2 * t + 1]
                meetings.append(
                    {
                        "id": mid,
                        "event_id": event.id,
                        "status": "active",
                        "slot_start": slot.starts_at,
                        "slot_end": slot.ends_at,
                        "table_id": tables[t].id,
                        "uid": str(uuid.uuid4()),
                    }
                )
                members += [
                    {"meeting_id": mid, "participant_id": p, "slot_start": slot.starts_at}
                    for p in (a, b)
                ]
                published.append(
                    {
                        "meeting_id": mid,
                        "event_id": event.id,
                        "status": "confirmed",
                        "starts_at": slot.starts_at,
                        "ends_at": slot.ends_at,
                        "table_id": tables[t].id,
                        "revision_id": revision.id,
                    }
                )
        db.session.execute(insert(Meeting), meetings)
        db.session.execute(insert(MeetingParticipant), members)
        db.session.execute(insert(PublishedMeeting), published)
        event.status = "published"
        token = board_of(event).token
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:  # committed: a rolled-back ANALYZE leaves no statistics
                conn.execute(text("ANALYZE"))
        print(f"built {PARTICIPANTS} participants, {len(meetings)} published meetings")
        return token


def timed(client, url: str, rounds: int, method: str = "GET") -> list[float]:
    client.open(url, method=method)  # warm the caches and templates
    settle()  # as wsgi.py does after loading the app
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        response = client.open(url, method=method, headers={"HX-Request": "true"})
        times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return times


def replan(app, time_limit: float) -> None:
    from sqlalchemy import func, select

    from matchmaker.accounts.models import User
    from matchmaker.dbtypes import utcnow
    from matchmaker.desk import proposals
    from matchmaker.desk import replan as day
    from matchmaker.events.models import Event
    from matchmaker.extensions import db
    from matchmaker.meetings.models import Meeting, MeetingParticipant
    from matchmaker.participants.models import Participant
    from matchmaker.planning import runs

    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == "bench"))
        user = db.session.scalar(select(User))
        now = utcnow()
        before = dict(
            db.session.execute(
                select(Meeting.id, Meeting.slot_start).where(Meeting.slot_start <= now)
            ).all()
        )
        later = select(MeetingParticipant.participant_id).where(MeetingParticipant.slot_start > now)
        who = db.session.get(
            Participant,
            db.session.scalar(
                select(MeetingParticipant.participant_id)
                .where(MeetingParticipant.participant_id.in_(later))
                .group_by(MeetingParticipant.participant_id)
                .order_by(func.count().desc())
                .limit(1)
            ),
        )
        t0 = time.perf_counter()
        cancelled, partners = day.mark_absent(event, who, user)
        day.publish_cancellations(event, user)
        tp = time.perf_counter()
        sent = proposals.propose(event, who, partners, user) if partners else []
        tp = time.perf_counter() - tp
        run = runs.start_run(event, user, time_limit)
        db.session.commit()
        t1 = time.perf_counter()
        run = runs.execute_run(run.id)
        t2 = time.perf_counter()
        after = dict(
            db.session.execute(
                select(Meeting.id, Meeting.slot_start).where(Meeting.id.in_(list(before)))
            ).all()
        )
        moved = sum(1 for m, s in before.items() if after.get(m) != s)
        print(
            f"absent: {who.name}; cancelled {len(cancelled)} meetings, {len(partners)} partners"
            f" freed; {len(before)} meetings had begun"
        )
        print(
            f"cancel + publish: {(t1 - t0) * 1000:.0f} ms, of which proposals to the freed "
            f"partners {tp * 1000:.0f} ms ({len(sent)} sent: the bench's people list no "
            "opportunities, so nobody matches)"
        )
        print(
            f"re-plan run ({run.status}, engine limit {time_limit:g} s): {t2 - t1:.1f} s; "
            f"placed {run.placed} of {run.total}; begun meetings moved: {moved}"
        )
        print(f"same-day re-plan in all: {t2 - t0:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=60)
    parser.add_argument("--replan", action="store_true")
    parser.add_argument("--per-slot", type=int, default=140)
    parser.add_argument("--time-limit", type=float, default=5.0)
    args = parser.parse_args()
    app, url = fresh_app()
    if args.replan:
        build(app, random.Random(7), args.per_slot)
        print(f"database: {url.split(':')[0]}")
        replan(app, args.time_limit)
        return
    token = build(app, random.Random(7))
    print(f"database: {url.split(':')[0]}")
    client = app.test_client()
    response = client.post(
        "/login", data={"email": "org@bench.example", "password": "bench-password-1"}
    )
    assert response.status_code == 302
    cases = [
        ("check-in search 'ka' (2 letters)", "GET", "/events/bench/desk?q=ka"),
        ("check-in search 'virtanen'", "GET", "/events/bench/desk?q=virtanen"),
        ("check-in search 'hydraulic 12'", "GET", "/events/bench/desk?q=hydraulic+12"),
        ("check-in search 'zzz' (no match)", "GET", "/events/bench/desk?q=zzz"),
        ("check-in counts", "GET", "/events/bench/desk/counts"),
        ("check in one (tap, already in)", "POST", "/events/bench/desk/participants/7/checkin"),
        ("live board refresh", "GET", f"/board/{token}/live"),
        ("attendance grid (now and next)", "GET", "/events/bench/desk/attendance"),
        ("attendance grid (whole day)", "GET", "/events/bench/desk/attendance?view=day"),
    ]
    print(f"{'request':36} {'p50 ms':>8} {'p95 ms':>8}   ({args.rounds} rounds each)")
    for label, method, path in cases:
        times = sorted(timed(client, path, args.rounds, method))
        p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
        print(f"{label:36} {statistics.median(times):8.1f} {p95:8.1f}")


if __name__ == "__main__":
    main()
