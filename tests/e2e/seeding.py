"""What the browser journeys seed into the live server's database (inside
``live_server.seeding()``): confirmed accounts and a small open event."""

from __future__ import annotations

from datetime import UTC, date, datetime, time


def seed_user(session, name: str, email: str, password: str, role: str = "participant"):
    """An account whose address is proven (as after its confirmation link)."""
    from matchmaker.accounts.models import User

    user = User(name=name, email=email, role=role, email_confirmed_at=datetime.now(UTC))
    user.set_password(password)
    session.add(user)
    session.flush()
    return user


def seed_open_event(
    organiser, *, name: str, slug: str, timezone: str, day: date, tables: int, **fields
):
    """An event open for registration: one session 09:00-12:00 of 20-minute slots with
    5-minute pauses on ``day``, and ``tables`` tables."""
    from matchmaker.events import services as events

    event = events.create_event(organiser, name=name, slug=slug, timezone=timezone, **fields)
    events.add_session(
        event, day=day, start_time=time(9), end_time=time(12), slot_minutes=20, pause_minutes=5
    )
    events.add_tables(event, tables)
    events.set_status(event, "open")
    return event
