"""What a revision changes, in words, for each person it concerns.

A revision's ``changes`` (``services.draft_changes``) list meetings ``added``, ``moved``
(time or table) and ``cancelled``.  Here they become each participant's lines, e.g.
"Tue 14:50 Table 3 → Wed 09:25 Table 5, with Anna Virtanen (HydroCyl Oy)", the
organiser's summary before publishing ("12 meetings move, 9 people are notified"), and
what a participant's agenda marks as changed since the revision they last saw
(``AgendaView``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..events.models import Event
from ..extensions import db
from ..meetings.models import MeetingParticipant
from ..participants.models import Participant
from ..templating import to_zone
from .models import AgendaView, ScheduleRevision


def _place(event: Event, place: dict | None) -> str:
    if not place or not place.get("start"):
        return "no time"
    start = to_zone(datetime.fromisoformat(place["start"]), event.timezone)
    table = f" {place['table_name']}" if place.get("table_name") else ""
    return f"{start:%a %H:%M}{table}"


def line(event: Event, change: dict, others: list[str]) -> str:
    """One change as the participant reads it."""
    with_whom = f", with {', '.join(others)}" if others else ""
    kind = change["change"]
    if kind == "moved":
        return f"{_place(event, change['from'])} → {_place(event, change['to'])}{with_whom}"
    if kind == "added":
        return f"New: {_place(event, change['to'])}{with_whom}"
    return f"Cancelled: {_place(event, change['from'])}{with_whom}"


def _members(meeting_ids: set[int]) -> dict[int, list[Participant]]:
    members: dict[int, list[Participant]] = {}
    if not meeting_ids:
        return members
    rows = db.session.scalars(
        select(MeetingParticipant)
        .where(MeetingParticipant.meeting_id.in_(sorted(meeting_ids)))
        .options(
            selectinload(MeetingParticipant.participant).selectinload(Participant.organisation)
        )
        .order_by(MeetingParticipant.meeting_id, MeetingParticipant.participant_id)
    )
    for a in rows:
        members.setdefault(a.meeting_id, []).append(a.participant)
    return members


def per_participant(event: Event, changes: list[dict]) -> dict[int, list[str]]:
    """Participant id -> the lines of the changes that concern them, in time order."""
    members = _members({c["meeting"] for c in changes})

    def when(c: dict) -> str:
        return (c.get("to") or c.get("from") or {}).get("start") or ""

    out: dict[int, list[str]] = {}
    for c in sorted(changes, key=when):
        people = members.get(c["meeting"], [])
        for p in people:
            others = [o.label for o in people if o.id != p.id]
            out.setdefault(p.id, []).append(line(event, c, others))
    return out


def summary(event: Event, changes: list[dict]) -> str:
    """What publishing these changes does, in one sentence for the organiser."""
    counts = {"moved": 0, "added": 0, "cancelled": 0}
    for c in changes:
        counts[c["change"]] += 1
    people = len(per_participant(event, changes))
    parts = []
    if counts["moved"]:
        n = counts["moved"]
        parts.append(f"{n} meeting{'s' if n != 1 else ''} move{'s' if n == 1 else ''}")
    if counts["added"]:
        n = counts["added"]
        parts.append(f"{n} {'is' if n == 1 else 'are'} added")
    if counts["cancelled"]:
        n = counts["cancelled"]
        parts.append(f"{n} {'is' if n == 1 else 'are'} cancelled")
    told = f"{people} {'person is' if people == 1 else 'people are'} notified"
    return f"{', '.join(parts) or 'No meeting changes'}; {told}."


def since_last_seen(event: Event, participant: Participant) -> tuple[dict[int, str], list[str]]:
    """What changed for ``participant`` since the revision they last saw on their agenda
    (the first publication when they never looked): meeting id -> what it was before
    (for a moved meeting: "was Tue 14:50 Table 3"; "new" for an added one), and the
    lines of the meetings cancelled since.  Records that they have now seen the latest."""
    latest = db.session.scalar(
        select(ScheduleRevision.number)
        .where(ScheduleRevision.event_id == event.id)
        .order_by(ScheduleRevision.number.desc())
        .limit(1)
    )
    if latest is None:
        return {}, []
    view = db.session.get(AgendaView, participant.id)
    seen = view.revision if view is not None else 1
    marks: dict[int, str] = {}
    cancelled: dict[int, dict] = {}
    if seen < latest:
        mine = set(
            db.session.scalars(
                select(MeetingParticipant.meeting_id).where(
                    MeetingParticipant.participant_id == participant.id
                )
            )
        )
        revisions = db.session.scalars(
            select(ScheduleRevision)
            .where(ScheduleRevision.event_id == event.id, ScheduleRevision.number > seen)
            .order_by(ScheduleRevision.number)
        )
        first: dict[int, dict] = {}  # the place the participant last saw, per meeting
        for rev in revisions:
            for c in rev.changes:
                mid = c["meeting"]
                if mid not in mine:
                    continue
                first.setdefault(mid, c)
                marks.pop(mid, None)
                cancelled.pop(mid, None)
                before = first[mid]
                if c["change"] == "cancelled":
                    if before["change"] != "added":
                        cancelled[mid] = c
                elif before["change"] == "added":
                    marks[mid] = "New"
                else:
                    marks[mid] = f"Moved: was {_place(event, before['from'])}"
        members = _members(set(cancelled))
        lines = [
            line(event, c, [o.label for o in members.get(mid, []) if o.id != participant.id])
            for mid, c in cancelled.items()
        ]
    else:
        lines = []
    # Written only when a newer revision is seen: most views change nothing, and the
    # caller commits only then (a commit would expire every row the page still reads).
    if view is None:
        db.session.add(AgendaView(participant_id=participant.id, revision=latest))
    elif view.revision != latest:
        view.revision = latest
    return marks, lines
