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


def _runs_added(g: Greedy, m: int, s: int) -> int:
    total = 0
    for p in g.inst.members[m]:
        busy = g.busy[p]
        total += 1 - (s - 1 in busy) - (s + 1 in busy)
    return total


def improve(g: Greedy, deadline: float, should_stop, seed: int = 0) -> None:
    """Hill-climb on single-meeting moves (first improvement, random order)."""
    inst = g.inst
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
            here = _runs_added(g, m, s0)
            best, best_gain = s0, 0
            for s in inst.domain[m]:
                if s != s0:
                    gain = here - _runs_added(g, m, s)
                    if gain > best_gain and g.fits(m, s):
                        best, best_gain = s, gain
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
