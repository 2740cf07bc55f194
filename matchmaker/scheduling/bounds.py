"""Per-participant lower bounds on breaks.

A participant's meetings, taken alone (their domains: sessions, fixed slots,
unavailability of everyone in the meeting, precedences among them), may force breaks:
meetings in slots 2 and 9, or 12 meetings around an unavailable slot.  Each participant
is solved alone as a tiny CP-SAT model (minimise blocks); the bound is added to the main
model (``blocks >= lb + 1``) and summed into a global lower bound.  A participant whose
own meetings cannot all be placed is reported (``None``) — see ``explain.py``.
"""

from __future__ import annotations

import bisect
import math
import time
from dataclasses import dataclass, field

from ortools.linear_solver.python import model_builder
from ortools.sat.python import cp_model

from .instance import Instance, breaks_of


def participant_min_breaks(
    inst: Instance, p: int, meetings: list[int], time_limit: float = 1.0
) -> int | None:
    """Minimum breaks of participant ``p``: their required meetings all placed, their
    optional ones placed or not, whichever has fewer breaks (an optional meeting can
    fill a gap between required ones, so they are not left out).

    Returns ``None`` if the required meetings cannot be placed at all."""
    ms = [m for m in meetings if not inst.optional[m]]
    if len(ms) <= 1:
        return 0 if all(inst.domain[m] for m in ms) else None
    if len({s for m in ms for s in inst.domain[m]}) < len(ms):
        return None
    mset = set(ms)
    # Quick answer: k consecutive slots allowed for every meeting => no forced break.
    common = set(inst.domain[ms[0]]).intersection(*(inst.domain[m] for m in ms[1:]))
    run = 0
    for s in range(inst.n_slots):
        run = run + 1 if s in common else 0
        if run >= len(ms) and not any(inst.after[m] for m in ms):
            return 0
    if not any(a in mset for m in ms for a in inst.after[m]) and fits_one_block(
        [inst.domain[m] for m in ms]
    ):
        return 0
    fillers = [m for m in meetings if inst.optional[m]]
    every = ms + fillers
    slots = sorted({s for m in every for s in inst.domain[m]})
    model = cp_model.CpModel()
    x = {(m, s): model.new_bool_var("") for m in every for s in inst.domain[m]}
    for m in ms:
        model.add_exactly_one(x[m, s] for s in inst.domain[m])
    for m in fillers:
        model.add_at_most_one(x[m, s] for s in inst.domain[m])
    busy = {}
    for s in slots:
        lits = [x[m, s] for m in every if (m, s) in x]
        model.add_at_most_one(lits)
        busy[s] = sum(lits)
    everyset = set(every)
    for m in every:
        for a in inst.after[m]:
            if a in everyset:
                for s in inst.domain[m]:
                    later = [x[a, t] for t in inst.domain[a] if t >= s]
                    if later:
                        model.add(x[m, s] + sum(later) <= 1)
    starts = []
    for s in slots:
        st = model.new_bool_var("")
        model.add(st >= busy[s] - busy[s - 1] if s - 1 in busy else st >= busy[s])
        starts.append(st)
    # Meetings with the same domain (and no order among them) are interchangeable: keep
    # them in slot order, which removes the factorial symmetry.
    same: dict[tuple[int, ...], list[int]] = {}
    for m in ms:
        if not inst.after[m] and not any(m in inst.after[o] for o in every):
            same.setdefault(tuple(inst.domain[m]), []).append(m)
    for dom, group in same.items():
        when = [sum(s * x[m, s] for s in dom) for m in group]
        for earlier, next_one in zip(when, when[1:], strict=False):
            model.add(earlier < next_one)
    model.minimize(sum(starts))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = 1
    status = solver.solve(model)
    if status == cp_model.INFEASIBLE:
        return None
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return 0
    return max(0, int(solver.best_objective_bound + 0.999) - 1)


def block_lower_bound(inst: Instance, p: int, meetings: list[int]) -> int:
    """Cheap bound for large events (no CP-SAT): ``interval_lower_bound``, and at least
    one break when the participant's required meetings fit no window of their count
    and no optional meeting could fill a gap."""
    lb = interval_lower_bound(inst, p, meetings)
    ms = [m for m in meetings if not inst.optional[m]]
    if lb or len(ms) <= 1 or len(ms) < len(meetings):
        return lb
    return 0 if fits_one_block([inst.domain[m] for m in ms]) else 1


def interval_lower_bound(inst: Instance, p: int, meetings: list[int]) -> int:
    """Cheap bound: runs of slots where the participant could meet (optional meetings
    too: they can fill a gap) must hold all their required meetings; the fewest runs
    that are long enough, minus one."""
    ms = [m for m in meetings if not inst.optional[m]]
    if len(ms) <= 1:
        return 0
    slots = sorted({s for m in meetings for s in inst.domain[m]})
    runs, length = [], 0
    for i, s in enumerate(slots):
        length = length + 1 if i and s == slots[i - 1] + 1 else 1
        if i + 1 == len(slots) or slots[i + 1] != s + 1:
            runs.append(length)
    need, used = len(ms), 0
    for r in sorted(runs, reverse=True):
        if need <= 0:
            break
        need -= r
        used += 1
    return max(0, used - 1)


def fits_one_block(doms: list[list[int]]) -> bool:
    """Whether meetings with these domains (sorted slot lists) can fill some window of as
    many consecutive slots (a perfect bipartite matching meetings -> window slots, by
    augmenting paths).

    A meeting allowed in every slot of a window takes whichever slot is left, so only
    the meetings the window restricts are matched: on large events most meetings are
    allowed everywhere and the check costs little per window."""
    n = len(doms)
    if not all(doms):
        return False
    lo = min(d[0] for d in doms)
    hi = max(d[-1] for d in doms)
    sets = [set(d) for d in doms]
    # Per meeting, the slots of lo..hi outside its domain, sorted.
    gaps = [[s for s in range(lo, hi + 1) if s not in ds] for ds in sets]
    for start in range(lo, hi - n + 2):
        end = start + n
        restricted = []
        for ds, gap in zip(sets, gaps, strict=True):
            i = bisect.bisect_left(gap, start)
            if i < len(gap) and gap[i] < end:
                inside = tuple(s for s in range(start, end) if s in ds)
                if not inside:
                    break
                restricted.append(inside)
        else:
            if len(restricted) <= 1 or _holds(tuple(restricted), list(range(start, end))):
                return True
    return False


#: Most patterns in the programs of ``capacity_bound`` and ``relaxation_bound`` (beyond
#: this they cost more than a second and gain little: the events whose slots are full
#: have few patterns).
MAX_PATTERNS = 4000


def capacity_bound(
    inst: Instance, meetings: list[int], lower: list[int], time_limit: float = 1.0
) -> int:
    """A global lower bound from the slots' capacity: at most (meeting size x tables)
    people are busy in a slot, and each participant's busy slots form a *pattern* of
    their meeting count with at least their own bound of breaks.

    Tightly packed events force breaks that no participant alone shows: in
    tic-13crafc (10 slots, 19 tables, 180 meetings) the 23 participants with 6 to 9
    meetings all cover the middle two slots when they have no break, and together with
    the six who have 5 meetings they need more room there than the tables give.

    The participants' patterns with at most ``lower[p] + 1`` breaks are enumerated (a
    pattern must hold the participant's meetings: a matching of meetings to slots);
    participants whose meetings have the same domains share one integer count per
    pattern, so the integer program is small and its linear relaxation strong.  Any
    other pattern costs ``lower[p] + 2`` breaks and is not counted against the slots.
    First, cheaply: if everyone fits at their own bound, the answer is their sum.
    Returns ``sum(lower)`` when the bound does not apply (optional meetings)."""
    floors = sum(lower)
    if not meetings or any(inst.optional[m] for m in meetings):
        return floors
    active = set(meetings)
    size = max(len(inst.members[m]) for m in meetings)
    classes: dict[tuple, int] = {}
    for p in range(inst.n_participants):
        doms = _domains(inst, p, active)
        if doms:
            key = (lower[p], doms)
            classes[key] = classes.get(key, 0) + 1
    deadline = time.monotonic() + time_limit
    best = floors
    for extra in (0, 1):
        model = cp_model.CpModel()
        cover: list[list] = [[] for _ in range(inst.n_slots)]
        cost = []
        made = 0
        for (lb, doms), count in classes.items():
            counts = []
            for pattern in _patterns(inst.n_slots, doms, lb + extra + 1):
                made += 1
                if made > MAX_PATTERNS or time.monotonic() > deadline:
                    return best
                n = model.new_int_var(0, count, "")
                counts.append(n)
                for s in pattern:
                    cover[s].append(n)
                cost.append(breaks_of(pattern) * n)
            if extra:
                other = model.new_int_var(0, count, "")
                counts.append(other)
                cost.append((lb + 2) * other)
            model.add(sum(counts) == count)
        for terms in cover:
            if terms:
                model.add(sum(terms) <= size * inst.n_tables)
        model.minimize(sum(cost))
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(0.05, deadline - time.monotonic())
        solver.parameters.num_workers = 1
        # The model is a plain integer program; presolve costs more than it saves.
        solver.parameters.cp_model_presolve = False
        solver.parameters.linearization_level = 2
        status = solver.solve(model)
        if status == cp_model.INFEASIBLE:
            best = floors + 1  # nobody fits at their own bound: someone has one more
        elif status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            found = math.ceil(solver.best_objective_bound - 1e-6)
            if extra == 0:
                return floors  # everyone fits at their own bound
            best = max(best, found)
        else:
            return best
    return best


@dataclass
class Relaxation:
    """The relaxation's bound, and for each participant the share of "one break more
    than their own bound" in its optimum (those above zero: where it puts the breaks)."""

    bound: int
    extra: dict[int, float] = field(default_factory=dict)


def relaxation_bound(
    inst: Instance, meetings: list[int], lower: list[int], time_limit: float = 1.0
) -> Relaxation:
    """A global lower bound from a linear relaxation that links participants through
    their meetings: each meeting is spread (fractionally) over its slots, each
    participant's busy slots are a mix of *patterns* with exactly their own bound of
    breaks (as in ``capacity_bound``) plus, at a cost of one break more, any busy slots
    at all; the meetings held in a slot must be what the patterns make busy, and no
    slot holds more meetings than there are tables.

    Fixed meetings scattered over the day, or partners who are free at different times,
    make one participant's pattern shift another's: ticf-13crafb has participants who
    each fit alone without a break, yet this relaxation proves 2 breaks, and
    ticf-13crafc.fixed020-Forb 15 where the participants' own bounds add up to 10.
    Solved by GLOP; the bound is ``sum(lower)`` (and no shares) when it does not apply
    (optional meetings), has too many patterns, or is not solved to optimality within
    ``time_limit``."""
    floors = Relaxation(sum(lower))
    if not meetings or any(inst.optional[m] for m in meetings):
        return floors
    lp = model_builder.Model()
    deadline = time.monotonic() + time_limit
    slots = range(inst.n_slots)
    x = {(m, s): lp.new_num_var(0, 1, "") for m in meetings for s in inst.domain[m]}
    for m in meetings:
        lp.add(sum(x[m, s] for s in inst.domain[m]) == 1)
    in_slot: list[list] = [[] for _ in slots]
    for (_m, s), v in x.items():
        in_slot[s].append(v)
    for terms in in_slot:
        if len(terms) > inst.n_tables:
            lp.add(sum(terms) <= inst.n_tables)
    active = set(meetings)
    cost = []
    made = 0
    others = {}
    for p in range(inst.n_participants):
        doms = _domains(inst, p, active)
        if not doms:
            continue
        mine = [m for m in inst.meetings_of[p] if m in active]
        cover: list[list] = [[] for _ in slots]
        mix = []
        for pattern in _patterns(inst.n_slots, doms, lower[p] + 1):
            made += 1
            if made > MAX_PATTERNS or time.monotonic() > deadline:
                return floors
            share = lp.new_num_var(0, 1, "")
            mix.append(share)
            for s in pattern:
                cover[s].append(share)
            cost.append(breaks_of(pattern) * share)
        # Any other busy slots (one break more at least): free coverage, same count.
        other = others[p] = lp.new_num_var(0, 1, "")
        mix.append(other)
        cost.append((lower[p] + 1) * other)
        loose = [lp.new_num_var(0, 1, "") for _ in slots]
        for v in loose:
            lp.add(v <= other)
        lp.add(sum(loose) == len(mine) * other)
        lp.add(sum(mix) == 1)
        for s in slots:
            busy = [x[m, s] for m in mine if (m, s) in x]
            lp.add(sum(busy) == sum(cover[s]) + loose[s])
    lp.minimize(sum(cost))
    solver = model_builder.Solver("glop")
    solver.set_time_limit_in_seconds(max(0.01, deadline - time.monotonic()))
    if solver.solve(lp) != model_builder.SolveStatus.OPTIMAL:
        return floors
    # A small tolerance: the simplex value is exact only up to its tolerances.
    bound = max(floors.bound, math.ceil(solver.objective_value - 1e-3))
    extra = {p: solver.value(v) for p, v in others.items()}
    return Relaxation(bound, {p: v for p, v in extra.items() if v > 1e-6})


def _domains(inst: Instance, p: int, active: set[int]) -> tuple:
    """The domains of participant ``p``'s meetings among ``active``, sorted: what their
    patterns depend on."""
    return tuple(sorted(tuple(inst.domain[m]) for m in inst.meetings_of[p] if m in active))


def _patterns(n_slots: int, doms: tuple, max_blocks: int):
    """Sets of ``len(doms)`` slots, in at most ``max_blocks`` runs of consecutive slots,
    that can hold meetings with these domains (each meeting in its own slot)."""
    allowed = sorted({s for d in doms for s in d})
    ok = set(allowed)
    required = {d[0] for d in doms if len(d) == 1}
    need = len(doms)

    def rec(pos: int, left: int, blocks: int, chosen: list[int]):
        if left == 0:
            # no required slot after the last run (pos - 1 is the free slot after it)
            if not any(s >= pos - 1 for s in required):
                yield chosen
            return
        if blocks == max_blocks:
            return
        for a in range(pos, n_slots):
            if a in ok:
                length = 0
                while a + length < n_slots and a + length in ok and length < left:
                    length += 1
                    end = a + length
                    # the slot after a run is free: it must not be a required one
                    if end < n_slots and end in required and length < left:
                        continue
                    yield from rec(end + 1, left - length, blocks + 1, chosen + list(range(a, end)))
            if a in required:
                return  # a required slot cannot be skipped

    for pattern in rec(0, need, 0, []):
        if _holds(doms, pattern):
            yield pattern


def _holds(doms: tuple, slots: list[int]) -> bool:
    """Whether meetings with domains ``doms`` fit one each into ``slots`` (matching)."""
    free = set(slots)
    owner: dict[int, int] = {}

    def augment(i: int, seen: set[int]) -> bool:
        for s in doms[i]:
            if s in free and s not in seen:
                seen.add(s)
                if s not in owner or augment(owner[s], seen):
                    owner[s] = i
                    return True
        return False

    return all(augment(i, set()) for i in range(len(doms)))


def match_to_slots(inst: Instance, ms: list[int]) -> tuple[dict[int, int], list[int]]:
    """A maximum matching of the meetings ``ms`` (one participant's) to slots in their
    domains, one meeting a slot, by augmenting paths: slot -> meeting, and the meetings
    it leaves out (as few as possible: the most that fit at once are matched)."""
    match: dict[int, int] = {}

    def augment(m: int, seen: set[int]) -> bool:
        for s in inst.domain[m]:
            if s not in seen:
                seen.add(s)
                if s not in match or augment(match[s], seen):
                    match[s] = m
                    return True
        return False

    return match, [m for m in ms if not augment(m, set())]


def least_left_out(
    inst: Instance, meetings: list[int], excess: dict[int, int], time_limit: float
) -> int | None:
    """The least priority that every schedule leaves out of ``meetings``, where each
    participant ``p`` of ``excess`` has ``excess[p]`` meetings more than fit at once (so
    at least that many of theirs are left out); None if not settled in time."""
    model = cp_model.CpModel()
    out = {m: model.new_bool_var("") for m in meetings if inst.optional[m]}
    for p, k in excess.items():
        mine = [out[m] for m in meetings if p in inst.members[m] and m in out]
        model.add(sum(mine) >= k)
    model.minimize(sum(inst.priority[m] * v for m, v in out.items()))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = 1
    if solver.solve(model) != cp_model.OPTIMAL:
        return None
    return int(solver.objective_value)
