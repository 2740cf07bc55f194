"""A participant's agenda: their published meetings, the programme items they attend and
their free slots (or the ones they marked "cannot meet"), per day in the event's time
zone.  Reads only published data, so a draft the organisers are still editing changes
nothing participants see."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..events.models import Event, ProgrammeAttendance, ProgrammeItem
from ..events.services import event_slots
from ..extensions import db
from ..meetings.models import Meeting, MeetingParticipant
from ..participants.models import Participant, Unavailability
from ..templating import to_zone
from .models import PublishedMeeting, ScheduleRevision


@dataclass
class Entry:
    # "meeting" | "programme" | "visit" | "free" | "unavailable" (marked "cannot meet")
    kind: str
    starts_at: datetime
    ends_at: datetime
    title: str = ""
    place: str = ""
    others: list[Participant] = field(default_factory=list)
    meeting_id: int | None = None
    note: str = ""  # the request's message: what the meeting is about


@dataclass
class Day:
    day: date
    entries: list[Entry]

    @property
    def meeting_count(self) -> int:
        return sum(1 for e in self.entries if e.kind == "meeting")


def is_published(event: Event) -> bool:
    """Whether participants have a schedule to see (at least one revision)."""
    return (
        db.session.scalar(
            select(ScheduleRevision.id).where(ScheduleRevision.event_id == event.id).limit(1)
        )
        is not None
    )


def attended_items(event: Event, participant: Participant) -> list[ProgrammeItem]:
    opted = set(
        db.session.scalars(
            select(ProgrammeAttendance.item_id).where(
                ProgrammeAttendance.participant_id == participant.id
            )
        )
    )
    return [i for i in event.programme if i.attendance == "all" or i.id in opted]


def agenda(event: Event, participant: Participant, published: bool = True) -> list[Day]:
    """The participant's published day plans, in time order, with free slots shown.

    Before publication there are no meetings to show, and so no free slots either: only
    the programme items the participant attends.
    """
    entries = _meeting_entries(event, participant) if published else []
    items = attended_items(event, participant)
    entries += [
        Entry("programme", i.starts_at, i.ends_at, title=i.title, place=i.place) for i in items
    ]
    entries += visit_entries(event, participant)
    if published:
        unavailable = set(
            db.session.scalars(
                select(Unavailability.slot_start).where(
                    Unavailability.participant_id == participant.id
                )
            )
        )
        for slot in event_slots(event):
            if not any(e.starts_at < slot.ends_at and slot.starts_at < e.ends_at for e in entries):
                kind = "unavailable" if slot.starts_at in unavailable else "free"
                entries.append(Entry(kind, slot.starts_at, slot.ends_at))
    days: dict[date, list[Entry]] = {}
    for e in sorted(entries, key=lambda e: (e.starts_at, e.kind)):
        days.setdefault(to_zone(e.starts_at, event.timezone).date(), []).append(e)
    return [Day(d, es) for d, es in days.items()]


def _meeting_entries(event: Event, participant: Participant) -> list[Entry]:
    published = list(
        db.session.scalars(
            select(PublishedMeeting)
            .where(
                PublishedMeeting.event_id == event.id,
                PublishedMeeting.status == "confirmed",
                # From the participant's few meetings, not the event's thousands: as a
                # join, SQLite (no statistics) walked every published meeting of the event.
                PublishedMeeting.meeting_id.in_(
                    select(MeetingParticipant.meeting_id).where(
                        MeetingParticipant.participant_id == participant.id
                    )
                ),
            )
            .options(
                selectinload(PublishedMeeting.table),
                selectinload(PublishedMeeting.meeting).selectinload(Meeting.request),
                selectinload(PublishedMeeting.meeting)
                .selectinload(Meeting.attendees)
                .selectinload(MeetingParticipant.participant)
                .selectinload(Participant.organisation),
            )
        )
    )
    return [
        Entry(
            "meeting",
            pm.starts_at,
            pm.ends_at,
            place=pm.table.name if pm.table else "",
            others=[
                a.participant for a in pm.meeting.attendees if a.participant_id != participant.id
            ],
            meeting_id=pm.meeting_id,
            note=pm.meeting.request.message if pm.meeting.request else "",
        )
        for pm in published
    ]


def visit_entries(event: Event, participant: Participant) -> list[Entry]:
    """The participant's places in trade visits, once published (``visible_places``: a
    draft allocation is not shown): the whole span the visit takes from the meetings,
    travel included; ``place`` the address, ``note`` the meeting point and the time on
    site."""
    from ..templating import fmt_time
    from ..visits.services import span
    from ..visits.visibility import visible_places

    out = []
    for place in visible_places(event, participant):
        option, visit = place.option, place.option.visit
        start, end = span(option)
        tz = event.timezone
        on_site = f"{fmt_time(option.starts_at, tz)}–{fmt_time(option.ends_at, tz)}"
        out.append(
            Entry(
                "visit",
                start,
                end,
                title=f"{visit.title} ({option.label})",
                place=visit.address,
                note=f"Meeting point: {visit.meeting_point}. On site {on_site}."
                if visit.meeting_point
                else f"On site {on_site}.",
            )
        )
    return out
