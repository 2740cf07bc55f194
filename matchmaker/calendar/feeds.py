"""What each feed holds: published rows -> the serializer's plain dataclasses.

Only ``PublishedMeeting`` rows are read, never the draft placement on ``Meeting``, so a
re-run of the solver changes nothing a calendar shows until the organiser publishes.
A cancelled meeting stays (STATUS:CANCELLED, its higher SEQUENCE) until its original
end, then leaves the feed. Feeds carry names and organisations, never e-mail addresses.

Queries select columns, not ORM objects: a feed is fetched every hour by every
subscriber, and this path is what ``bench/feeds.py`` measures.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import bindparam, or_, select

from ..events.models import ProgrammeAttendance, ProgrammeItem, Table
from ..extensions import db
from ..meetings.models import Meeting, MeetingParticipant, MeetingRequest
from ..participants.models import (
    OPPORTUNITY_KINDS,
    Opportunity,
    Organisation,
    Participant,
    display_name,
)
from ..planning.models import PublishedMeeting
from ..templating import fmt_datetime, fmt_time
from ..web import absolute_url
from .ical import Entry, FeedCalendar

SEEKS = {"offer": "Offers", "request": "Seeks", "partnership": "Partnership"}


@dataclass(frozen=True)
class _Person:
    id: int
    name: str
    organisation: str

    @property
    def label(self) -> str:
        return display_name(self.name, self.organisation)


def build_calendar(live, now: datetime) -> FeedCalendar:
    """The calendar a live feed (``services.feed_by_token``) shows at ``now``."""
    feed, event = live.feed, live.event
    if feed.kind == "participant":
        return participant_calendar(event, live.participant, now, issued_at=feed.created_at)
    if feed.kind == "table":
        table = db.session.get(Table, feed.table_id)
        return table_calendar(event, table, now, issued_at=feed.created_at)
    return event_calendar(event, now, issued_at=feed.created_at)


def participant_calendar(event, participant, now, issued_at=None) -> FeedCalendar:
    """A participant's published meetings and the programme items they attend."""
    meetings, latest = _published(event, now, "participant", participant.id)
    people = _attendees([m.meeting_id for m in meetings])
    others = {p.id for ps in people.values() for p in ps if p.id != participant.id}
    wants = _opportunities(others)
    entries = [
        _participant_entry(event, m, participant.id, people[m.meeting_id], wants) for m in meetings
    ]
    entries += _programme(event, participant.id)
    entries += _visits(event, participant, now)
    organisation = participant.organisation
    return FeedCalendar(
        name=f"{event.name} · {organisation.name}",
        description=f"Agenda of {participant.name} ({organisation.name}) at {event.name}",
        entries=tuple(entries),
        issued_at=_latest(issued_at, latest),
    )


def event_calendar(event, now, issued_at=None) -> FeedCalendar:
    """Every published meeting of the event and the whole programme (organisers)."""
    meetings, latest = _published(event, now)
    people = _attendees([m.meeting_id for m in meetings])
    entries = [_venue_entry(event, m, people[m.meeting_id]) for m in meetings]
    entries += _programme(event, None)
    return FeedCalendar(
        name=f"{event.name} · all meetings",
        description=f"Every meeting and programme item of {event.name}",
        entries=tuple(entries),
        issued_at=_latest(issued_at, latest),
    )


def table_calendar(event, table, now, issued_at=None) -> FeedCalendar:
    """The meetings held at one table, for the venue staff."""
    meetings, latest = _published(event, now, "table", table.id)
    people = _attendees([m.meeting_id for m in meetings])
    return FeedCalendar(
        name=f"{event.name} · {table.name}",
        description=f"Meetings at {table.name}, {event.name}",
        entries=tuple(_venue_entry(event, m, people[m.meeting_id]) for m in meetings),
        issued_at=_latest(issued_at, latest),
    )


# --- queries ----------------------------------------------------------------------------


# Statements are built once: building and cache-keying a statement costs more than
# running it on a feed this size. Values go in as bound parameters.
_PUBLISHED = (
    select(
        PublishedMeeting.meeting_id,
        PublishedMeeting.status,
        PublishedMeeting.starts_at,
        PublishedMeeting.ends_at,
        PublishedMeeting.sequence,
        PublishedMeeting.changed_at,
        Meeting.uid,
        Table.name.label("table_name"),
        MeetingRequest.message,
        MeetingRequest.requester_id,
    )
    .join(Meeting, Meeting.id == PublishedMeeting.meeting_id)
    .outerjoin(Table, Table.id == PublishedMeeting.table_id)
    .outerjoin(MeetingRequest, MeetingRequest.id == Meeting.request_id)
    .where(PublishedMeeting.event_id == bindparam("event_id"))
)
_PUBLISHED_FOR = {
    "event": _PUBLISHED,
    "table": _PUBLISHED.where(PublishedMeeting.table_id == bindparam("owner")),
    "participant": _PUBLISHED.where(
        PublishedMeeting.meeting_id.in_(
            select(MeetingParticipant.meeting_id).where(
                MeetingParticipant.participant_id == bindparam("owner")
            )
        )
    ),
}
_ATTENDEES = (
    select(MeetingParticipant.meeting_id, Participant.id, Participant.name, Organisation.name)
    .join(Participant, Participant.id == MeetingParticipant.participant_id)
    .join(Organisation, Organisation.id == Participant.organisation_id)
    .where(MeetingParticipant.meeting_id.in_(bindparam("ids", expanding=True)))
    .order_by(MeetingParticipant.meeting_id, Organisation.name, Participant.id)
)
_OPPORTUNITIES = (
    select(Opportunity.participant_id, Opportunity.kind, Opportunity.title)
    .where(Opportunity.participant_id.in_(bindparam("ids", expanding=True)))
    .order_by(Opportunity.participant_id, Opportunity.id)
)
_PROGRAMME = select(ProgrammeItem).where(ProgrammeItem.event_id == bindparam("event_id"))
_PROGRAMME_FOR_PARTICIPANT = _PROGRAMME.where(
    or_(
        ProgrammeItem.attendance == "all",
        ProgrammeItem.id.in_(
            select(ProgrammeAttendance.item_id).where(
                ProgrammeAttendance.participant_id == bindparam("owner")
            )
        ),
    )
)


def _published(event, now, kind: str = "event", owner: int | None = None):
    """Published meetings still to show, and when the last expired cancellation left."""
    rows = db.session.execute(_PUBLISHED_FOR[kind], {"event_id": event.id, "owner": owner}).all()
    shown = [r for r in rows if r.status == "confirmed" or r.ends_at > now]
    expired = [r.ends_at for r in rows if r.status == "cancelled" and r.ends_at <= now]
    return shown, max(expired, default=None)


def _attendees(meeting_ids) -> dict[int, list[_Person]]:
    people: dict[int, list[_Person]] = defaultdict(list)
    if not meeting_ids:
        return people
    for meeting_id, pid, name, organisation in db.session.execute(
        _ATTENDEES, {"ids": list(meeting_ids)}
    ):
        people[meeting_id].append(_Person(pid, name, organisation))
    return people


def _opportunities(participant_ids) -> dict[int, list[tuple[str, str]]]:
    wants: dict[int, list[tuple[str, str]]] = defaultdict(list)
    if not participant_ids:
        return wants
    for pid, kind, title in db.session.execute(_OPPORTUNITIES, {"ids": sorted(participant_ids)}):
        wants[pid].append((kind, title))
    return wants


def _programme(event, participant_id: int | None) -> list[Entry]:
    """Programme items: all of them, or those a participant attends ("all" or opted in)."""
    if participant_id is None:
        items = db.session.scalars(_PROGRAMME, {"event_id": event.id})
    else:
        params = {"event_id": event.id, "owner": participant_id}
        items = db.session.scalars(_PROGRAMME_FOR_PARTICIPANT, params)
    # The configured host, not the request's: a UID must not change with the address used.
    host = urlsplit(current_app.config.get("BASE_URL") or "http://localhost").hostname
    host = host or "matchmaker"
    return [
        Entry(
            uid=f"programme-{item.id}@{host}",
            sequence=item.sequence,
            stamp=item.updated_at,
            starts_at=item.starts_at,
            ends_at=item.ends_at,
            summary=item.title,
            location=", ".join(part for part in (item.place, event.venue) if part),
            description=_join(item.description, _when(event, item.starts_at, item.ends_at)),
            url=absolute_url("events.show", slug=event.slug),
        )
        for item in items
    ]


def _visits(event, participant, now: datetime) -> list[Entry]:
    """The participant's places in trade visits, once published (``visible_places``):
    the span with travel, LOCATION the address, the meeting point first in DESCRIPTION.
    A place given up (or whose visit was deleted, or that a re-run no longer gives) stays
    until its end as cancelled, with the same UID and a higher SEQUENCE, as a cancelled
    meeting does."""
    from ..visits.services import span
    from ..visits.visibility import cancellations_of, place_sequence, visible_places, visit_uid

    host = urlsplit(current_app.config.get("BASE_URL") or "http://localhost").hostname
    at = f"@{host or 'matchmaker'}"
    out = []
    for place in visible_places(event, participant):
        option, visit = place.option, place.option.visit
        start, end = span(option)
        uid = visit_uid(option.id, participant.id)
        out.append(
            Entry(
                uid=uid + at,
                sequence=place_sequence(participant.id, uid),
                stamp=place.created_at,
                starts_at=start,
                ends_at=end,
                summary=f"Visit: {visit.title} ({option.label})",
                location=visit.address,
                description=_join(
                    f"Meeting point: {visit.meeting_point}" if visit.meeting_point else "",
                    f"Host: {visit.host}" if visit.host else "",
                    "On site: " + _when(event, option.starts_at, option.ends_at),
                    visit.map_url,
                ),
                url=absolute_url("visits.mine", slug=event.slug),
            )
        )
    live = {e.uid for e in out}
    latest = {c.uid: c for c in cancellations_of(participant)}  # (in order: the last wins)
    out += [
        Entry(
            uid=c.uid + at,
            sequence=c.sequence,
            stamp=c.cancelled_at,
            starts_at=c.starts_at,
            ends_at=c.ends_at,
            summary=c.summary,
            location=c.location,
            url=absolute_url("visits.mine", slug=event.slug),
            cancelled=True,
        )
        for c in latest.values()
        if c.uid + at not in live and c.ends_at > now
    ]
    return out


# --- entries ----------------------------------------------------------------------------


def _participant_entry(event, row, me: int, people: list[_Person], wants) -> Entry:
    others = [p for p in people if p.id != me]
    lines = [f"With {p.label}" for p in others]
    for person in others:
        for kind in OPPORTUNITY_KINDS:
            titles = [title for k, title in wants.get(person.id, []) if k == kind]
            if titles:
                lines.append(f"{person.organisation} — {SEEKS[kind]}: " + "; ".join(titles))
    if row.message:
        author = next((p for p in people if p.id == row.requester_id), None)
        lines.append(f"Message from {author.name if author else 'the requester'}:\n{row.message}")
    return _meeting_entry(
        event,
        row,
        summary="Meeting: " + ", ".join(p.label for p in others),
        description=_join(*lines),
    )


def _venue_entry(event, row, people: list[_Person]) -> Entry:
    return _meeting_entry(
        event,
        row,
        summary="Meeting: " + " — ".join(p.label for p in people),
        description=_join(*(p.label for p in people)),
        organiser=True,
    )


def _meeting_entry(event, row, summary: str, description: str, organiser=False) -> Entry:
    where = ", ".join(part for part in (event.venue, row.table_name) if part)
    return Entry(
        uid=f"{row.uid}@matchmaker",
        sequence=row.sequence,
        stamp=row.changed_at,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        summary=summary,
        location=where,
        description=_join(
            description,
            _when(event, row.starts_at, row.ends_at) + (f" · {where}" if where else ""),
        ),
        url=meeting_url(event, row.meeting_id, organiser),
        cancelled=row.status == "cancelled",
    )


def meeting_url(event, meeting_id: int, organiser: bool = False) -> str:
    """The meeting on the participant's agenda, or on the organisers' schedule board."""
    if organiser:
        return absolute_url("schedules.show", slug=event.slug) + f"#meeting-{meeting_id}"
    return absolute_url("schedules.agenda", slug=event.slug) + f"#agenda-meeting-{meeting_id}"


def _when(event, starts_at, ends_at) -> str:
    start = fmt_datetime(starts_at, event.timezone)
    return f"{start}–{fmt_time(ends_at, event.timezone)} ({event.timezone})"


def _join(*parts: str) -> str:
    return "\n\n".join(part for part in parts if part)


def _latest(*stamps):
    return max((s for s in stamps if s is not None), default=None)
