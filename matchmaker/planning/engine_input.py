"""Database rows -> the engine's problem dict, and the engine's result -> database rows.

The engine (``matchmaker.scheduling``) never sees ORM objects: this module reads the
event's slots, tables, participants, unavailability, programme and active meetings
with plain column queries (fast for 10,000 meetings) and writes the result back with
bulk statements whose rows the partial unique indexes still check.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table as CoreTable
from sqlalchemy import bindparam, select, update

from ..events.models import Event, ProgrammeAttendance, ProgrammeItem, Table
from ..events.services import event_slots
from ..events.slots import Slot
from ..extensions import db
from ..meetings.models import Meeting, MeetingParticipant
from ..participants.models import Organisation, Participant, Unavailability
from ..scheduling import Result
from ..templating import to_zone
from ..visits.services import add_to_problem as add_visits


def blocked_slots(event: Event, slots: list[Slot]) -> dict[int, set[datetime]]:
    """Participant id -> UTC slot starts they cannot meet in.

    Their own ``Unavailability`` rows plus every slot a programme item they attend
    overlaps ("all" items: every approved participant; "opt_in": those who signed up).
    """
    blocked: dict[int, set[datetime]] = defaultdict(set)
    rows = db.session.execute(
        select(Unavailability.participant_id, Unavailability.slot_start)
        .join(Participant, Participant.id == Unavailability.participant_id)
        .where(Participant.event_id == event.id)
    )
    for pid, start in rows:
        blocked[pid].add(start)
    items = db.session.scalars(select(ProgrammeItem).where(ProgrammeItem.event_id == event.id))
    approved: list[int] | None = None
    for item in items:
        covered = {
            s.starts_at for s in slots if s.starts_at < item.ends_at and item.starts_at < s.ends_at
        }
        if not covered:
            continue
        if item.attendance == "all":
            if approved is None:
                approved = list(
                    db.session.scalars(
                        select(Participant.id).where(
                            Participant.event_id == event.id, Participant.status == "approved"
                        )
                    )
                )
            attendees = approved
        else:
            attendees = list(
                db.session.scalars(
                    select(ProgrammeAttendance.participant_id).where(
                        ProgrammeAttendance.item_id == item.id
                    )
                )
            )
        for pid in attendees:
            blocked[pid] |= covered
    return blocked


def problem_key(problem: dict[str, Any]) -> str:
    """A fingerprint of what ``problem`` asks (meetings, people and their availability,
    slots, tables, locks, visits and wishes), leaving out where the draft has its
    meetings and visitors now (``previous``, ``visit_previous``: a run saves both) and
    the event's name: two runs with the same key solved the same problem, so a proof of
    one holds for a schedule of the other."""
    asked = {k: v for k, v in problem.items() if k not in ("previous", "visit_previous", "name")}
    text = json.dumps(asked, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def current_problem(event: Event) -> dict[str, Any]:
    """The problem a run started now would solve (during the event, with the past kept)."""
    from ..desk.replan import keep_the_past

    return keep_the_past(event, build_problem(event))


def build_problem(event: Event) -> dict[str, Any]:
    """The engine's problem for ``event``: its active meetings, all marked optional so an
    over-full event still gets a schedule (with explanations for what does not fit);
    locked meetings keep their slot and table; placed ones are the ``previous`` schedule
    the engine changes as little as possible."""
    slots = event_slots(event)
    key_of = {s.starts_at: s.key for s in slots}
    table_ids = list(
        db.session.scalars(
            select(Table.id).where(Table.event_id == event.id).order_by(Table.position, Table.id)
        )
    )
    members: dict[int, list[int]] = defaultdict(list)
    for mid, pid in db.session.execute(
        select(MeetingParticipant.meeting_id, MeetingParticipant.participant_id)
        .join(Meeting, Meeting.id == MeetingParticipant.meeting_id)
        .where(Meeting.event_id == event.id, Meeting.status == "active")
        .order_by(MeetingParticipant.meeting_id, MeetingParticipant.participant_id)
    ):
        members[mid].append(pid)
    people = {
        row.id: row
        for row in db.session.execute(
            select(
                Participant.id,
                Participant.name,
                Participant.organisation_id,
                Participant.fixed_table_id,
                Organisation.name.label("org"),
            )
            .join(Organisation, Organisation.id == Participant.organisation_id)
            .where(Participant.event_id == event.id)
        )
    }
    blocked = blocked_slots(event, slots)
    in_meetings = sorted({pid for pids in members.values() for pid in pids})
    participants = []
    for pid in in_meetings:
        row = people[pid]
        entry: dict[str, Any] = {
            "id": str(pid),
            "label": f"{row.org} / {row.name}",
            "organisation": str(row.organisation_id),
            "unavailable": sorted(key_of[s] for s in blocked.get(pid, ()) if s in key_of),
        }
        if row.fixed_table_id in table_ids:
            entry["table"] = str(row.fixed_table_id)
        participants.append(entry)
    meetings, previous, locked = [], [], []
    for m in db.session.execute(
        select(Meeting.id, Meeting.slot_start, Meeting.table_id, Meeting.locked, Meeting.priority)
        .where(Meeting.event_id == event.id, Meeting.status == "active")
        .order_by(Meeting.id)
    ):
        pids = members.get(m.id, [])
        if len(pids) < 2:
            continue
        meeting: dict[str, Any] = {
            "id": str(m.id),
            "participants": [str(p) for p in pids],
            "optional": True,
            "priority": max(0, m.priority),
            "label": " – ".join(people[p].org for p in pids),
        }
        slot_key = key_of.get(m.slot_start)
        if slot_key is not None:
            placement = {"meeting": str(m.id), "slot": slot_key}
            if m.table_id in table_ids:
                placement["table"] = str(m.table_id)
            previous.append(placement)
            if m.locked:
                meeting["fixed_slot"] = slot_key
                locked.append(str(m.id))
        meetings.append(meeting)
    problem = {
        "format": "matchmaker.scheduling/1",
        "name": event.slug,
        "slots": [
            {
                "id": s.key,
                "session": str(s.session_id),
                # In the event's zone: a slot's day (tie-breaks) is the local date.
                "start": to_zone(s.starts_at, event.timezone).isoformat(),
                "end": to_zone(s.ends_at, event.timezone).isoformat(),
            }
            for s in slots
        ],
        "tables": [str(t) for t in table_ids],
        "participants": participants,
        "meetings": meetings,
        "fairness": None,
        "tie_break": event.schedule_tie_break or "early",
        "previous": previous,
        "locked": locked,
    }
    add_visits(event, problem, slots, blocked)  # trade visits, when the event has any
    return problem


def save_result(event: Event, result: Result) -> int:
    """Replace the draft placement of the event's unlocked meetings by ``result``.

    Runs as bulk statements in the caller's transaction; the partial unique indexes
    refuse any double booking (``IntegrityError``: the caller rolls back and the previous
    schedule stays).  Every changed meeting's ``version`` is bumped, so a move form
    opened before the run gets a 409.  Returns the number of meetings placed.
    """
    slots = {s.key: s for s in event_slots(event)}
    unlocked = select(Meeting.id).where(
        Meeting.event_id == event.id, Meeting.status == "active", Meeting.locked.is_(False)
    )
    unlocked_ids = set(db.session.scalars(unlocked))
    db.session.flush()
    db.session.execute(
        update(MeetingParticipant)
        .where(MeetingParticipant.meeting_id.in_(unlocked))
        .values(slot_start=None),
        execution_options={"synchronize_session": False},
    )
    db.session.execute(
        update(Meeting)
        .where(Meeting.id.in_(unlocked))
        .values(slot_start=None, slot_end=None, table_id=None, version=Meeting.version + 1),
        execution_options={"synchronize_session": False},
    )
    rows = []
    for a in result.assignments:
        mid = int(a.meeting)
        if mid not in unlocked_ids:
            continue
        slot = slots[a.slot]
        rows.append({"mid": mid, "start": slot.starts_at, "end": slot.ends_at, "tid": int(a.table)})
    if rows:
        meetings = cast(CoreTable, Meeting.__table__)  # typed as any FromClause
        attendees = cast(CoreTable, MeetingParticipant.__table__)
        db.session.execute(
            meetings.update()
            .where(meetings.c.id == bindparam("mid"))
            .values(
                slot_start=bindparam("start"), slot_end=bindparam("end"), table_id=bindparam("tid")
            ),
            rows,
        )
        db.session.execute(
            attendees.update()
            .where(attendees.c.meeting_id == bindparam("mid"))
            .values(slot_start=bindparam("start")),
            rows,
        )
    db.session.flush()
    db.session.expire_all()
    return len(rows)
