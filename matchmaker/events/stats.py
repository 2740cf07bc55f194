"""Figures an organiser watches while the event fills up."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, select

from ..extensions import db
from .models import Event
from .services import event_slots


@dataclass
class EventStats:
    participants: Counter = field(default_factory=Counter)  # by status
    organisations: int = 0
    countries: Counter = field(default_factory=Counter)  # approved participants by country
    requests: Counter = field(default_factory=Counter)  # by status
    meetings: int = 0  # active meetings to hold
    placed: int = 0  # of which placed in a slot
    # (slot label, meetings placed in it) in time order, and the number of tables.
    utilisation: list[tuple[str, int]] = field(default_factory=list)
    tables: int = 0


def event_stats(event: Event) -> EventStats:
    """Counts by status, and how full each slot is, in a handful of grouped queries."""
    from ..meetings.models import Meeting, MeetingRequest
    from ..participants.models import Organisation, Participant

    stats = EventStats(tables=len(event.tables))
    rows = db.session.execute(
        select(Participant.status, func.count())
        .where(Participant.event_id == event.id)
        .group_by(Participant.status)
    )
    stats.participants.update(dict(rows.tuples().all()))
    rows = db.session.execute(
        select(Organisation.country, func.count(func.distinct(Participant.id)))
        .join(Participant, Participant.organisation_id == Organisation.id)
        .where(Participant.event_id == event.id, Participant.status == "approved")
        .group_by(Organisation.country)
    )
    stats.countries.update({country or "?": n for country, n in rows.all()})
    stats.organisations = (
        db.session.scalar(
            select(func.count(func.distinct(Participant.organisation_id))).where(
                Participant.event_id == event.id, Participant.status == "approved"
            )
        )
        or 0
    )
    rows = db.session.execute(
        select(MeetingRequest.status, func.count())
        .where(MeetingRequest.event_id == event.id)
        .group_by(MeetingRequest.status)
    )
    stats.requests.update(dict(rows.tuples().all()))
    # An accepted request whose meeting was called off (its participant marked absent at
    # the desk) will not be held: counted with the cancelled ones, not the accepted.
    called_off = db.session.scalar(
        select(func.count())
        .select_from(MeetingRequest)
        .join(Meeting, Meeting.request_id == MeetingRequest.id)
        .where(
            MeetingRequest.event_id == event.id,
            MeetingRequest.status == "accepted",
            Meeting.status == "cancelled",
        )
    )
    if called_off:
        stats.requests["accepted"] -= called_off
        stats.requests["cancelled"] += called_off
    per_slot = dict(
        db.session.execute(
            select(Meeting.slot_start, func.count())
            .where(Meeting.event_id == event.id, Meeting.status == "active")
            .group_by(Meeting.slot_start)
        )
        .tuples()
        .all()
    )
    stats.meetings = sum(per_slot.values())
    stats.placed = stats.meetings - per_slot.get(None, 0)
    stats.utilisation = [
        (slot.local_start.strftime("%a %H:%M"), per_slot.get(slot.starts_at, 0))
        for slot in event_slots(event)
    ]
    return stats
