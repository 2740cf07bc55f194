"""Load the demo trade mission. Idempotent: does nothing when it exists already."""

from __future__ import annotations

import random
import re
import unicodedata
from datetime import UTC, datetime

from sqlalchemy import select

from ..accounts.models import User, user_by_email
from ..events import services as events
from ..events.models import Event
from ..extensions import db
from ..participants.models import Opportunity, Organisation, Participant
from ..participants.tags import pack_tags
from . import activity, data, past
from .visits import load_visits


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", _ascii(text).lower()).strip("-")


def demo_email(person: str, organisation: str) -> str:
    first, *rest = _ascii(person).replace("Prof. ", "").lower().split()
    last = rest[-1] if rest else "team"
    return f"{first}.{last}@{_slug(organisation)[:30].strip('-')}.example"


def _user(name: str, email: str, role: str, password_hash: str) -> User:
    user = user_by_email(email)
    if user is None:
        # One scrypt hash for every demo account: hashing 44 times would take seconds.
        user = User(
            name=name,
            email=email,
            role=role,
            password_hash=password_hash,
            email_confirmed_at=datetime.now(UTC),  # demo accounts: no confirmation to wait for
        )
        db.session.add(user)
        db.session.flush()
    return user


def load_demo() -> Event | None:
    """Create the Bell Equipment mission with its people. Returns None if it exists."""
    if db.session.scalar(select(Event).where(Event.slug == data.EVENT["slug"])):
        return None
    hashed = User(name="", email="")
    hashed.set_password(data.PASSWORD)
    password_hash = hashed.password_hash
    organisers = [_user(o["name"], o["email"], "organiser", password_hash) for o in data.ORGANISERS]
    event = events.create_event(
        organisers[0],
        **data.EVENT,
        registration_opens_at=datetime(2026, 11, 1, 8, 0, tzinfo=UTC),
        registration_closes_at=datetime(2027, 2, 26, 15, 0, tzinfo=UTC),
        booking_deadline=datetime(2027, 3, 2, 15, 0, tzinfo=UTC),
    )
    event.organisers.extend(organisers[1:])
    for session in data.SESSIONS:
        events.add_session(event, **session)
    events.add_tables(event, data.TABLES)
    for item in data.PROGRAMME:
        events.add_programme_item(event, **item)
    people_made: list[Participant] = []
    for org_row in data.ORGANISATIONS:
        name, country, city, kind, size, sectors, people, offers, requests = org_row
        org = Organisation(
            name=name,
            country=country,
            city=city,
            kind=kind,
            size=size,
            sectors=pack_tags(sectors),
            website=f"https://{_slug(name)[:30].strip('-')}.example",
        )
        db.session.add(org)
        for person, title in people:
            user = _user(person, demo_email(person, name), "participant", password_hash)
            participant = Participant(
                event=event,
                user=user,
                organisation=org,
                status="approved",
                name=person,
                email=user.email,
                role_title=title,
                bio=activity.bio(person, title, org_row),
                languages=data.LANGUAGES[country],
            )
            db.session.add(participant)
            people_made.append(participant)
            for kind_, items in (("offer", offers), ("request", requests)):
                for title_, tags in items:
                    participant.opportunities.append(
                        Opportunity(
                            kind=kind_,
                            title=title_,
                            tags=pack_tags(tags),
                            description=activity.description(title_, tags, name),
                        )
                    )
    events.set_status(event, "open")
    db.session.flush()
    rng = random.Random(2027)
    activity.make_requests(event, people_made, rng)
    activity.make_availability(event, people_made, rng)
    load_visits(event, people_made, random.Random(26))  # trade visits with ranked wishes
    db.session.flush()
    past.load_past_mission(organisers, people_made)  # a previous mission, surveys answered
    return event


def demo_accounts() -> list[tuple[str, str]]:
    """(role, email) of every demo account, organisers first."""
    emails = [o["email"] for o in data.ORGANISERS]
    rows = [("organiser", e) for e in emails]
    for name, *_rest, people, _offers, _requests in data.ORGANISATIONS:
        rows += [("participant", demo_email(person, name)) for person, _title in people]
    return rows
