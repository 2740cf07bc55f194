"""What organisers look at: the draft schedule as a grid, per participant, its quality,
and the conflict-free places a meeting could move to.  Read-only."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..events.models import Event, Table
from ..events.services import event_slots
from ..events.slots import Slot
from ..extensions import db
from ..meetings.models import Meeting, MeetingParticipant
from ..participants.models import Participant
from ..participants.services import approved_participants
from ..scheduling.instance import breaks_of
from ..visits.services import visit_blocked
from .engine_input import blocked_slots, current_problem, problem_key
from .models import SolverRun


@dataclass
class Board:
    event: Event
    slots: list[Slot]
    tables: list[Table]
    meetings: list[Meeting]
    participants: list[Participant]
    cell: dict[tuple[datetime, int], Meeting] = field(default_factory=dict)
    unplaced: list[Meeting] = field(default_factory=list)
    of_participant: dict[int, list[Meeting]] = field(default_factory=dict)
    slot_index: dict[datetime, int] = field(default_factory=dict)

    def slot_of(self, meeting: Meeting) -> Slot | None:
        i = self.slot_index.get(meeting.slot_start) if meeting.slot_start else None
        return self.slots[i] if i is not None else None

    def breaks_of(self, participant_id: int) -> int:
        idx = [
            self.slot_index[m.slot_start]
            for m in self.of_participant.get(participant_id, [])
            if m.slot_start in self.slot_index
        ]
        return breaks_of(idx)

    def matching(self, participant_id: int | None, organisation_id: int | None) -> set[int]:
        """Ids of the meetings the filter keeps: those of a participant it keeps
        (:func:`keeps`), so the grid shows the meetings of the people the per-participant
        view lists.  All of them when there is no filter."""
        if not participant_id and not organisation_id:
            return {m.id for m in self.meetings}
        return {
            m.id
            for m in self.meetings
            if any(keeps(a.participant, participant_id, organisation_id) for a in m.attendees)
        }

    def listed(self, participant_id: int | None, organisation_id: int | None) -> list[Participant]:
        """The participants the per-participant view lists (:func:`keeps`)."""
        return [p for p in self.participants if keeps(p, participant_id, organisation_id)]


def keeps(
    participant: Participant, participant_id: int | None, organisation_id: int | None
) -> bool:
    """The schedule's filter, one rule for the grid and the per-participant view: each
    filter that is set narrows (this participant, and someone of this organisation)."""
    return (not participant_id or participant.id == participant_id) and (
        not organisation_id or participant.organisation_id == organisation_id
    )


def slot_at(event: Event, start: datetime | None) -> Slot | None:
    """The event's slot starting at ``start`` (a meeting's ``slot_start``), or None."""
    return next((s for s in event_slots(event) if s.starts_at == start), None) if start else None


def load_board(event: Event) -> Board:
    slots = event_slots(event)
    meetings = list(
        db.session.scalars(
            select(Meeting)
            .where(Meeting.event_id == event.id, Meeting.status == "active")
            .options(
                selectinload(Meeting.attendees)
                .selectinload(MeetingParticipant.participant)
                .selectinload(Participant.organisation)
            )
            .order_by(Meeting.id)
        )
    )
    board = Board(event, slots, list(event.tables), meetings, approved_participants(event))
    board.slot_index = {s.starts_at: s.index for s in slots}
    for m in meetings:
        if m.slot_start is not None and m.table_id is not None:
            board.cell[(m.slot_start, m.table_id)] = m
        else:
            board.unplaced.append(m)
        for a in m.attendees:
            board.of_participant.setdefault(a.participant_id, []).append(m)
    for ms in board.of_participant.values():
        ms.sort(key=lambda m: (m.slot_start is None, m.slot_start or datetime.min))
    return board


def last_finished_run(event: Event) -> SolverRun | None:
    return db.session.scalar(
        select(SolverRun)
        .where(SolverRun.event_id == event.id, SolverRun.status == "succeeded")
        .order_by(SolverRun.id.desc())
        .limit(1)
    )


def proving_run(event: Event, placed: int, breaks: int) -> SolverRun | None:
    """The latest run that proves a draft with ``placed`` meetings and ``breaks`` breaks
    optimal: it proved that no schedule of the same problem (the same key: meetings,
    people, availability, slots, tables, locks) places as many with fewer breaks. Which
    run placed them, or a hand move since, does not matter; a change to the problem
    does. The current problem is built only when such a run exists."""
    candidates = db.session.scalars(
        select(SolverRun)
        .where(
            SolverRun.event_id == event.id,
            SolverRun.status == "succeeded",
            SolverRun.solver_status == "optimal",
            SolverRun.placed == placed,
            SolverRun.breaks == breaks,
            SolverRun.problem_key.is_not(None),
        )
        .order_by(SolverRun.id.desc())
        .limit(5)
    ).all()
    if not candidates:
        return None
    key = problem_key(current_problem(event))
    return next((run for run in candidates if run.problem_key == key), None)


def quality(board: Board) -> dict:
    """Placed of requested, breaks (total, per participant), fairness, the proof of
    optimality (by whichever run proved it for this problem), why no schedule has fewer
    breaks (``bound_reasons``) and why each unplaced meeting is unplaced (the engine's
    words, when it said)."""
    run = last_finished_run(board.event)
    breaks = {pid: board.breaks_of(pid) for pid in board.of_participant}
    placed = len(board.meetings) - len(board.unplaced)
    proof = proving_run(board.event, placed, sum(breaks.values())) if run else None
    reasons = {}
    if run and run.result:
        reasons = {int(u["meeting"]): u["reason"] for u in run.result.get("unscheduled", [])}
    # Why no schedule has fewer breaks, from the run whose proof or bound the card shows.
    shown = proof or run
    bound_reasons = list((shown.result or {}).get("bound_reasons", [])) if shown else []
    edited_since = bool(
        run
        and run.finished_at
        and any(m.updated_at and m.updated_at > run.finished_at for m in board.meetings)
    )
    return {
        "requested": len(board.meetings),
        "placed": placed,
        "total_breaks": sum(breaks.values()),
        "breaks": breaks,
        "max_breaks": max(breaks.values(), default=0),
        "min_breaks": min(breaks.values(), default=0),
        "fairness": (max(breaks.values()) - min(breaks.values())) if breaks else 0,
        # How many participants have 0, 1, 2... breaks: fairness at a glance.
        "break_counts": [
            (k, sum(1 for b in breaks.values() if b == k))
            for k in range(max(breaks.values(), default=-1) + 1)
        ],
        "run": run,
        "proof": proof,
        "edited_since": edited_since,
        "reasons": {m.id: reasons.get(m.id, "Not scheduled yet.") for m in board.unplaced},
        "bound_reasons": bound_reasons,
    }


def unavailable(event: Event, slots: list[Slot]) -> dict[int, set[datetime]]:
    """Participant id -> slot starts they cannot meet in: their absences and programme
    (``blocked_slots``) and their places on trade visits."""
    blocked = blocked_slots(event, slots)
    for pid, starts in visit_blocked(event, slots).items():
        blocked[pid] |= starts
    return blocked


def stand_holders(event: Event) -> dict[int, int]:
    """Table id -> the participant whose stand (fixed table) it is."""
    rows = db.session.execute(
        select(Participant.fixed_table_id, Participant.id).where(
            Participant.event_id == event.id, Participant.fixed_table_id.is_not(None)
        )
    )
    return {table: pid for table, pid in rows.tuples() if table is not None}


def tables_for(tables: list[int], stands: dict[int, int], pids) -> list[int]:
    """Of ``tables`` (in their order), those a meeting of ``pids`` may use: the stand of
    one of them, else any table that is nobody's stand."""
    own = [t for t in tables if stands.get(t) in pids]
    return own or [t for t in tables if t not in stands]


def free_targets(event: Event, meeting: Meeting) -> list[tuple[Slot, list[Table]]]:
    """Every (slot, tables) where ``meeting`` could go without breaking a hard rule:
    its participants are free and available, the table is free, and stands (a
    participant's fixed table) are respected.  Its current place is left out."""
    slots = event_slots(event)
    pids = set(meeting.participant_ids)
    blocked = unavailable(event, slots)
    others = db.session.execute(
        select(Meeting.id, Meeting.slot_start, Meeting.table_id).where(
            Meeting.event_id == event.id,
            Meeting.status == "active",
            Meeting.slot_start.is_not(None),
            Meeting.id != meeting.id,
        )
    ).all()
    busy_people = set(
        db.session.execute(
            select(MeetingParticipant.slot_start)
            .join(Meeting, Meeting.id == MeetingParticipant.meeting_id)
            .where(
                Meeting.event_id == event.id,
                Meeting.status == "active",
                Meeting.id != meeting.id,
                MeetingParticipant.participant_id.in_(pids),
                MeetingParticipant.slot_start.is_not(None),
            )
        ).scalars()
    )
    taken = {(start, table) for _id, start, table in others}
    allowed = set(tables_for([t.id for t in event.tables], stand_holders(event), pids))
    allowed_tables = [t for t in event.tables if t.id in allowed]
    targets = []
    for slot in slots:
        if slot.starts_at in busy_people:
            continue
        if any(slot.starts_at in blocked.get(p, ()) for p in pids):
            continue
        tables = [
            t
            for t in allowed_tables
            if (slot.starts_at, t.id) not in taken
            and not (slot.starts_at == meeting.slot_start and t.id == meeting.table_id)
        ]
        if tables:
            targets.append((slot, tables))
    return targets
