"""Large events: the greedy schedule, improved by local search.

The exact model of 2,000 participants x 10,000 meetings x 51 slots has half a million
booleans; instead the greedy schedule (``heuristic.py``) places every meeting and
``improve`` moves single meetings to the slot that removes most breaks (a move changes
only its participants' runs: adding slot ``s`` to a participant's busy set adds
``1 - [s-1 busy] - [s+1 busy]`` runs) until no move helps; then simulated annealing on
Kempe interchanges (``kempe_search``) until time is up.  Fairness is checked at the end;
if it does not hold the caller falls back to the exact model.
When re-planning, a meeting in its previous slot is not moved by local search:
minimal change comes before breaks.
"""

from __future__ import annotations

import math
import random
import time
from bisect import bisect_left
from collections.abc import Callable

from .heuristic import Greedy
from .instance import Instance, breaks_of, slots_by_participant, total_breaks

#: Focused Kempe interchanges are simulated annealing: one that raises the cost by d is
#: kept with probability exp(-d / heat).  For the first QUENCH of the time the heat is
#: HEAT_END (the breaks fall at once, for the organiser watching); then it falls
#: geometrically from HEAT_START to HEAT_END by the deadline (one break more: about 1 in
#: 7 at the start, 1 in 500,000 at the end).
HEAT_START = 0.5
#: From a schedule made in the layout's windows (``layout``) the heat starts lower: the
#: higher heat undid the layout's order (300 companies, 30 slots, 30 s, seeds 1-3: the
#: planted event 45, 45, 35 breaks at 0.5, 38, 23, 23 at 0.2; the 1,500-meeting day
#: 136, 139, 137 and 124, 129, 128), where from a plain greedy it is the other way
#: (100 companies and 500 meetings, seeds 1-3: 38, 40, 37 at 0.5, 43, 56, 42 at 0.2).
HEAT_LAYOUT = 0.2
HEAT_END = 0.05
QUENCH = 0.15

#: Seconds between two reports of the best schedule so far (``kempe_search``'s ``report``).
REPORT_EVERY = 2.0

#: The cost of each break above the fairness limit, on top of the break itself: local
#: search repairs fairness before it removes breaks.
UNFAIR = 100

#: Seconds kept at the end of local search for a last single-move climb (``improve``).
LAST_CLIMB = 0.05


def _movable(g: Greedy, m: int) -> bool:
    """Whether local search may move meeting ``m``: not locked, not alone in its domain,
    and not in its previous slot (moving it would change the published agenda, which
    counts before any break: minimal change comes first)."""
    inst = g.inst
    if inst.locked[m] or len(inst.domain[m]) < 2:
        return False
    return inst.previous_slot[m] is None or inst.previous_slot[m] != g.slot_of[m]


def improve(g: Greedy, deadline: float, should_stop, seed: int = 0) -> None:
    """Hill-climb on single-meeting moves (best slot per meeting, random order).

    A participant's cost is their breaks plus a heavy penalty for each break above the
    fairness limit (everyone with at most one meeting has none), so the climb also
    repairs fairness."""
    inst = g.inst
    cap = inst.problem.fairness if inst.problem.fairness is not None else inst.n_slots

    def cost(breaks: int) -> int:
        return breaks + UNFAIR * max(0, breaks - cap)

    rng = random.Random(seed)
    movable = [m for m in g.slot_of if _movable(g, m)]
    improved = True
    while improved and time.monotonic() < deadline and not should_stop():
        improved = False
        rng.shuffle(movable)
        for i, m in enumerate(movable):
            if i % 256 == 0 and (time.monotonic() >= deadline or should_stop()):
                return
            if not _movable(g, m):
                continue  # it has come back to its previous slot: there it stays
            s0 = g.slot_of[m]
            g.remove(m)
            members = [(g.busy[p], g.runs[p]) for p in inst.members[m]]

            def total(s: int, members=members) -> int:
                return sum(
                    cost(max(0, runs + 1 - (s - 1 in busy) - (s + 1 in busy) - 1))
                    for busy, runs in members
                )

            best, best_cost = s0, total(s0)
            for s in inst.domain[m]:
                if s != s0:
                    c = total(s)
                    if c < best_cost and g.fits(m, s):
                        best, best_cost = s, c
            g.place(m, best)
            improved |= best != s0


def _cost_of(g: Greedy, people: set[int], cap: int) -> int:
    total = 0
    runs = g.runs
    for p in people:
        breaks = runs[p] - 1 if runs[p] > 1 else 0
        total += breaks + UNFAIR * max(0, breaks - cap)  # inline: the hot path
    return total


def kempe(
    g: Greedy,
    m: int,
    b: int,
    cap: int,
    rng: random.Random,
    limit: int = 40,
    plateau: float = 0.3,
    heat: float = 0.0,
) -> tuple[int, dict[int, int]] | None:
    """Swap slots ``a`` (m's) and ``b`` along the chain of meetings that would clash
    (an edge-colouring Kempe interchange).  Kept if the cost falls; if it stays, with
    probability ``plateau``; if it rises by ``d``, with probability exp(-d / heat).
    Returns the change in cost and the moved meetings' former slots, or None."""
    inst = g.inst
    a = g.slot_of[m]
    chain, todo = {m}, [m]
    while todo:
        cur = todo.pop()
        other = b if g.slot_of[cur] == a else a
        for p in inst.members[cur]:
            o = g.busy[p].get(other)
            if o is not None and o not in chain:
                chain.add(o)
                todo.append(o)
                if len(chain) > limit:
                    return None
    moves = {c: (b if g.slot_of[c] == a else a) for c in chain}
    if any(not _movable(g, c) or to not in inst.domain[c] for c, to in moves.items()):
        return None
    people = {p for c in chain for p in inst.members[c]}
    before = _cost_of(g, people, cap)
    old = {c: g.slot_of[c] for c in chain}
    for c in chain:
        g.remove(c)
    placed = []
    for c in sorted(chain, key=lambda c: rng.random()):
        if not g.fits(c, moves[c]):
            break
        g.place(c, moves[c])
        placed.append(c)
    if len(placed) == len(chain):
        change = _cost_of(g, people, cap) - before
        if (
            change < 0
            or (change == 0 and rng.random() < plateau)
            or (change > 0 and heat > 0 and rng.random() < math.exp(-change / heat))
        ):
            return change, old
    for c in placed:
        g.remove(c)
    for c in chain:
        g.place(c, old[c])
    return None


def kempe_search(
    g: Greedy,
    deadline: float,
    should_stop,
    seed: int = 0,
    focus: bool = False,
    report: Callable[[dict[int, int]], None] | None = None,
    heat_start: float = HEAT_START,
) -> None:
    """Random Kempe interchanges until the deadline.

    With ``focus`` each one moves a meeting of a participant with a break into an idle
    slot of theirs, within their day or next to it; every interchange that keeps the
    cost is kept, one that raises it by d with probability exp(-d / heat), the heat
    low for the first ``QUENCH`` of the time, then cooling from ``heat_start`` to
    ``HEAT_END`` by the deadline (simulated annealing), and the best schedule met is
    the one left at the end (at once when it has no break); ``report`` gets it every
    ``REPORT_EVERY`` seconds.  300
    companies, 2,000 meetings, 30 slots, 30 s alone from the same start: random
    interchanges 262 breaks; focused 217; with sideways moves and a fixed heat of 0.1,
    113-147; annealing, 80-99."""
    inst = g.inst
    cap = inst.problem.fairness if inst.problem.fairness is not None else inst.n_slots
    rng = random.Random(seed)
    movable = [m for m in g.slot_of if _movable(g, m)]
    if not movable:
        return
    start = time.monotonic()
    span = max(deadline - start, 1e-6)
    plateau, heat = (1.0, HEAT_END) if focus else (0.3, 0.0)
    cost = best = _cost_of(g, set(range(inst.n_participants)), cap)
    if cost == 0:
        return  # no break and fair: nothing an interchange could better
    best_slots: dict[int, int] | None = None  # None: the current schedule is the best
    next_report = start + REPORT_EVERY
    broken: list[int] = []
    i = 0
    while True:
        if i % 512 == 0 and focus:
            now = time.monotonic()
            broken = [p for p, runs in enumerate(g.runs) if runs > 1]
            done = min(1.0, (now - start) / span)
            if done < QUENCH:
                heat = HEAT_END
            else:
                heat = heat_start * (HEAT_END / heat_start) ** ((done - QUENCH) / (1 - QUENCH))
            if report is not None and now >= next_report:
                next_report = now + REPORT_EVERY
                report(dict(g.slot_of) if best_slots is None else dict(best_slots))
        i += 1
        if i % 128 == 0 and (time.monotonic() >= deadline or should_stop()):
            break
        if broken:
            move = _into_gap(g, rng.choice(broken), rng)
            if move is None:
                continue
            m, b = move
        else:
            m = rng.choice(movable)
            b = rng.choice(inst.domain[m])
        if b == g.slot_of[m]:
            continue
        kept = kempe(g, m, b, cap, rng, plateau=plateau, heat=heat)
        if kept is None:
            continue
        change, old = kept
        if change > 0 and best_slots is None:
            best_slots = {**g.slot_of, **old}  # the schedule before this interchange
        cost += change
        if cost < best or (cost == best and best_slots is not None):
            best, best_slots = cost, None
            if best == 0:
                break  # the current schedule has no break: the search is done
    if best_slots is not None:
        for m in list(g.slot_of):
            g.remove(m)
        for m, s in best_slots.items():
            g.place(m, s)


def _into_gap(g: Greedy, p: int, rng: random.Random) -> tuple[int, int] | None:
    """A meeting of ``p`` and an idle slot of theirs between their first and last
    meeting or next to them, or None."""
    inst = g.inst
    m = rng.choice(list(g.busy[p].values()))
    if not _movable(g, m):
        return None
    first, last = min(g.busy[p]) - 1, max(g.busy[p]) + 1
    idle = [s for s in inst.domain[m] if first <= s <= last and s not in g.busy[p]]
    return (m, rng.choice(idle)) if idle else None


def refill(g: Greedy) -> None:
    """Place meetings still unplaced (local search may have freed room), with repair."""
    inst = g.inst
    for m in g.meetings:
        if m in g.slot_of:
            continue
        cands = [s for s in inst.domain[m] if g.fits(m, s)]
        if cands:
            g.place(m, min(cands, key=lambda s: g.score(m, s)))
        else:
            g.repair(m)


def quality(g: Greedy) -> tuple:
    """Lower is better: unplaced required meetings, unplaced priority, fairness excess,
    breaks."""
    inst = g.inst
    missing = [m for m in g.meetings if m not in g.slot_of]
    counts = [max(0, runs - 1) for runs in g.runs]
    f = inst.problem.fairness
    excess = max(0, max(counts, default=0) - min(counts, default=0) - f) if f is not None else 0
    return (
        sum(1 for m in missing if not inst.optional[m]),
        sum(inst.priority[m] for m in missing),
        excess,
        sum(counts),
    )


def first_schedule(
    inst: Instance,
    meetings: list[int],
    deadline: float,
    should_stop,
    starts: int = 4,
    first_seed: int = 0,
    settle: bool = False,
    windows: list[tuple[int, int]] | None = None,
) -> Greedy:
    """Greedy + local search (single moves, focused Kempe chains with annealing, refill
    of unplaced meetings).  A start that places every required meeting fairly keeps the
    whole time to improve (or, with ``settle``, is returned at once); otherwise up to
    ``starts`` seeds share it and the best by :func:`quality` is kept.  ``windows``:
    the greedy's preferred windows (``layout``)."""
    t0 = time.monotonic()
    slice_ = max(0.0, deadline - t0) / starts
    best, best_q = None, None
    for seed in range(first_seed, first_seed + starts):
        g = Greedy(inst, meetings, seed=seed, windows=windows)
        g.run()
        end = t0 + slice_ * (seed - first_seed + 1)
        improve(g, end, should_stop, seed=seed)
        refill(g)
        q = quality(g)
        if q[:3] == (0, 0, 0):
            if settle:
                return g
            end = deadline
        kempe_search(g, end - LAST_CLIMB, should_stop, seed=seed, focus=True)
        improve(g, end, should_stop, seed=seed)
        refill(g)
        q = quality(g)
        if best_q is None or q < best_q:
            best, best_q = g, q
        if should_stop() or time.monotonic() >= deadline:
            break
    assert best is not None, "starts >= 1: one start at least ran"
    return best


def polish(
    inst: Instance,
    meetings: list[int],
    slot_of: dict[int, int],
    deadline: float,
    should_stop,
    seed: int = 0,
    report: Callable[[dict[int, int]], None] | None = None,
    heat_start: float = HEAT_START,
) -> dict[int, int]:
    """``slot_of`` improved by annealing on Kempe interchanges and single moves until
    ``deadline``; ``report`` gets the best schedule so far now and then."""
    g = Greedy(inst, meetings, seed=seed)
    for m, s in slot_of.items():
        g.place(m, s)
    kempe_search(
        g,
        deadline - LAST_CLIMB,
        should_stop,
        seed=seed,
        focus=True,
        report=report,
        heat_start=heat_start,
    )
    improve(g, deadline, should_stop, seed=seed)
    return dict(g.slot_of)


def fair(inst: Instance, slot_of: dict[int, int]) -> bool:
    f = inst.problem.fairness
    if f is None:
        return True
    counts = [breaks_of(v) for v in slots_by_participant(inst, slot_of)]
    return max(counts) - min(counts) <= f


#: The layout's share of a local-search run's time (``layout``), at most LAYOUT_SECONDS.
LAYOUT_SHARE = 0.05
LAYOUT_SECONDS = 1.5


def layout_deadline(deadline: float) -> float:
    now = time.monotonic()
    return now + min(LAYOUT_SECONDS, max(0.0, deadline - now) * LAYOUT_SHARE)


def schedule(
    inst: Instance, meetings: list[int], deadline: float, should_stop, progress
) -> dict[int, int]:
    windows = layout(inst, meetings, layout_deadline(deadline))
    g = Greedy(inst, meetings, windows=windows)
    g.run()
    progress(None, None, len(g.slot_of))
    improve(g, deadline - 1.2, should_stop)
    # The organiser watching the run sees the breaks so far every ``REPORT_EVERY`` s.
    progress(quality(g)[3], None, len(g.slot_of))
    kempe_search(
        g,
        deadline - 1.2,
        should_stop,
        focus=True,
        report=lambda made: progress(total_breaks(inst, made), None, len(made)),
        heat_start=HEAT_LAYOUT,
    )
    improve(g, deadline - 1.0, should_stop)
    slot_of = dict(g.slot_of)
    return slot_of if fair(inst, slot_of) else {}


#: Iterations of the power method for the layout's order (``fiedler_order``).
FIEDLER_ITERATIONS = 300


def fiedler_order(inst: Instance, meetings: list[int]) -> list[int]:
    """The participants in the order of the meeting graph's Fiedler vector (the
    Laplacian's eigenvector of the second smallest eigenvalue, by the power method on
    ``c I - L`` kept orthogonal to the constant vector): partners come out near each
    other when the meetings have such an order (interests along a value chain, groups
    that meet among themselves)."""
    import numpy as np

    n = inst.n_participants
    pairs = [inst.members[m] for m in meetings if len(inst.members[m]) == 2]
    if n < 3 or not pairs:
        return list(range(n))
    a = np.array([p for p, _ in pairs], dtype=np.int64)
    b = np.array([q for _, q in pairs], dtype=np.int64)
    degree = np.bincount(a, minlength=n) + np.bincount(b, minlength=n)
    shift = 2.0 * float(degree.max()) + 1.0
    x = np.random.default_rng(0).standard_normal(n)
    for _ in range(FIEDLER_ITERATIONS):
        x -= x.mean()
        neighbours = np.bincount(a, weights=x[b], minlength=n)
        neighbours += np.bincount(b, weights=x[a], minlength=n)
        x = shift * x - (degree * x - neighbours)  # (c I - L) x
        x /= np.linalg.norm(x) or 1.0
    return [int(p) for p in np.argsort(x, kind="stable")]


def layout(
    inst: Instance, meetings: list[int], deadline: float, seed: int = 0
) -> list[tuple[int, int]]:
    """A window of consecutive slots for each participant, as long as their meetings
    (``(start, length)``): first spread along ``fiedler_order``, then each window moved,
    one participant at a time (everyone once, then at random until ``deadline``), to
    the start where the fewest of their meetings have no common slot with the partner's
    window, at most two people per table busy in a slot.  The greedy then prefers slots
    inside both members' windows."""
    rng = random.Random(seed)
    n_slots, n_people = inst.n_slots, inst.n_participants
    size = [0] * n_people
    partners: list[list[tuple[int, int]]] = [[] for _ in range(n_people)]
    for m in meetings:
        for p in inst.members[m]:
            size[p] = min(n_slots, size[p] + 1)
            partners[p] += [(m, q) for q in inst.members[m] if q != p]
    starts: list[list[int]] = []
    for p in range(n_people):
        free = [
            s
            for s in range(n_slots - size[p] + 1)
            if all(inst.available[p][t] for t in range(s, s + size[p]))
        ]
        starts.append(free or list(range(n_slots - size[p] + 1)))
    start = [0] * n_people
    for rank, p in enumerate(fiedler_order(inst, meetings)):
        target = rank / max(1, n_people - 1) * (n_slots - size[p])
        start[p] = min(starts[p], key=lambda s: abs(s - target))  # noqa: B023
    cap = 2 * inst.n_free_tables
    load = [0] * n_slots
    for p in range(n_people):
        for t in range(start[p], start[p] + size[p]):
            load[t] += 1

    def apart(m: int, p: int, s: int, q: int) -> float:
        """1 when meeting ``m`` has no slot in both windows (p's starting at ``s``)."""
        lo, hi = max(s, start[q]), min(s + size[p], start[q] + size[q])
        common = bisect_left(inst.domain[m], hi) - bisect_left(inst.domain[m], lo)
        return 1.0 if common <= 0 else 0.3 / common  # a single common slot is fragile

    movable = [p for p in range(n_people) if size[p] and len(starts[p]) > 1]
    rounds = rng.sample(movable, len(movable))  # everyone once, then at random
    while movable and (rounds or time.monotonic() < deadline):
        for _ in range(64):
            p = rounds.pop() if rounds else rng.choice(movable)
            for t in range(start[p], start[p] + size[p]):
                load[t] -= 1
            best, best_cost = start[p], math.inf
            for s in starts[p]:
                over = sum(max(0, load[t] + 1 - cap) for t in range(s, s + size[p]))
                c = sum(apart(m, p, s, q) for m, q in partners[p]) + 2 * over
                c += rng.random() * 0.05
                if c < best_cost:
                    best, best_cost = s, c
            start[p] = best
            for t in range(best, best + size[p]):
                load[t] += 1
    return [(start[p], size[p]) for p in range(n_people)]
