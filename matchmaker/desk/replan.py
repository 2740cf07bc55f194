"""Same-day re-plan: a participant the organiser marks absent for the rest of the day, or
for the rest of the event (every remaining day).

Their meetings that have not started are cancelled at once (and published, so only
their partners are told); they are marked unavailable for the remaining slots; and
a solver run re-plans what has not started yet. :func:`keep_the_past` is what makes any
run during the event leave history alone: meetings that started keep their slot and
table, and nothing new goes into a slot that has begun. The run is the ordinary
re-plan (previous schedule, fewest moves); the organiser publishes its result, and
publishing notifies only the people whose meetings changed. The freed partners are then
offered new meetings (``proposals``).
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from ..dbtypes import utcnow
from ..errors import Conflict, Invalid
from ..events.models import Event
from ..events.services import event_slots
from ..extensions import db
from ..meetings.models import Meeting, MeetingParticipant
from ..meetings.services import cancel_meeting
from ..participants.models import Participant, Unavailability
from ..planning.agenda import is_published
from ..planning.services import draft_changes, publish
from ..templating import to_zone
from .models import Absence
from .upsert import insert_for

SCOPES = ("day", "event")


def mark_absent(
    event: Event, participant: Participant, user, now: datetime | None = None, scope: str = "day"
) -> tuple[list[int], Counter[int]]:
    """Cancel ``participant``'s meetings that have not started, today (``scope="day"``) or
    on every remaining day (``"event"``); returns the cancelled meeting ids and the
    partners they leave free (partner id -> meetings lost). Flushes, never commits."""
    if scope not in SCOPES:
        raise Invalid("Choose absent for the rest of the day or of the event.", "scope")
    now = now or utcnow()
    today = to_zone(now, event.timezone).date()
    days = {today}
    if scope == "event":
        days |= {s.day for s in event_slots(event) if s.day > today}
    for day in sorted(days):
        db.session.execute(
            insert_for(Absence)
            .values(participant_id=participant.id, day=day, from_at=now, marked_by_id=user.id)
            .on_conflict_do_nothing(index_elements=["participant_id", "day"])
        )
    mine = select(MeetingParticipant.meeting_id).where(
        MeetingParticipant.participant_id == participant.id
    )
    meetings = db.session.scalars(
        select(Meeting).where(
            Meeting.event_id == event.id,
            Meeting.status == "active",
            Meeting.id.in_(mine),
            Meeting.slot_start >= now,
        )
    ).all()
    cancelled, partners = [], Counter[int]()
    for meeting in meetings:
        local = to_zone(meeting.slot_start, event.timezone)  # placed: slot_start >= now
        if local is None or local.date() not in days:
            continue
        partners.update(p for p in meeting.participant_ids if p != participant.id)
        cancel_meeting(meeting)
        cancelled.append(meeting.id)
    _unavailable_rest_of(event, participant, days, now)
    db.session.flush()
    return cancelled, partners


def _unavailable_rest_of(event: Event, participant: Participant, days: set[date], now) -> None:
    for slot in event_slots(event):
        if slot.day in days and slot.starts_at > now:  # a meeting in progress stays
            db.session.execute(
                insert_for(Unavailability)
                .values(participant_id=participant.id, slot_start=slot.starts_at)
                .on_conflict_do_nothing(index_elements=["participant_id", "slot_start"])
            )


def publish_cancellations(event: Event, user) -> bool:
    """Publish at once so the freed partners learn it now (only they are notified)."""
    if not is_published(event) or not draft_changes(event):
        return False
    try:
        publish(event, user)
    except Conflict:
        return False
    return True


def absent_today(event: Event, now: datetime | None = None) -> set[int]:
    return absent_on(event, to_zone(now or utcnow(), event.timezone).date())


def absent_on(event: Event, day: date) -> set[int]:
    """Who the organisers marked absent for (the rest of) ``day``."""
    return set(
        db.session.scalars(
            select(Absence.participant_id)
            .join(Participant, Participant.id == Absence.participant_id)
            .where(Participant.event_id == event.id, Absence.day == day)
        )
    )


def keep_the_past(event: Event, problem: dict[str, Any], now: datetime | None = None) -> dict:
    """During a published event, a run changes only what has not started: meetings whose
    slot has begun are locked where they are, and every other meeting may only go to a
    slot that has not begun. Before the event, or for a draft, ``problem`` is unchanged."""
    now = now or utcnow()
    slots = event_slots(event)
    if not slots or not (slots[0].starts_at <= now) or not is_published(event):
        return problem
    begun = {s.key for s in slots if s.starts_at <= now}
    later = [s.key for s in slots if s.starts_at > now]
    placed = {p["meeting"]: p for p in problem.get("previous", [])}
    locked = set(problem.get("locked", []))
    for meeting in problem["meetings"]:
        where = placed.get(meeting["id"])
        if where is not None and where["slot"] in begun:
            locked.add(meeting["id"])
            meeting["fixed_slot"] = where["slot"]
        else:
            allowed = meeting.get("slots")
            meeting["slots"] = [k for k in later if allowed is None or k in allowed]
    problem["locked"] = sorted(locked)
    return problem
