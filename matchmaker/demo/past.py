"""The demo's previous mission (June 2026): the same companies met once before, the
schedule was published and held, and the participants answered the surveys, the
second stage included, so the organisers' report shows real figures out of the box."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete

from ..events import services as events
from ..events.models import Event
from ..extensions import db
from ..meetings.models import MeetingRequest
from ..meetings.services import create_meeting, place_meeting
from ..notifications.models import Notification
from ..outcomes.models import (
    AGREEMENT_KINDS,
    EXPECTED_RESULTS,
    OutcomeMail,
    OutcomeSettings,
    SurveyAnswer,
    SurveyResponse,
)
from ..participants.models import Participant
from ..planning.services import publish
from . import data

SLUG = "bell-equipment-mission-2026"
DAY = date(2026, 6, 16)
COMMENTS = (
    "Well prepared meetings, the right people at the table.",
    "Twenty minutes is short; a second day would help.",
    "The plant tour was the highlight.",
    "Good partners, but two of my meetings did not happen.",
    "Very useful: we are quoting for Bell now.",
)


def _pairs(people: list[Participant], rng: random.Random) -> list[tuple]:
    """Each participant asks a few others from another organisation."""
    wanted = set()
    for p in people:
        others = [q for q in people if q.organisation is not p.organisation]
        for q in rng.sample(others, k=min(4, len(others))):
            wanted.add(tuple(sorted((p, q), key=lambda x: x.name)))
    return sorted(wanted, key=lambda pq: (pq[0].name, pq[1].name))


def _schedule(event: Event, pairs):
    """Place the pairs greedily: a free slot for both, a free table; the rest are left."""
    slots, tables = events.event_slots(event), event.tables
    busy: dict = {}
    used: dict = {}
    meetings = []
    for a, b, request in pairs:
        for slot in slots:
            if a.id in busy.get(slot.starts_at, ()) or b.id in busy.get(slot.starts_at, ()):
                continue
            if used.get(slot.starts_at, 0) >= len(tables):
                continue
            meeting = create_meeting(event, [a, b], request=request)
            table = tables[used.get(slot.starts_at, 0)]
            place_meeting(meeting, slot.starts_at, slot.ends_at, table.id)
            busy.setdefault(slot.starts_at, set()).update((a.id, b.id))
            used[slot.starts_at] = used.get(slot.starts_at, 0) + 1
            meetings.append((meeting, a, b))
            break
    return meetings


def _answers(event: Event, meetings, rng: random.Random) -> None:
    answered_people = set()
    results, kinds = list(EXPECTED_RESULTS), list(AGREEMENT_KINDS)
    people = sorted(
        {p.id: p for _m, *sides in meetings for p in sides}.values(), key=lambda p: p.id
    )
    responders = {p.id for p in people if rng.random() < 0.8}  # the others never answered
    for meeting, *sides in meetings:
        held = rng.random() < 0.9
        for person in sides:
            if person.id not in responders or rng.random() < 0.1:
                continue  # never answered, or skipped this meeting
            answered_people.add(person)
            promising = rng.choices([1, 2, 3, 4, 5], [1, 2, 4, 5, 3])[0] if held else None
            expected = rng.choices(results, [3, 4, 3, 2, 5, 2])[0] if held else None
            agreement = value = None
            if held and rng.random() < 0.5:
                agreement = rng.choices(kinds, [10, 3, 2, 2, 1, 1, 1])[0]
                if agreement != "none":
                    value = rng.choice(["unknown", "lt10k", "10k-50k", "50k-250k", "250k-1m"])
            db.session.add(
                SurveyAnswer(
                    meeting_id=meeting.id,
                    participant_id=person.id,
                    event_id=event.id,
                    held=held,
                    promising=promising,
                    expected_result=expected,
                    follow_up_on=DAY + timedelta(days=rng.choice([14, 30, 60]))
                    if promising and promising >= 4
                    else None,
                    note="",
                    answered_at=datetime(2026, 6, 17, 9, tzinfo=UTC),
                    agreement=agreement,
                    agreement_value=value,
                    agreement_note="",
                    agreement_answered_at=datetime(2026, 10, 5, 9, tzinfo=UTC)
                    if agreement
                    else None,
                )
            )
    for person in sorted(answered_people, key=lambda p: p.id):
        db.session.add(
            SurveyResponse(
                participant_id=person.id,
                day=DAY,
                event_id=event.id,
                satisfaction=rng.choices([2, 3, 4, 5], [1, 3, 6, 4])[0],
                comment=rng.choice(COMMENTS) if rng.random() < 0.25 else "",
                answered_at=datetime(2026, 6, 17, 9, tzinfo=UTC),
            )
        )
        for kind in ("survey", "second_stage"):  # sent back then: never again
            db.session.add(
                OutcomeMail(
                    participant_id=person.id,
                    kind=kind,
                    key=DAY.isoformat() if kind == "survey" else "1",
                    event_id=event.id,
                )
            )


def load_past_mission(organisers, people: list[Participant]) -> Event:
    """The previous mission with ``people``'s users and organisations (the first 30)."""
    rng = random.Random(2026)
    zone = data.EVENT["timezone"]
    event = events.create_event(
        organisers[0],
        slug=SLUG,
        name="Previous mission to Bell Equipment (June 2026)",
        venue=data.EVENT["venue"],
        timezone=zone,
        description="The first CLUSME mission to Bell Equipment: one day of meetings.",
        requires_approval=True,
    )
    event.organisers.extend(organisers[1:])
    events.add_session(
        event, name="Meetings", day=DAY, start_time=time(9), end_time=time(13), slot_minutes=20
    )
    events.add_tables(event, 8)
    events.set_status(event, "open")
    before = [
        Participant(
            event=event,
            user=p.user,
            organisation=p.organisation,
            status="approved",
            name=p.name,
            email=p.email,
            role_title=p.role_title,
            languages=p.languages,
        )
        for p in people[:30]
    ]
    db.session.add_all(before)
    db.session.flush()
    accepted = []
    for a, b in _pairs(before, rng):
        request = MeetingRequest(
            event=event,
            requester_id=a.id,
            recipient_id=b.id,
            pair_low=min(a.id, b.id),
            pair_high=max(a.id, b.id),
            status=rng.choices(["accepted", "declined"], [5, 1])[0],
        )
        db.session.add(request)
        if request.status == "accepted":
            accepted.append((a, b, request))
    db.session.flush()
    meetings = _schedule(event, accepted)
    db.session.flush()
    publish(event, organisers[0])
    # Long past: its "schedule published" notices would only clutter the demo's inboxes.
    db.session.execute(delete(Notification).where(Notification.event_id == event.id))
    event.status = "finished"
    db.session.add(
        OutcomeSettings(
            event_id=event.id,
            survey_time=time(17, 30),
            reminder_hours=48,
            second_stage_at=datetime(2026, 10, 1, 9, tzinfo=ZoneInfo(zone)),
        )
    )
    _answers(event, meetings, rng)
    db.session.flush()
    return event
