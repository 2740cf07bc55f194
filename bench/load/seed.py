"""An event day to load: one published event held today with N participants who log in.

    from bench.load.seed import build
    plan = build(app, participants=2000)   # inside nothing: it opens its own app context

Each participant has an account (``p<i>@bench.example``, password ``PASSWORD``; one scrypt
hash shared by all, computed once), a few meeting requests (pending and accepted), a
published schedule (about 30 meetings per 20-minute slot over the day) and a calendar
feed. The organiser (``org@bench.example``) works the check-in desk. Rows are inserted in
bulk; the returned plan (JSON-able) lists what the load generator needs.

Every participant also has a log-in from before the day (a ``user_sessions`` row and the
signed session cookie a browser of ``USER_AGENT`` on 127.0.0.1 would hold, in
``plan["cookies"]``): phones that had the app open already; the load generator logs only
some of them in afresh (the start-of-day log-in burst).
"""

from __future__ import annotations

import hashlib
import random
import secrets
import uuid
from datetime import UTC, datetime, timedelta
from datetime import time as dtime
from zoneinfo import ZoneInfo

from sqlalchemy import insert, text

PASSWORD = "bench-password-1"
SLUG = "bench"
TZ = "Europe/Tallinn"
TABLES, PER_SLOT = 60, 30
FIRST = "Anna Thandi Kadri Jukka Mari Peeter Liisa Juha Sipho Lerato Kaisa Tiina".split()
LAST = "Virtanen Nkosi Tamm Laine Korhonen Saar Mokoena Dlamini Mets Niemi Ilves".split()
#: The load generator's User-Agent: Flask-Login's "strong" protection ties a session
#: to the address and the User-Agent it was made with.
USER_AGENT = "matchmaker-load"
WORDS = "hydraulic cabins wheels welding steel robotics sensors drivetrain valves".split()


def build(
    app, participants: int = 2000, seed: int = 7, per_slot: int = PER_SLOT, day_offset: int = 0
) -> dict:
    from werkzeug.security import generate_password_hash

    from matchmaker.accounts.models import User
    from matchmaker.calendar.models import CalendarFeed
    from matchmaker.calendar.services import _derive_token
    from matchmaker.events import services as events
    from matchmaker.extensions import db
    from matchmaker.meetings.models import Meeting, MeetingParticipant, MeetingRequest
    from matchmaker.participants.models import Organisation, Participant
    from matchmaker.planning.models import PublishedMeeting, ScheduleRevision

    rng = random.Random(seed)
    n = participants
    organisations = max(1, n // 3)
    with app.app_context():
        now = datetime.now(UTC)
        password_hash = generate_password_hash(PASSWORD, method="scrypt")
        organiser = User(name="Org", email="org@bench.example", role="organiser")
        organiser.password_hash = password_hash
        organiser.email_confirmed_at = now
        db.session.add(organiser)
        db.session.flush()
        event = events.create_event(organiser, name="Bench day", slug=SLUG, timezone=TZ)
        today = datetime.now(ZoneInfo(TZ)).date() + timedelta(days=day_offset)
        events.add_session(
            event, day=today, start_time=dtime(0), end_time=dtime(23, 40), slot_minutes=20,
            pause_minutes=0,
        )  # fmt: skip
        tables = events.add_tables(event, TABLES)
        events.set_status(event, "open")
        db.session.flush()
        base = organiser.id
        db.session.execute(
            insert(User),
            [
                {
                    "id": base + i + 1,
                    "name": f"{rng.choice(FIRST)} {rng.choice(LAST)} {i}",
                    "email": f"p{i}@bench.example",
                    "role": "participant",
                    "password_hash": password_hash,
                    "auth_version": 1,
                    "email_confirmed_at": now,
                    "created_at": now,
                }
                for i in range(n)
            ],
        )
        db.session.execute(
            insert(Organisation),
            [
                {"id": i + 1, "name": f"{rng.choice(WORDS).title()} {i} Oy", "country": "FI"}
                for i in range(organisations)
            ],
        )
        db.session.execute(
            insert(Participant),
            [
                {
                    "id": i + 1,
                    "event_id": event.id,
                    "user_id": base + i + 1,
                    "organisation_id": i % organisations + 1,
                    "status": "approved",
                    "name": f"{rng.choice(FIRST)} {rng.choice(LAST)} {i}",
                    "email": f"p{i}@bench.example",
                }
                for i in range(n)
            ],
        )
        # Requests: each participant asked two others (some accepted, some pending).
        pairs, requests = set(), []
        for a in range(1, n + 1):
            for _ in range(2):
                b = rng.randint(1, n)
                key = (min(a, b), max(a, b))
                if a == b or key in pairs:
                    continue
                pairs.add(key)
                requests.append(
                    {
                        "event_id": event.id,
                        "requester_id": a,
                        "recipient_id": b,
                        "pair_low": key[0],
                        "pair_high": key[1],
                        "status": rng.choice(("pending", "accepted", "accepted")),
                        "message": "Let us talk about " + rng.choice(WORDS),
                        "created_at": now,
                        "updated_at": now,
                    }
                )
        db.session.execute(insert(MeetingRequest), requests)
        revision = ScheduleRevision(event_id=event.id, number=1, published_by_id=organiser.id)
        db.session.add(revision)
        db.session.flush()
        meetings, members, published, mid = [], [], [], 0
        per_slot = min(per_slot, n // 2)
        for slot in events.event_slots(event):
            people = rng.sample(range(1, n + 1), 2 * per_slot)
            for t in range(per_slot):
                mid += 1
                meetings.append(
                    {
                        "id": mid, "event_id": event.id, "status": "active",
                        "slot_start": slot.starts_at, "slot_end": slot.ends_at,
                        "table_id": tables[t].id, "uid": str(uuid.uuid4()),
                    }
                )  # fmt: skip
                members += [
                    {"meeting_id": mid, "participant_id": p, "slot_start": slot.starts_at}
                    for p in people[2 * t : 2 * t + 2]
                ]
                published.append(
                    {
                        "meeting_id": mid, "event_id": event.id, "status": "confirmed",
                        "starts_at": slot.starts_at, "ends_at": slot.ends_at,
                        "table_id": tables[t].id, "revision_id": revision.id,
                    }
                )  # fmt: skip
        db.session.execute(insert(Meeting), meetings)
        db.session.execute(insert(MeetingParticipant), members)
        db.session.execute(insert(PublishedMeeting), published)
        feeds, tokens = [], []
        for i in range(n):
            nonce = secrets.token_hex(16)
            token = _derive_token(nonce)
            tokens.append(token)
            feeds.append(
                {
                    "kind": "participant",
                    "event_id": event.id,
                    "participant_id": i + 1,
                    "nonce": nonce,
                    "token_hash": hashlib.sha256(token.encode()).hexdigest(),
                    "created_at": now,
                }
            )
        db.session.execute(insert(CalendarFeed), feeds)
        cookies = _sessions(app, [base + i + 1 for i in range(n)], now)
        event.status = "published"
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            # Bulk inserts with explicit ids leave the sequences behind.
            with db.engine.begin() as conn:
                for table in ("users", "organisations", "participants", "meetings"):
                    conn.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                            f"(SELECT max(id) FROM {table}))"
                        )
                    )
                conn.execute(text("ANALYZE"))
        return {
            "slug": SLUG,
            "password": PASSWORD,
            "organiser": "org@bench.example",
            "emails": [f"p{i}@bench.example" for i in range(n)],
            "participant_ids": list(range(1, n + 1)),
            "feeds": [f"/feeds/{t}.ics" for t in tokens],
            "meetings": mid,
            "cookies": cookies,
            "user_agent": USER_AGENT,
        }


def _sessions(app, user_ids: list[int], now: datetime) -> list[str]:
    """A log-in for each user, as ``accounts.routes._start_session`` makes it: a session
    row, and the session cookie's value (signed with the app's SECRET_KEY)."""
    from flask_login.utils import _create_identifier

    from matchmaker.accounts.models import UserSession
    from matchmaker.accounts.sessions import SESSION_KEY, _digest
    from matchmaker.extensions import db

    serializer = app.session_interface.get_signing_serializer(app)
    rows, cookies = [], []
    with app.test_request_context(
        environ_base={"REMOTE_ADDR": "127.0.0.1"}, headers={"User-Agent": USER_AGENT}
    ):
        identifier = _create_identifier()
    for user_id in user_ids:
        token = secrets.token_urlsafe(32)
        rows.append(
            {"id": _digest(token), "user_id": user_id, "created_at": now, "last_seen_at": now,
             "user_agent": USER_AGENT}
        )  # fmt: skip
        cookies.append(
            serializer.dumps(
                {"_user_id": f"{user_id}.1", "_fresh": True, "_id": identifier, SESSION_KEY: token}
            )
        )
    db.session.execute(insert(UserSession), rows)
    return cookies


def main() -> None:
    """``python -m bench.load.seed [--participants N] ...``: migrate the database of
    DATABASE_URL, build the event in it, print the plan as JSON (SECRET_KEY must be the
    servers' own, or the feed links do not match)."""
    import argparse
    import json
    import pathlib

    from flask_migrate import upgrade

    from matchmaker import create_app

    parser = argparse.ArgumentParser(prog="python -m bench.load.seed")
    parser.add_argument("--participants", type=int, default=2000)
    parser.add_argument("--per-slot", type=int, default=PER_SLOT)
    parser.add_argument("--day-offset", type=int, default=0)
    args = parser.parse_args()
    app = create_app({"HUEY_IMMEDIATE": True})
    with app.app_context():
        upgrade(directory=str(pathlib.Path(__file__).resolve().parents[2] / "migrations"))
    plan = build(app, args.participants, per_slot=args.per_slot, day_offset=args.day_offset)
    print(json.dumps(plan))


if __name__ == "__main__":
    main()
