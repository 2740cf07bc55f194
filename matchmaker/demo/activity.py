"""The demo's marketplace activity: bios, descriptions, meeting requests, availability.

Generated with a seeded random generator, so every `demo load` makes the same data.
Requests respect the one-open-request-per-pair rule and each participant's meeting
limit; Bell Equipment's people are asked most, as they would be on the real mission.
"""

from __future__ import annotations

import random
from datetime import timedelta

from ..dbtypes import utcnow
from ..events.models import Event, ProgrammeAttendance
from ..events.services import event_slots
from ..extensions import db
from ..meetings.booking import request_link
from ..meetings.models import MeetingRequest
from ..meetings.services import cancel_meeting, create_meeting
from ..notifications.models import Notification
from ..participants.models import Participant, Unavailability
from . import data

TARGET_REQUESTS = 150
# status: share of all requests
STATUS_WEIGHTS = {"accepted": 45, "pending": 25, "declined": 12, "withdrawn": 8, "cancelled": 10}
MESSAGES = [
    "We offer “{offer}” and would like to present it to your team.",
    "Your request “{request}” fits what we do. Twenty minutes to compare notes?",
    "We are looking for “{request}”, and I saw your “{their}”. Shall we meet?",
    "Interested in “{their}”. Could we discuss volumes and lead times?",
    "We met in Tampere last year; happy to continue the discussion on “{their}”.",
    "",
]
DECLINE_REASONS = [
    "We are covered for this category until 2028.",
    "Not a fit for our current projects, thank you.",
    "Our colleague will contact you instead.",
    "",
]
CANCEL_REASONS = ["My flight changed; I arrive on Wednesday afternoon.", "Double booked, sorry."]


def bio(person: str, title: str, org: tuple) -> str:
    name, country, city, kind, size, sectors, *_ = org
    place = f"{city}, {dict(ZA='South Africa', FI='Finland', EE='Estonia', DE='Germany')[country]}"
    first = person.replace("Prof. ", "").split()[0]
    focus = " and ".join(sectors[:2])
    return (
        f"{title} at {name} ({place}); {first} works in {focus}. "
        f"{data.BIO_LINES[hash_index(person, len(data.BIO_LINES))]}"
    )


def hash_index(text: str, n: int) -> int:
    """A stable index (Python's hash() changes between runs)."""
    return sum(ord(c) for c in text) % n


def description(title: str, tags: list[str], org_name: str) -> str:
    if title in data.DESCRIPTIONS:
        return data.DESCRIPTIONS[title]
    return (
        f"{title}, from {org_name}. Areas: {', '.join(tags)}. "
        "References and case studies available at the meeting."
    )


def _pick_status(rng: random.Random) -> str:
    statuses, weights = zip(*STATUS_WEIGHTS.items(), strict=True)
    return rng.choices(statuses, weights)[0]


def _message(rng: random.Random, requester: Participant, recipient: Participant) -> str:
    def titles(p, kind):
        return [o.title for o in p.opportunities if o.kind == kind] or [""]

    template = rng.choice(MESSAGES)
    fields = {
        "offer": rng.choice(titles(requester, "offer")),
        "request": rng.choice(titles(recipient, "request") + titles(requester, "request")),
        "their": rng.choice(titles(recipient, "offer")),
    }
    if any(f"{{{name}}}" in template and not value for name, value in fields.items()):
        return ""  # nothing of theirs to name: a request without a message, as people send
    return template.format(**fields)


def _weight(p: Participant) -> int:
    """How often people ask this participant: Bell's buyers most, clusters least."""
    if p.organisation.name == "Bell Equipment":
        return 8
    if p.organisation.kind == "cluster":
        return 1
    return 2


def make_requests(event: Event, people: list[Participant], rng: random.Random) -> int:
    """About 150 requests in every state; accepted ones become meetings."""
    limit = event.max_meetings_per_participant or 1000
    open_count = {p.id: 0 for p in people}
    pairs: set[tuple[int, int]] = set()
    weights = [_weight(p) for p in people]
    made, tries = 0, 0
    # Requests were made between registration opening and now (never in the future).
    now = utcnow()
    start = min(event.registration_opens_at or event.created_at, now - timedelta(days=14))
    span = now - timedelta(hours=6) - start
    while made < TARGET_REQUESTS and tries < 5000:
        tries += 1
        requester = rng.choice(people)
        recipient = rng.choices(people, weights)[0]
        if requester.organisation_id == recipient.organisation_id:
            continue
        pair = (min(requester.id, recipient.id), max(requester.id, recipient.id))
        if pair in pairs:
            continue
        status = _pick_status(rng)
        is_open = status in ("pending", "accepted")
        if is_open and (open_count[requester.id] >= limit or open_count[recipient.id] >= limit):
            continue
        pairs.add(pair)
        if is_open:
            open_count[requester.id] += 1
            open_count[recipient.id] += 1
        created = start + span * (made / TARGET_REQUESTS) + timedelta(minutes=rng.randrange(300))
        req = MeetingRequest(
            event_id=event.id,
            requester_id=requester.id,
            recipient_id=recipient.id,
            pair_low=pair[0],
            pair_high=pair[1],
            status=status,
            message=_message(rng, requester, recipient),
            reason=rng.choice(DECLINE_REASONS)
            if status == "declined"
            else rng.choice(CANCEL_REASONS)
            if status == "cancelled"
            else "",
            created_at=created,
            updated_at=min(created + timedelta(hours=rng.randrange(1, 72)), now),
        )
        db.session.add(req)
        db.session.flush()
        if status in ("accepted", "cancelled"):
            meeting = create_meeting(event, [requester, recipient], request=req)
            if status == "cancelled":
                cancel_meeting(meeting)
        if status == "pending" and recipient.user_id:
            db.session.add(
                Notification(
                    user_id=recipient.user_id,
                    event_id=event.id,
                    kind="meeting_request",
                    message=f"{requester.label} requests a meeting with you.",
                    link=request_link(event.slug, req.id),
                    created_at=created,
                )
            )
        made += 1
    return made


def make_availability(event: Event, people: list[Participant], rng: random.Random) -> None:
    """Some people cannot meet at times; a few join the factory tour; two have stands."""
    slots = event_slots(event)
    for person in rng.sample(people, 9):
        first = rng.randrange(len(slots) - 3)
        for slot in slots[first : first + rng.randint(1, 3)]:
            db.session.add(Unavailability(participant_id=person.id, slot_start=slot.starts_at))
    tour = next((i for i in event.programme if i.attendance == "opt_in"), None)
    if tour is not None:
        for person in rng.sample(people, 8):
            db.session.add(ProgrammeAttendance(item_id=tour.id, participant_id=person.id))
    tables = {t.name: t for t in event.tables}
    for org_name, table in data.STANDS.items():
        for person in people:
            if person.organisation.name == org_name and table in tables:
                person.fixed_table_id = tables[table].id
