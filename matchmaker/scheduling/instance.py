"""Index-based view of a :class:`Problem` shared by the heuristic, the model and the
explanations: slot indices, each meeting's domain (allowed slot indices) and table."""

from __future__ import annotations

from dataclasses import dataclass

from .problem import Problem


@dataclass
class Instance:
    problem: Problem
    n_slots: int
    n_tables: int
    slot_index: dict[str, int]
    meeting_ids: list[str]
    members: list[list[int]]  # meeting -> participant indices
    optional: list[bool]
    priority: list[int]
    domain: list[list[int]]  # meeting -> allowed slot indices, sorted
    after: list[list[int]]  # meeting -> meetings that must come earlier
    table_of: list[str | None]  # meeting -> table it must use (stand or lock)
    table_conflict: list[tuple[str, str] | None]  # two different required tables
    participant_ids: list[str]
    meetings_of: list[list[int]]  # participant -> meetings
    available: list[list[bool]]  # participant -> slot -> available
    previous_slot: list[int | None]  # meeting -> slot index in previous schedule
    previous_table: list[str | None]
    locked: list[bool]
    organisations: dict[str, list[int]]  # organisation -> participant indices
    stand_tables: set[str]  # tables reserved for their owners' meetings

    def uses_free_table(self, m: int) -> bool:
        """Whether meeting ``m`` takes one of the tables that are not a stand."""
        t = self.table_of[m]
        return t is None or t not in self.stand_tables

    @property
    def n_free_tables(self) -> int:
        return self.n_tables - len(self.stand_tables)

    @property
    def n_meetings(self) -> int:
        return len(self.meeting_ids)

    @property
    def n_participants(self) -> int:
        return len(self.participant_ids)

    def required(self) -> list[int]:
        return [m for m in range(self.n_meetings) if not self.optional[m]]


def build_instance(problem: Problem) -> Instance:
    slot_index = {s.id: i for i, s in enumerate(problem.slots)}
    pidx = {p.id: i for i, p in enumerate(problem.participants)}
    midx = {m.id: i for i, m in enumerate(problem.meetings)}
    n_slots = len(problem.slots)
    available = []
    for p in problem.participants:
        row = [True] * n_slots
        for sid in p.unavailable:
            row[slot_index[sid]] = False
        available.append(row)
    prev = {pl.meeting: pl for pl in problem.previous}
    locked_ids = set(problem.locked)
    stand = {p.id: p.table for p in problem.participants}
    members, domain, after, table_of, conflicts = [], [], [], [], []
    prev_slot, prev_table, locked = [], [], []
    meetings_of: list[list[int]] = [[] for _ in problem.participants]
    for mi, m in enumerate(problem.meetings):
        mem = [pidx[p] for p in m.participants]
        members.append(mem)
        for pi in mem:
            meetings_of[pi].append(mi)
        pl = prev.get(m.id)
        prev_slot.append(slot_index[pl.slot] if pl else None)
        prev_table.append(pl.table if pl else None)
        is_locked = m.id in locked_ids
        locked.append(is_locked)
        allowed = set(range(n_slots))
        if m.session is not None:
            allowed &= {i for i, s in enumerate(problem.slots) if s.session == m.session}
        if m.fixed_slot is not None:
            allowed &= {slot_index[m.fixed_slot]}
        if m.slots is not None:
            allowed &= {slot_index[s] for s in m.slots}
        if is_locked and pl is not None:
            allowed &= {slot_index[pl.slot]}
        allowed = {s for s in allowed if all(available[p][s] for p in mem)}
        domain.append(sorted(allowed))
        after.append([midx[a] for a in m.after])
        wanted = sorted({t for p in m.participants if (t := stand[p]) is not None})
        if is_locked and pl is not None and pl.table is not None and pl.table not in wanted:
            wanted.append(pl.table)
        table_of.append(wanted[0] if wanted else None)
        conflicts.append((wanted[0], wanted[1]) if len(wanted) > 1 else None)
    _propagate(domain, members, meetings_of, [m.optional for m in problem.meetings], after)
    orgs: dict[str, list[int]] = {}
    for i, p in enumerate(problem.participants):
        if p.organisation is not None:
            orgs.setdefault(p.organisation, []).append(i)
    return Instance(
        problem=problem,
        n_slots=n_slots,
        n_tables=len(problem.tables),
        slot_index=slot_index,
        meeting_ids=[m.id for m in problem.meetings],
        members=members,
        optional=[m.optional for m in problem.meetings],
        priority=[m.priority for m in problem.meetings],
        domain=domain,
        after=after,
        table_of=table_of,
        table_conflict=conflicts,
        participant_ids=[p.id for p in problem.participants],
        meetings_of=meetings_of,
        available=available,
        previous_slot=prev_slot,
        previous_table=prev_table,
        locked=locked,
        organisations=orgs,
        stand_tables={p.table for p in problem.participants if p.table is not None},
    )


def _propagate(domain, members, meetings_of, optional, after) -> None:
    """Shrink domains to a fixpoint: a required meeting with one possible slot occupies
    it for all its participants, and precedences between required meetings cut the
    domains of both ends."""
    changed = True
    while changed:
        changed = False
        for m, dom in enumerate(domain):
            if len(dom) == 1 and not optional[m]:
                s = dom[0]
                for p in members[m]:
                    for other in meetings_of[p]:
                        if other != m and s in domain[other]:
                            domain[other] = [t for t in domain[other] if t != s]
                            changed = True
            for a in after[m]:
                if optional[m] or optional[a] or not dom or not domain[a]:
                    continue
                low, high = domain[a][0], dom[-1]
                if dom[0] <= low:
                    domain[m] = dom = [t for t in dom if t > low]
                    changed = True
                if domain[a][-1] >= high:
                    domain[a] = [t for t in domain[a] if t < high]
                    changed = True


def breaks_of(slots: list[int]) -> int:
    """Breaks of one participant busy in the given slot indices."""
    s = sorted(slots)
    return sum(1 for a, b in zip(s, s[1:], strict=False) if b != a + 1)


def slots_by_participant(inst: Instance, slot_of: dict[int, int]) -> list[list[int]]:
    """Each participant's slots under ``slot_of`` (meeting -> slot)."""
    per: list[list[int]] = [[] for _ in range(inst.n_participants)]
    for m, s in slot_of.items():
        for p in inst.members[m]:
            per[p].append(s)
    return per


def total_breaks(inst: Instance, slot_of: dict[int, int]) -> int:
    return sum(breaks_of(slots) for slots in slots_by_participant(inst, slot_of))
