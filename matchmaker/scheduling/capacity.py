"""Capacity planning before a run: "Will it fit, and how many tables do I need?"

Breaks aside (any schedule at all), for the problem's meetings, slots and availability:

* **bottlenecks**: participants with more meetings than slots they can attend (a
  maximum matching of their meetings to their slots, ``bounds.match_to_slots``): no
  number of tables places those; ``left_out`` counts the meetings that cannot be placed
  for that reason.
* **tables**: the fewest tables with which every meeting that can be placed is placed
  (CP-SAT: most meetings placed first, then the fewest tables; proven, or a range).
* **slots**: when meetings are left out with the tables the event has, how many slots
  more (open to everyone, as a new session would be) would place them all (CP-SAT over
  that many extra slots; proven, or a range).

Stand tables are counted as tables like the others.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from .bounds import match_to_slots
from .instance import build_instance
from .problem import Problem

#: Above this many (meeting, slot) pairs the models are not built (the answer says so).
PAIRS_LIMIT = 120_000


@dataclass
class Bottleneck:
    participant: str  # label (or id)
    meetings: int
    slots: int  # slots they can attend that a meeting of theirs may use


@dataclass
class Capacity:
    meetings: int
    tables: int
    slots: int
    bottlenecks: list[Bottleneck] = field(default_factory=list)
    left_out: int = 0  # meetings no number of tables places (the bottlenecks')
    tables_needed: int | None = None  # fewest tables found that place all that can be
    tables_bound: int = 0  # proven: fewer tables cannot
    extra_slots: int | None = None  # slots more that place every meeting
    extra_slots_bound: int = 0
    unplaced_with_tables: int | None = None  # meetings left out with the event's tables
    seconds: float = 0.0

    @property
    def tables_proven(self) -> bool:
        return self.tables_needed is not None and self.tables_needed == self.tables_bound

    @property
    def extra_slots_proven(self) -> bool:
        return self.extra_slots is not None and self.extra_slots == self.extra_slots_bound


def plan(problem: Problem, time_limit: float = 5.0, workers: int = 2) -> Capacity:
    """The capacity answer for ``problem`` within about ``time_limit`` seconds."""
    t0 = time.monotonic()
    inst = build_instance(problem)
    labels = {p.id: p.label or p.id for p in problem.participants}
    cap = Capacity(len(problem.meetings), len(problem.tables), len(problem.slots))
    left: set[int] = set()
    for p in range(inst.n_participants):
        mine = inst.meetings_of[p]
        matched, out = match_to_slots(inst, mine)
        if out:
            usable = len({s for m in mine for s in inst.domain[m]})
            cap.bottlenecks.append(Bottleneck(labels[inst.participant_ids[p]], len(mine), usable))
            left.update(out)
    cap.bottlenecks.sort(key=lambda b: b.slots - b.meetings)
    pairs = sum(len(d) for d in inst.domain)
    if pairs > PAIRS_LIMIT or not inst.n_meetings:
        cap.seconds = time.monotonic() - t0
        return cap
    share = time_limit / 2
    placeable, need, bound = _fewest_tables(inst, share, workers)
    cap.left_out = inst.n_meetings - placeable
    cap.tables_needed, cap.tables_bound = need, bound
    if need is not None and need > cap.tables:
        placed = _most_placed(inst, cap.tables, share, workers)
        cap.unplaced_with_tables = None if placed is None else inst.n_meetings - placed
        if placed is not None and placed < inst.n_meetings:
            cap.extra_slots, cap.extra_slots_bound = _extra_slots(
                inst, cap.tables, max(0.5, t0 + time_limit - time.monotonic()), workers
            )
    elif need is not None:
        cap.unplaced_with_tables = cap.left_out
        if cap.left_out:
            cap.extra_slots, cap.extra_slots_bound = _extra_slots(
                inst, cap.tables, max(0.5, t0 + time_limit - time.monotonic()), workers
            )
    cap.seconds = time.monotonic() - t0
    return cap


def _base(inst, extra: int = 0):
    """x[m, s] over the domains (plus ``extra`` slots open to every meeting, indices
    from ``n_slots``), each meeting at most once, each participant once a slot."""
    model = cp_model.CpModel()
    x = {}
    placed = {}
    for m in range(inst.n_meetings):
        lits = []
        for s in list(inst.domain[m]) + list(range(inst.n_slots, inst.n_slots + extra)):
            x[m, s] = model.new_bool_var("")
            lits.append(x[m, s])
        model.add(sum(lits) <= 1)
        placed[m] = sum(lits)
    by_slot: dict[int, list] = {}
    for (m, s), v in x.items():
        by_slot.setdefault(s, []).append((m, v))
    for p in range(inst.n_participants):
        per_slot: dict[int, list] = {}
        for m in inst.meetings_of[p]:
            for s in list(inst.domain[m]) + list(range(inst.n_slots, inst.n_slots + extra)):
                per_slot.setdefault(s, []).append(x[m, s])
        for lits in per_slot.values():
            if len(lits) > 1:
                model.add_at_most_one(lits)
    return model, x, placed, by_slot


def _solver(time_limit: float, workers: int) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.1, time_limit)
    solver.parameters.num_workers = workers
    return solver


def _fewest_tables(inst, time_limit: float, workers: int) -> tuple[int, int | None, int]:
    """(meetings placed, fewest tables found, proven lower bound): the most meetings
    placed first, then the fewest tables."""
    model, x, placed, by_slot = _base(inst)
    n = inst.n_meetings
    tables = model.new_int_var(0, n, "tables")
    for mvs in by_slot.values():
        model.add(sum(v for _, v in mvs) <= tables)
    total = sum(placed.values())
    model.minimize(tables - (n + 1) * total)
    solver = _solver(time_limit, workers)
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return 0, None, 0
    got = int(solver.value(total))
    need = int(solver.value(tables))
    usable = max(1, len(by_slot))
    bound = math.ceil(got / usable)
    if status == cp_model.OPTIMAL:
        bound = need
    else:
        # tables - (n + 1) * placed >= objective bound, placed <= got at best.
        lb = math.ceil(solver.best_objective_bound) + (n + 1) * got
        bound = max(bound, min(need, lb))
    return got, need, bound


def _most_placed(inst, tables: int, time_limit: float, workers: int) -> int | None:
    model, x, placed, by_slot = _base(inst)
    for mvs in by_slot.values():
        if len(mvs) > tables:
            model.add(sum(v for _, v in mvs) <= tables)
    total = sum(placed.values())
    model.maximize(total)
    solver = _solver(time_limit, workers)
    status = solver.solve(model)
    return int(solver.value(total)) if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None


def _extra_slots(inst, tables: int, time_limit: float, workers: int) -> tuple[int | None, int]:
    """(slots more found, proven lower bound) with which every meeting is placed with
    ``tables`` tables; the extra slots are open to every participant."""
    degree = max((len(ms) for ms in inst.meetings_of), default=0)
    hi = min(inst.n_meetings, math.ceil(1.5 * degree) + math.ceil(inst.n_meetings / tables))
    hi = min(hi, 200)
    model, x, placed, by_slot = _base(inst, extra=hi)
    for mvs in by_slot.values():
        if len(mvs) > tables:
            model.add(sum(v for _, v in mvs) <= tables)
    for m in range(inst.n_meetings):
        model.add(placed[m] == 1)
    used = [model.new_bool_var("") for _ in range(hi)]
    for k in range(hi):
        for _m, v in by_slot.get(inst.n_slots + k, []):
            model.add_implication(v, used[k])
        if k:
            model.add_implication(used[k], used[k - 1])
    model.minimize(sum(used))
    solver = _solver(time_limit, workers)
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, 0
    found = int(sum(solver.value(u) for u in used))
    return found, found if status == cp_model.OPTIMAL else int(solver.best_objective_bound)
