"""Table assignment after the slots are fixed.

Tables are interchangeable apart from stands (a participant's ``table``: their meetings
use it and nobody else's do) and locks (a locked meeting keeps its previous table), so
the solver only bounds meetings per slot and real tables are chosen here, slot by slot
in time order.  Preferences, greedily: the meeting's table in the previous schedule
(minimal change), then a table one of its participants used in the slot before (people
stay seated between consecutive meetings), then the first free table.
"""

from __future__ import annotations

from .instance import Instance


def assign_tables(inst: Instance, slot_of: dict[int, int]) -> dict[int, str]:
    tables = list(inst.problem.tables)
    free_tables = [t for t in tables if t not in inst.stand_tables]
    by_slot: list[list[int]] = [[] for _ in range(inst.n_slots)]
    for m, s in slot_of.items():
        by_slot[s].append(m)
    table_of: dict[int, str] = {}
    seat_before: dict[int, str] = {}  # participant -> table in the previous slot
    for s in range(inst.n_slots):
        used: set[str] = set()
        todo = []
        for m in sorted(by_slot[s]):
            t = inst.table_of[m]
            if t is not None:
                table_of[m] = t
                used.add(t)
            else:
                todo.append(m)
        # Meetings with a preference first, strongest preference first.
        wanted: list[tuple[int, int, str]] = []
        for m in todo:
            prev = inst.previous_table[m]
            if prev is not None and inst.previous_slot[m] == s and prev not in inst.stand_tables:
                wanted.append((0, m, prev))
            for p in inst.members[m]:
                t = seat_before.get(p)
                if t is not None and t not in inst.stand_tables:
                    wanted.append((1, m, t))
        for _, m, t in sorted(wanted):
            if m not in table_of and t not in used:
                table_of[m] = t
                used.add(t)
        rest = iter(t for t in free_tables if t not in used)
        for m in todo:
            if m not in table_of:
                table_of[m] = next(rest)
        seat_now = {p: table_of[m] for m in by_slot[s] for p in inst.members[m]}
        seat_before = seat_now
    return table_of
