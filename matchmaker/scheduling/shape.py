"""Tie-breaks: among the schedules that are best by the objectives (priority placed,
fairness, moves, breaks, organisation blocks), the one a person expects.

* ``early`` (early and compact): first the fewest *idle slots* - a slot that every table
  leaves free although a meeting could be held there, before a busy slot of the same
  day (so each day starts with its first usable slot and has no empty hole); then the
  fewest *participant days* (the days on which each participant has a meeting, summed).
* ``spread`` (spread evenly): first the lowest *peak* (most meetings in one slot); then
  the most slots in use.

Lexicographic and measured: the schedule the objectives chose is the hint, and the
figures it reached (placed meetings, breaks, moves, organisation blocks) become
constraints, so a tie-break never costs any of them.  Up to ``LOCAL_LIMIT`` (meeting,
slot) pairs CP-SAT minimises the tie-break (proven when it says optimal); above, a
local search moves single meetings only where no participant's breaks rise
(``polish_local``).  ``figures`` measures any schedule, for the result and the bench.
"""

from __future__ import annotations

import math
import time
from dataclasses import replace

from ortools.sat.python import cp_model

from .instance import Instance, breaks_of, slots_by_participant, total_breaks
from .model import build_model


def days_of(inst: Instance) -> list[int]:
    """Slot index -> day index.  A slot's day is the date of its ``start`` as written
    (in the offset the problem gives), else its session, else one day for all."""
    keys = []
    for s in inst.problem.slots:
        keys.append(s.start[:10] if s.start else (s.session or ""))
    index: dict[str, int] = {}
    return [index.setdefault(k, len(index)) for k in keys]


def usable_slots(inst: Instance, meetings) -> set[int]:
    """Slots where at least one of ``meetings`` may be held by its own constraints
    (session, fixed slot, allowed slots, lock, its participants' availability): the
    same rule as the checker's, so not the domains, which propagation may have cut."""
    problem = inst.problem
    previous = {pl.meeting: pl.slot for pl in problem.previous}
    locked = set(problem.locked)
    people = problem.participant_by_id()
    out: set[int] = set()
    for m in meetings:
        if len(out) == inst.n_slots:
            break
        meeting = problem.meetings[m]
        for s, slot in enumerate(problem.slots):
            if s in out:
                continue
            if (
                (meeting.session is None or slot.session == meeting.session)
                and (meeting.fixed_slot is None or slot.id == meeting.fixed_slot)
                and (meeting.slots is None or slot.id in meeting.slots)
                and (meeting.id not in locked or previous.get(meeting.id) == slot.id)
                and not any(slot.id in people[p].unavailable for p in meeting.participants)
            ):
                out.add(s)
    return out


def figures(inst: Instance, slot_of: dict[int, int], rule: str, usable=None) -> dict:
    """The tie-break figures of a schedule (meeting -> slot index); ``usable``: its
    ``usable_slots`` when known."""
    day = days_of(inst)
    usable = usable_slots(inst, slot_of) if usable is None else usable
    load = [0] * inst.n_slots
    for s in slot_of.values():
        load[s] += 1
    out: dict = {"rule": rule}
    if rule == "early":
        idle = 0
        later = set()
        for s in range(inst.n_slots - 1, -1, -1):
            if load[s]:
                later.add(day[s])
            elif day[s] in later and s in usable:
                idle += 1
        out["idle_slots"] = idle
        per = slots_by_participant(inst, slot_of)
        out["participant_days"] = sum(len({day[s] for s in ss}) for ss in per)
    else:
        out["peak"] = max(load, default=0)
        out["slots_used"] = sum(1 for n in load if n)
    return out


def day_spans(inst: Instance, slot_of: dict[int, int]) -> list[tuple[int | None, int, int] | None]:
    """Per day: (first usable slot, first busy slot, last busy slot) as positions within
    the day (0 = its first slot), or None for a day without meetings (the bench)."""
    day = days_of(inst)
    usable = usable_slots(inst, slot_of)
    busy = set(slot_of.values())
    out = []
    for d in range(max(day, default=-1) + 1):
        slots = [s for s in range(inst.n_slots) if day[s] == d]
        held = [i for i, s in enumerate(slots) if s in busy]
        first_usable = next((i for i, s in enumerate(slots) if s in usable), None)
        out.append((first_usable, held[0], held[-1]) if held else None)
    return out


def improve(engine, slot_of: dict[int, int], deadline: float) -> tuple[dict[int, int], dict]:
    """The schedule that is best by ``engine.problem.tie_break`` among those no worse
    than ``slot_of`` by the objectives, and its figures (with bounds where proven)."""
    inst = engine.inst
    rule = inst.problem.tie_break
    judge = _Judge(inst, slot_of, rule)
    best = judge.best_shift(slot_of, deadline)
    proven: dict = {}
    # (Not when less time is left than the engine's model took to build, or when the
    # engine had no time to build one: this one is as large, CP-SAT would get no time.)
    left = deadline - time.monotonic()
    exact = not engine.local_search and not engine.model_skipped
    if exact and left > max(0.05, engine.build_seconds):
        made, out = _exact(engine, best, rule, deadline)
        proven = {k: v for k, v in out.items() if k.endswith("_bound")}
        if judge.no_worse(made) and judge.key(made) <= judge.key(best):
            best = made
    polished = polish_local(inst, best, rule, deadline, engine.should_stop)
    if judge.no_worse(polished) and judge.key(polished) < judge.key(best):
        best = polished
    figs = figures(inst, best, rule)
    # A bound holds for every schedule; the second figure's only among those that reach
    # the first one's bound.
    first, second = (
        ("idle_slots", "participant_days") if rule == "early" else ("peak", "slots_used")
    )
    if first + "_bound" in proven:
        figs[first + "_bound"] = proven[first + "_bound"]
        if second + "_bound" in proven and figs[first] == proven[first + "_bound"]:
            figs[second + "_bound"] = proven[second + "_bound"]
    if rule == "early" and "participant_days_bound" not in figs:
        # Everyone with a meeting is there on at least one day.
        people = len({p for m in best for p in inst.members[m]})
        proven_idle = figs.get("idle_slots_bound") == figs["idle_slots"]
        if proven_idle and figs["participant_days"] == people:
            figs["participant_days_bound"] = people
    return best, figs


class _Judge:
    """Whether a schedule of the same meetings is no worse than ``base`` by the
    objectives (valid, fair, breaks, moves, organisation blocks), and how good it is by
    the tie-break (``key``: lower is better)."""

    def __init__(self, inst: Instance, base: dict[int, int], rule: str):
        self.inst, self.rule, self.day = inst, rule, days_of(inst)
        self.breaks = total_breaks(inst, base)
        self.moved = self.moves(base)
        self.org = _org_blocks(inst, base) if inst.problem.organisation_blocks else 0
        self.n_days = max(self.day, default=0) + 1
        self.usable = usable_slots(inst, base)  # the same meetings throughout

    def moves(self, slot_of: dict[int, int]) -> int:
        prev = self.inst.previous_slot
        return sum(1 for m, s in slot_of.items() if prev[m] not in (None, s))

    def key(self, slot_of: dict[int, int]) -> tuple:
        f = figures(self.inst, slot_of, self.rule, self.usable)
        if self.rule == "early":
            return (f["idle_slots"], f["participant_days"], sum(slot_of.values()))
        return (f["peak"], -f["slots_used"])

    def no_worse(self, slot_of: dict[int, int]) -> bool:
        from .large import fair

        inst = self.inst
        for m, s in slot_of.items():
            if s not in inst.domain[m]:
                return False
            if any(a in slot_of and slot_of[a] >= s for a in inst.after[m]):
                return False
        return (
            total_breaks(inst, slot_of) <= self.breaks
            and self.moves(slot_of) <= self.moved
            and (not inst.problem.organisation_blocks or _org_blocks(inst, slot_of) <= self.org)
            and fair(inst, slot_of)
        )

    def best_shift(self, slot_of: dict[int, int], deadline: float) -> dict[int, int]:
        """The best of ``slot_of`` with all its meetings shifted by the same number of
        slots, then each day's meetings shifted within their day: a shift keeps who
        meets whom and each day's pattern, so it rarely costs anything, and it moves a
        schedule packed around the night (the last slot of a day and the first of the
        next are adjacent in the break count) to the morning."""
        S = self.inst.n_slots
        best, best_key = slot_of, self.key(slot_of)
        for k in range(-S + 1, S):
            if k == 0 or time.monotonic() > deadline:
                continue
            moved = {m: s + k for m, s in slot_of.items()}
            if all(0 <= s < S for s in moved.values()) and self.no_worse(moved):
                key = self.key(moved)
                if key < best_key:
                    best, best_key = moved, key
        for d in range(self.n_days):
            slots = [s for s in range(S) if self.day[s] == d]
            pos = {s: i for i, s in enumerate(slots)}
            for k in range(-len(slots) + 1, len(slots)):
                if k == 0 or time.monotonic() > deadline:
                    continue
                moved = dict(best)
                ok = True
                for m, s in best.items():
                    if self.day[s] == d:
                        i = pos[s] + k
                        if not 0 <= i < len(slots):
                            ok = False
                            break
                        moved[m] = slots[i]
                if ok and self.no_worse(moved):
                    key = self.key(moved)
                    if key < best_key:
                        best, best_key = moved, key
        return best


def _exact(engine, slot_of: dict[int, int], rule: str, deadline: float):
    placed = sorted(slot_of)
    # The meetings placed stay placed (optional ones too: the priority reached).
    inst = replace(engine.inst, optional=[False] * engine.inst.n_meetings)
    built = build_model(inst, placed)
    model = built.model
    model.add(built.breaks <= total_breaks(inst, slot_of))
    if built.moves_max:
        moved = sum(1 for m in placed if inst.previous_slot[m] not in (None, slot_of[m]))
        model.add(built.moved <= moved)
    if inst.problem.organisation_blocks and built.org_max:
        model.add(built.org_blocks <= _org_blocks(inst, slot_of))
    day = days_of(inst)
    usable = usable_slots(inst, placed)
    by_slot: list[list] = [[] for _ in range(inst.n_slots)]
    for (_m, s), v in built.x.items():
        by_slot[s].append(v)
    used = {}
    for s in range(inst.n_slots):
        if by_slot[s]:
            u = model.new_bool_var("")
            model.add_max_equality(u, by_slot[s])
            used[s] = u
    first: cp_model.LinearExprT
    second: cp_model.LinearExprT
    if rule == "early":
        idle: list[cp_model.IntVar] = []
        later_next: dict[int, cp_model.IntVar] = {}
        for s in range(inst.n_slots - 1, -1, -1):
            nxt = later_next.get(day[s])
            if s in usable and nxt is not None:
                i = model.new_bool_var("")
                model.add(i >= nxt - used.get(s, 0))
                idle.append(i)
            cur = model.new_bool_var("")
            if s in used:
                model.add(cur >= used[s])
            if nxt is not None:
                model.add(cur >= nxt)
            later_next[day[s]] = cur
        on: dict[tuple[int, int], cp_model.IntVar] = {}
        for (p, s), v in built.busy.items():
            d = on.get((p, day[s]))
            if d is None:
                d = on[p, day[s]] = model.new_bool_var("")
            model.add(d >= v)
        days = list(on.values())
        # Everyone with a meeting is there on some day: the bound CP-SAT proves at once.
        per_person: dict[int, list] = {}
        for (p, _d), v in on.items():
            per_person.setdefault(p, []).append(v)
        for vs in per_person.values():
            model.add_bool_or(vs)
        weight = len(days) + 1
        first, second = sum(idle), sum(days)
        model.minimize(first * weight + second)
        names = ("idle_slots", "participant_days")
    else:
        peak = model.new_int_var(0, len(placed), "")
        for s in range(inst.n_slots):
            if by_slot[s]:
                model.add(peak >= sum(by_slot[s]))
        weight = inst.n_slots + 1
        first, second = peak, -sum(used.values())
        model.minimize(peak * weight + second)
        names = ("peak", "slots_used")
    _complete_hint(model, built, slot_of, deadline)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, deadline - time.monotonic())
    solver.parameters.num_workers = engine.workers
    status = engine.run_solver(solver, built, lambda b: None)
    shaped = slot_of
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        made = {m: s for (m, s), v in built.x.items() if solver.value(v)}
        if total_breaks(inst, made) <= total_breaks(inst, slot_of):
            shaped = made
    out = figures(engine.inst, shaped, rule)
    if status == cp_model.OPTIMAL and shaped is not slot_of:
        out[names[0] + "_bound"] = out[names[0]]
        out[names[1] + "_bound"] = out[names[1]]
    elif status in (cp_model.OPTIMAL, cp_model.FEASIBLE) and rule == "early":
        # weight * idle + days >= bound, and days < weight.
        lb = math.ceil((solver.best_objective_bound - (weight - 1)) / weight - 1e-9)
        out["idle_slots_bound"] = max(0, min(lb, out["idle_slots"]))
    return shaped, out


def _complete_hint(model: cp_model.CpModel, built, slot_of: dict[int, int], deadline) -> None:
    """Hint every variable of ``model``, not only the placements: given the placements
    alone, CP-SAT did not find the schedule again in 5 s (the demo mission, breaks
    held at 0); with the placements fixed, the other variables follow in 0.05 s."""
    fixed = model.clone()
    fixed.clear_objective()
    for (m, s), v in built.x.items():
        fixed.add(fixed.get_bool_var_from_proto_index(v.index) == int(slot_of.get(m) == s))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, min(5.0, deadline - time.monotonic()))
    solver.parameters.num_workers = 1
    if solver.solve(fixed) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        for (m, s), v in built.x.items():
            model.add_hint(v, slot_of.get(m) == s)
        return
    for i in range(len(model.proto.variables)):
        var = model.get_int_var_from_proto_index(i)
        model.add_hint(var, solver.value(var))


def _org_blocks(inst: Instance, slot_of: dict[int, int]) -> int:
    per = slots_by_participant(inst, slot_of)
    total = 0
    for reps in inst.organisations.values():
        slots = sorted({s for p in reps for s in per[p]})
        total += sum(1 for i, s in enumerate(slots) if i == 0 or slots[i - 1] != s - 1)
    return total


def polish_local(
    inst: Instance, slot_of: dict[int, int], rule: str, deadline: float, should_stop=None
) -> dict[int, int]:
    """Single-meeting moves that raise nobody's breaks and improve the tie-break
    (lexicographically, with the sum of slot positions as the last measure for
    ``early``: each meeting as early as it may go), until none helps or time is up.
    Meetings locked or in their previous slot stay; fairness is kept."""
    from .heuristic import Greedy
    from .large import _movable, fair

    g = Greedy(inst, sorted(slot_of))
    for m, s in slot_of.items():
        g.place(m, s)
    day = days_of(inst)
    n_days = max(day, default=0) + 1
    load = [0] * inst.n_slots
    for s in slot_of.values():
        load[s] += 1
    usable = usable_slots(inst, slot_of)
    on_day = [[0] * n_days for _ in range(inst.n_participants)]
    for m, s in slot_of.items():
        for p in inst.members[m]:
            on_day[p][day[s]] += 1
    slots_of_day = [[s for s in range(inst.n_slots) if day[s] == d] for d in range(n_days)]

    def idle(d: int) -> int:
        n, later = 0, False
        for s in reversed(slots_of_day[d]):
            if load[s]:
                later = True
            elif later and s in usable:
                n += 1
        return n

    def gain(m: int, s: int, t: int) -> tuple:
        """How much moving ``m`` from ``s`` to ``t`` improves the tie-break (> 0 better)."""
        ds, dt = day[s], day[t]
        if rule == "early":
            before = idle(ds) + (idle(dt) if dt != ds else 0)
            load[s] -= 1
            load[t] += 1
            after = idle(ds) + (idle(dt) if dt != ds else 0)
            load[s] += 1
            load[t] -= 1
            days = 0
            if ds != dt:
                for p in inst.members[m]:
                    days += (on_day[p][ds] == 1) - (on_day[p][dt] == 0)
            return (before - after, days, s - t)
        peak_before = max(load[s], load[t])
        peak_after = max(load[s] - 1, load[t] + 1)
        return (peak_before - peak_after, (load[t] == 0) - (load[s] == 1), 0)

    improved = True
    while improved and time.monotonic() < deadline and not (should_stop and should_stop()):
        improved = False
        for m in sorted(g.slot_of, key=lambda m: -g.slot_of[m] if rule == "early" else m):
            if time.monotonic() >= deadline:
                break
            if not _movable(g, m):
                continue
            s = g.slot_of[m]
            before = [breaks_of(list(g.busy[p])) for p in inst.members[m]]
            best, best_t = (0, 0, 0), None
            for t in inst.domain[m]:
                if t == s or not g.fits(m, t, ignore=m):
                    continue
                gn = gain(m, s, t)
                if gn <= best:
                    continue
                g.remove(m)
                g.place(m, t)
                after = [breaks_of(list(g.busy[p])) for p in inst.members[m]]
                g.remove(m)
                g.place(m, s)
                if all(a <= b for a, b in zip(after, before, strict=True)):
                    best, best_t = gn, t
            if best_t is not None:
                g.remove(m)
                g.place(m, best_t)
                load[s] -= 1
                load[best_t] += 1
                for p in inst.members[m]:
                    on_day[p][day[s]] -= 1
                    on_day[p][day[best_t]] += 1
                improved = True
    made = dict(g.slot_of)
    if not fair(inst, made) or total_breaks(inst, made) > total_breaks(inst, slot_of):
        return slot_of
    return made
