"""Large events: the greedy schedule, improved by local search.

The exact model of 2,000 participants x 10,000 meetings x 51 slots has half a million
booleans; instead the greedy schedule (``heuristic.py``) places every meeting and
``improve`` moves single meetings to the slot that removes most breaks (a move changes
only its participants' runs: adding slot ``s`` to a participant's busy set adds
``1 - [s-1 busy] - [s+1 busy]`` runs) until no move helps or time is up.  Fairness is
checked at the end; if it does not hold the caller falls back to the exact model.
"""

from __future__ import annotations

import random
import time

from .heuristic import Greedy
from .instance import Instance, breaks_of


def _runs(busy: dict[int, int]) -> int:
    return sum(1 for s in busy if s - 1 not in busy)


def improve(g: Greedy, deadline: float, should_stop, seed: int = 0) -> None:
    """Hill-climb on single-meeting moves (best slot per meeting, random order).

    A participant's cost is their breaks plus a heavy penalty for each break above the
    fairness limit (everyone with at most one meeting has none), so the climb also
    repairs fairness."""
    inst = g.inst
    cap = inst.problem.fairness if inst.problem.fairness is not None else inst.n_slots

    def cost(breaks: int) -> int:
        return breaks + 100 * max(0, breaks - cap)

    rng = random.Random(seed)
    movable = [m for m in g.slot_of if not inst.locked[m] and len(inst.domain[m]) > 1]
    improved = True
    while improved and time.monotonic() < deadline and not should_stop():
        improved = False
        rng.shuffle(movable)
        for i, m in enumerate(movable):
            if i % 256 == 0 and (time.monotonic() >= deadline or should_stop()):
                return
            s0 = g.slot_of[m]
            g.remove(m)
            members = [(g.busy[p], _runs(g.busy[p])) for p in inst.members[m]]

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


def fair(inst: Instance, slot_of: dict[int, int]) -> bool:
    f = inst.problem.fairness
    if f is None:
        return True
    per: list[list[int]] = [[] for _ in range(inst.n_participants)]
    for m, s in slot_of.items():
        for p in inst.members[m]:
            per[p].append(s)
    counts = [breaks_of(v) for v in per]
    return max(counts) - min(counts) <= f


def schedule(
    inst: Instance, meetings: list[int], deadline: float, should_stop, progress
) -> dict[int, int]:
    g = Greedy(inst, meetings)
    g.run()
    progress(None, None, len(g.slot_of))
    improve(g, deadline - 0.5, should_stop)
    slot_of = dict(g.slot_of)
    return slot_of if fair(inst, slot_of) else {}
