"""Trade visits: who gets a place in which group (``docs/scheduling-format.md``, *Visits*).

The allocation comes first: CP-SAT maximises, lexicographically, each of ``OBJECTIVES``
in turn, holding the optimum of each one as a constraint for the next (a stage per
figure, each proven before the next unless time runs out).  The last figure looks at the
meetings: the fewest meetings that can no longer fit the slots left to a participant
(``meeting_overflow``), an estimate that gives the next stage a good start.  Then the
joint stage (``joint``): with every visit figure held at its optimum and the allocation's
variables free, one model places the meetings, so that among the visit-optimal
allocations one that places the most meetings (by priority) is taken.  That allocation
is fixed and its slots are blocked (made unavailable) for the meetings, which the engine
schedules with its objectives as without visits.

Choices where the issue is silent: a person takes at most one group of a visit, any
number of visits that do not overlap; the waitlist of an option lists the people who
wished that visit, accept that option and got no group of it, by rank, then in the order
of the wishes (the app lists them in the order they registered their wish).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Any

from ortools.sat.python import cp_model

from .problem import Problem, VisitPlace

#: The lexicographic order of the allocation's figures, and whether each is maximised.
OBJECTIVES = (
    ("first_choices", True),  # people who get the visit they ranked first
    ("people_with_visit", True),  # people who get at least one visit
    ("visits", True),  # places given in total
    ("rank_sum", False),  # the sum of the ranks of the visits given
    ("other_option", False),  # places in a group other than the one preferred
    ("moved", False),  # places of ``visit_previous`` not kept (a re-run changes little)
    ("meeting_overflow", False),  # meetings that no longer fit a person's free slots
)


@dataclass
class Allocation:
    places: list[VisitPlace] = field(default_factory=list)
    waitlist: dict[str, list[str]] = field(default_factory=dict)  # option id -> participants
    figures: dict[str, int] = field(default_factory=dict)
    proven: bool = True
    blocked: dict[str, set[int]] = field(default_factory=dict)  # participant -> slot indices
    #: The joint stage (``joint``): the meetings' priority it reached, whether proven.
    joint: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        out = {
            "places": [vars(p).copy() for p in self.places],
            "waitlist": {k: list(v) for k, v in self.waitlist.items()},
            "figures": dict(self.figures),
            "proven": self.proven,
        }
        if self.joint is not None:
            out["joint"] = dict(self.joint)
        return out


def figures_of(problem: Problem, places: list[VisitPlace]) -> dict[str, int]:
    """The figures of ``OBJECTIVES`` for an allocation (used by the checker's twin in
    tests and by brute force): measured, not reported."""
    wishes = {(w.participant, w.visit): w for w in problem.visit_wishes}
    first: dict[str, str] = {}
    for w in problem.visit_wishes:
        if w.participant not in first or w.rank < wishes[w.participant, first[w.participant]].rank:
            first[w.participant] = w.visit
    got = {(p.participant, p.visit) for p in places}
    people = {p.participant for p in places}
    other = sum(
        1
        for p in places
        if (wanted := wishes.get((p.participant, p.visit))) is not None
        and wanted.options is not None
        and wanted.options[0] != p.option
    )
    return {
        "first_choices": sum(1 for p, v in first.items() if (p, v) in got),
        "people_with_visit": len(people),
        "visits": len(places),
        "rank_sum": sum(wishes[k].rank for k in got if k in wishes),
        "other_option": other,
        "moved": len(
            {(p.participant, p.visit, p.option) for p in problem.visit_previous}
            - set((p.participant, p.visit, p.option) for p in places)
        ),
        "meeting_overflow": meeting_overflow(problem, places),
    }


def _need_and_free(problem: Problem) -> tuple[dict[str, int], dict[str, set[int]]]:
    need = {p.id: 0 for p in problem.participants}
    for m in problem.meetings:
        for p in m.participants:
            need[p] += 1
    order = {s.id: i for i, s in enumerate(problem.slots)}
    free = {
        p.id: set(range(len(problem.slots))) - {order[s] for s in p.unavailable}
        for p in problem.participants
    }
    return need, free


def meeting_overflow(problem: Problem, places: list[VisitPlace]) -> int:
    """Meetings more than a participant has slots left once their visits are blocked."""
    need, free = _need_and_free(problem)
    spans = _spans(problem)
    left = {p: set(s) for p, s in free.items()}
    for pl in places:
        left[pl.participant] -= spans[pl.option]
    return sum(max(0, need[p] - len(left[p])) for p in need)


def _spans(problem: Problem) -> dict[str, set[int]]:
    out = {}
    for v in problem.visits:
        for o in v.options:
            out[o.id] = set(problem.slot_span(o))
    return out


def _fixed_busy(problem: Problem) -> dict[str, set[int]]:
    """Slots where a participant has a meeting that cannot move (fixed or locked)."""
    order = {s.id: i for i, s in enumerate(problem.slots)}
    previous = {pl.meeting: pl.slot for pl in problem.previous}
    locked = set(problem.locked)
    busy: dict[str, set[int]] = {p.id: set() for p in problem.participants}
    for m in problem.meetings:
        slot = m.fixed_slot or (previous.get(m.id) if m.id in locked else None)
        if slot is not None and not m.optional:
            for p in m.participants:
                busy[p].add(order[slot])
    return busy


def _visit_model(
    model: cp_model.CpModel, problem: Problem, overflow_stage: bool = True
) -> tuple[dict, dict, dict]:
    """The allocation's variables ``y[participant, visit, option]`` and constraints
    (capacity, one group a visit, no two overlapping visits, places fixed by hand), added
    to ``model``; the expression of each of ``OBJECTIVES`` (``meeting_overflow`` only
    with ``overflow_stage``); and the literal "has a visit" of each participant."""
    spans = _spans(problem)
    busy = _fixed_busy(problem)
    all_options = {v.id: [o.id for o in v.options] for v in problem.visits}
    places_of = {o.id: o.places for v in problem.visits for o in v.options}
    locked = {(pl.participant, pl.visit): pl.option for pl in problem.visit_locked}
    y: dict[tuple[str, str, str], cp_model.IntVar] = {}
    for w in problem.visit_wishes:
        if (w.participant, w.visit) in locked:
            continue
        for o in w.options if w.options is not None else all_options[w.visit]:
            if not (spans[o] & busy[w.participant]):
                y[w.participant, w.visit, o] = model.new_bool_var(f"y{len(y)}")
    for (p, v), o in locked.items():
        y[p, v, o] = model.new_constant(1)
    per_wish: dict[tuple[str, str], list] = {}
    per_option: dict[str, list] = {}
    per_slot: dict[tuple[str, int], list] = {}
    for (p, v, o), var in y.items():
        per_wish.setdefault((p, v), []).append(var)
        per_option.setdefault(o, []).append(var)
        for s in spans[o]:
            per_slot.setdefault((p, s), []).append(var)
    for vs in per_wish.values():
        model.add(sum(vs) <= 1)
    for o, vs in per_option.items():
        model.add(sum(vs) <= max(places_of[o], sum(1 for oo in locked.values() if oo == o)))
    for vs in per_slot.values():
        if len(vs) > 1:
            model.add(sum(vs) <= 1)
    wish = {(w.participant, w.visit): w for w in problem.visit_wishes}
    got = {k: sum(vs) for k, vs in per_wish.items()}
    first: dict[str, str] = {}
    for w in problem.visit_wishes:
        if w.participant not in first or w.rank < wish[w.participant, first[w.participant]].rank:
            first[w.participant] = w.visit
    people: dict[str, list] = {}
    for (p, _), expr in got.items():
        people.setdefault(p, []).append(expr)
    has_visit = {}
    for p, held in people.items():
        b = model.new_bool_var(f"h{p}")
        model.add(b <= sum(held))
        has_visit[p] = b
    need, free = _need_and_free(problem)
    overflow = []
    for p, n in need.items() if overflow_stage else ():
        blocked = [len(spans[o] & free[p]) * var for (q, _, o), var in y.items() if q == p]
        if not blocked or n == 0:
            continue
        over = model.new_int_var(0, n, f"o{p}")
        model.add(over >= n - len(free[p]) + sum(blocked))
        overflow.append(over)
    exprs = {
        "first_choices": sum(got[p, v] for p, v in first.items() if (p, v) in got),
        "people_with_visit": sum(has_visit.values()),
        "visits": sum(got.values()),
        "rank_sum": sum(wish[k].rank * e for k, e in got.items() if k in wish),
        "other_option": sum(
            var
            for (p, v, o), var in y.items()
            if (wanted := wish.get((p, v))) is not None
            and wanted.options is not None
            and wanted.options[0] != o
        ),
        "moved": len(problem.visit_previous)
        - sum(
            y[k]
            for k in {(p.participant, p.visit, p.option) for p in problem.visit_previous}
            if k in y
        ),
        "meeting_overflow": sum(overflow),
    }
    return y, exprs, has_visit


def allocate(problem: Problem, time_limit: float = 5.0, workers: int = 2) -> Allocation:
    """The allocation of the problem's visits (see the module's docstring)."""
    deadline = time.monotonic() + time_limit
    locked = {(pl.participant, pl.visit) for pl in problem.visit_locked}
    model = cp_model.CpModel()
    y, exprs, _ = _visit_model(model, problem)
    proven = True
    chosen: dict[tuple[str, str, str], int] = {k: 0 for k in y}
    for name, maximise in OBJECTIVES:
        expr = exprs[name]
        if isinstance(expr, int):
            continue
        if maximise:
            model.maximize(expr)
        else:
            model.minimize(expr)
        for k, var in y.items():
            if k[:2] not in locked:  # (the constants of locked places share one variable)
                model.add_hint(var, chosen[k])
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(0.05, deadline - time.monotonic())
        # (With 2 workers the first stage of the bench's 120 people ran 15 s without its
        # bound, 148 of 120 people; with the full portfolio each stage is proven in
        # 0.03-0.3 s: the model is small, so the extra workers cost little.)
        solver.parameters.num_workers = max(8, workers)
        status = solver.solve(model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            # (No answer in time: the one of the stage before stands; it is feasible.)
            proven = False
            break
        chosen = {k: int(solver.value(var)) for k, var in y.items()}
        value = int(solver.value(expr))
        if status != cp_model.OPTIMAL:
            proven = False
        model.clear_objective()
        model.clear_hints()
        model.add(expr >= value if maximise else expr <= value)
        if not proven:
            break
    return _allocation(problem, chosen, proven)


def _allocation(problem: Problem, chosen: dict[tuple[str, str, str], int], proven: bool):
    """The places of ``chosen`` (y values), the waitlists, the figures, the slots blocked."""
    spans = _spans(problem)
    all_options = {v.id: [o.id for o in v.options] for v in problem.visits}
    places = [VisitPlace(p, v, o) for (p, v, o), on in sorted(chosen.items()) if on]
    placed = {(pl.participant, pl.visit) for pl in places}
    waitlist: dict[str, list[str]] = {o: [] for os in all_options.values() for o in os}
    ordered = sorted(enumerate(problem.visit_wishes), key=lambda iw: (iw[1].rank, iw[0]))
    for _, w in ordered:
        if (w.participant, w.visit) in placed:
            continue
        for o in w.options if w.options is not None else all_options[w.visit]:
            waitlist[o].append(w.participant)
    blocked: dict[str, set[int]] = {}
    for pl in places:
        blocked.setdefault(pl.participant, set()).update(spans[pl.option])
    return Allocation(
        places=places,
        waitlist=waitlist,
        figures=figures_of(problem, places),
        proven=proven,
        blocked=blocked,
    )


#: The figures the joint stage holds at the allocation's optimum: the visit objectives
#: proper (``meeting_overflow`` only estimates what the joint stage measures).
VISIT_FIGURES = tuple((n, up) for n, up in OBJECTIVES if n != "meeting_overflow")


def _without_visits(problem: Problem) -> Problem:
    return replace(problem, visits=(), visit_wishes=(), visit_locked=(), visit_previous=())


def joint(
    problem: Problem, allocation: Allocation, time_limit: float = 5.0, workers: int = 2
) -> Allocation:
    """Visits and meetings together: among the allocations as good as ``allocation`` on
    every visit figure (each held at its value: the optimum when ``allocation`` is
    proven), one that lets the meetings of highest priority be placed.  One CP-SAT model
    holds the allocation's variables and the meetings' placement (``_placement_model``:
    slots, tables, precedences; nothing blocked), coupled per participant and slot by
    "one meeting there, or one visit group whose span covers it" (a meeting is kept out
    of a slot only where a group over it is given).  The allocation returned is then
    fixed and blocked (``with_blocked``), and the engine schedules the meetings on it
    with every objective as without visits; its priority stage reaches this stage's
    figure at least, since this stage's placement fits the blocked problem (fairness, a
    rule on breaks, is left to the engine).

    First the meetings are placed greedily on ``allocation`` (``large.py``): when that
    places them all, nothing is to gain and ``allocation`` is returned as it is (its
    ``joint`` says so); also when the model finds no better answer in time."""
    from . import large
    from .instance import build_instance

    if not problem.meetings or not allocation.places:
        return allocation
    t0 = time.monotonic()
    inst = build_instance(_without_visits(problem))
    if any(not inst.domain[m] and not inst.optional[m] for m in range(inst.n_meetings)):
        return allocation  # (infeasible whatever the visits: the engine explains it)
    meetings = [m for m in range(inst.n_meetings) if inst.domain[m]]
    top = sum(inst.priority[m] for m in meetings)
    blocked = build_instance(with_blocked(problem, allocation))
    fits = [m for m in meetings if blocked.domain[m]]
    greedy = large.first_schedule(
        blocked, fits, t0 + min(1.0, time_limit / 4), lambda: False, settle=True
    )
    reached = sum(inst.priority[m] for m in greedy.slot_of)
    if reached == top:
        allocation.joint = {"priority": top, "proven": True, "seconds": _since(t0)}
        return allocation
    model = cp_model.CpModel()
    x, priority = _placement_model(model, inst, meetings)
    y, exprs, has_visit = _visit_model(model, problem, overflow_stage=False)
    for name, maximise in VISIT_FIGURES:
        if isinstance(exprs[name], int):
            continue
        value = allocation.figures[name]
        model.add(exprs[name] >= value if maximise else exprs[name] <= value)
    couple(model, inst, x, y, _spans(problem))
    model.add(priority >= reached)
    model.maximize(priority)
    # A complete hint: the allocation and the greedy placement on it.
    given = {(pl.participant, pl.visit, pl.option) for pl in allocation.places}
    locked = {(pl.participant, pl.visit) for pl in problem.visit_locked}
    for k, var in y.items():
        if k[:2] not in locked:
            model.add_hint(var, k in given)
    for p, var in has_visit.items():
        model.add_hint(var, any(pl.participant == p for pl in allocation.places))
    for (m, s), var in x.items():
        model.add_hint(var, greedy.slot_of.get(m) == s)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, time_limit - (time.monotonic() - t0))
    solver.parameters.num_workers = max(1, workers)
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        # (No answer in time: the allocation stands, with the greedy placement's figure.)
        allocation.joint = {
            "priority": reached,
            "proven": False,
            "seconds": _since(t0),
            "greedy": reached,
        }
        return allocation
    chosen = {k: int(solver.value(var)) for k, var in y.items()}
    out = _allocation(problem, chosen, allocation.proven)
    out.joint = {
        "priority": int(solver.value(priority)),
        "proven": status == cp_model.OPTIMAL,
        "seconds": _since(t0),
        "greedy": reached,  # (the greedy placement on the visit stages' allocation)
    }
    return out


def _since(t0: float) -> float:
    return round(time.monotonic() - t0, 3)


def _placement_model(
    model: cp_model.CpModel, inst, meetings: list[int]
) -> tuple[dict, cp_model.LinearExprT]:
    """The meetings' placement alone (no breaks): ``x[m, s]`` over each meeting's domain,
    required ones placed, at most ``#tables`` meetings a slot and one a stand table, the
    precedences; the scheduled priority.  (A participant's one meeting a slot is in
    ``couple``.)"""
    x = {(m, s): model.new_bool_var("") for m in meetings for s in inst.domain[m]}
    lits = {m: [x[m, s] for s in inst.domain[m]] for m in meetings}
    for m in meetings:
        if inst.optional[m]:
            model.add_at_most_one(lits[m])
        else:
            model.add_exactly_one(lits[m])
    by_slot: dict[int, list[int]] = {}
    for m, s in x:
        by_slot.setdefault(s, []).append(m)
    for s, ms in by_slot.items():
        free = [m for m in ms if inst.uses_free_table(m)]
        if len(free) > inst.n_free_tables:
            model.add(sum(x[m, s] for m in free) <= inst.n_free_tables)
        stands: dict[str, list[int]] = {}
        for m in ms:
            if inst.table_of[m] is not None:
                stands.setdefault(inst.table_of[m], []).append(m)
        for group in stands.values():
            if len(group) > 1:
                model.add_at_most_one(x[m, s] for m in group)
    active = set(meetings)
    for m in meetings:
        for a in inst.after[m]:
            if a in active:
                for s in inst.domain[m]:
                    later = [x[a, t] for t in inst.domain[a] if t >= s]
                    if later:
                        model.add(x[m, s] + sum(later) <= 1)
    priority = sum(inst.priority[m] * sum(lits[m]) for m in meetings)
    return x, priority


def couple(model: cp_model.CpModel, inst, x: dict, y: dict, spans: dict[str, set[int]]) -> None:
    """Per participant and slot: at most one of their meetings there, or one of their
    visit groups whose span covers it."""
    index = {pid: i for i, pid in enumerate(inst.participant_ids)}
    covering: dict[tuple[int, int], list] = {}
    for (p, _, o), var in y.items():
        for s in spans[o]:
            covering.setdefault((index[p], s), []).append(var)
    for p in range(inst.n_participants):
        for s in range(inst.n_slots):
            lits = [x[m, s] for m in inst.meetings_of[p] if (m, s) in x]
            ys = covering.get((p, s), [])
            if len(lits) + len(ys) > 1:
                model.add(sum(lits) + sum(ys) <= 1)


def with_blocked(problem: Problem, allocation: Allocation) -> Problem:
    """The problem with each participant's visit slots unavailable for meetings."""
    ids = [s.id for s in problem.slots]
    participants = tuple(
        replace(
            p,
            unavailable=tuple(
                dict.fromkeys(
                    (*p.unavailable, *(ids[i] for i in sorted(allocation.blocked.get(p.id, ()))))
                )
            ),
        )
        for p in problem.participants
    )
    return replace(problem, participants=participants, visits=(), visit_wishes=(), visit_locked=())
