"""Per-participant lower bounds on breaks.

A participant's meetings, taken alone (their domains: sessions, fixed slots,
unavailability of everyone in the meeting, precedences among them), may force breaks:
meetings in slots 2 and 9, or 12 meetings around an unavailable slot.  Each participant
is solved alone as a tiny CP-SAT model (minimise blocks); the bound is added to the main
model (``blocks >= lb + 1``) and summed into a global lower bound.  A participant whose
own meetings cannot all be placed is reported (``None``) — see ``explain.py``.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from .instance import Instance


def participant_min_breaks(
    inst: Instance, p: int, meetings: list[int], time_limit: float = 1.0
) -> int | None:
    """Minimum breaks of participant ``p`` considering only their required meetings.

    Returns ``None`` if those meetings cannot be placed at all."""
    ms = [m for m in meetings if not inst.optional[m]]
    if len(ms) <= 1:
        return 0 if all(inst.domain[m] for m in ms) else None
    slots = sorted({s for m in ms for s in inst.domain[m]})
    if len(slots) < len(ms):
        return None
    mset = set(ms)
    # Quick answer: k consecutive slots allowed for every meeting => no forced break.
    common = set(inst.domain[ms[0]]).intersection(*(inst.domain[m] for m in ms[1:]))
    run = 0
    for s in range(inst.n_slots):
        run = run + 1 if s in common else 0
        if run >= len(ms) and not any(inst.after[m] for m in ms):
            return 0
    if not any(a in mset for m in ms for a in inst.after[m]) and _fits_one_block(inst, ms):
        return 0
    model = cp_model.CpModel()
    x = {(m, s): model.new_bool_var("") for m in ms for s in inst.domain[m]}
    for m in ms:
        model.add_exactly_one(x[m, s] for s in inst.domain[m])
    busy = {}
    for s in slots:
        lits = [x[m, s] for m in ms if (m, s) in x]
        model.add_at_most_one(lits)
        busy[s] = sum(lits)
    for m in ms:
        for a in inst.after[m]:
            if a in mset:
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
        if not inst.after[m] and not any(m in inst.after[o] for o in ms):
            same.setdefault(tuple(inst.domain[m]), []).append(m)
    for dom, group in same.items():
        when = [sum(s * x[m, s] for s in dom) for m in group]
        for a, b in zip(when, when[1:], strict=False):
            model.add(a < b)
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


def interval_lower_bound(inst: Instance, p: int, meetings: list[int]) -> int:
    """Cheap bound: runs of slots where the participant could meet must hold all their
    required meetings; the fewest runs that are long enough, minus one."""
    ms = [m for m in meetings if not inst.optional[m]]
    if len(ms) <= 1:
        return 0
    slots = sorted({s for m in ms for s in inst.domain[m]})
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


def _fits_one_block(inst: Instance, ms: list[int]) -> bool:
    """Whether the meetings ``ms`` can fill some window of ``len(ms)`` consecutive slots
    (a perfect bipartite matching meetings -> window slots, by augmenting paths)."""
    n = len(ms)
    doms = [set(inst.domain[m]) for m in ms]
    if not all(doms):
        return False
    lo = min(min(d) for d in doms)
    hi = max(max(d) for d in doms)
    for start in range(lo, hi - n + 2):
        window = range(start, start + n)
        if any(not any(s in d for s in window) for d in doms):
            continue
        owner: dict[int, int] = {}

        def augment(i: int, seen: set[int], window=window, owner=owner) -> bool:
            for s in window:
                if s in doms[i] and s not in seen:
                    seen.add(s)
                    if s not in owner or augment(owner[s], seen):
                        owner[s] = i
                        return True
            return False

        if all(augment(i, set()) for i in range(n)):
            return True
    return False
