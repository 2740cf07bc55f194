"""Constructive heuristic: greedy placement with one-step repair.

Meetings are placed most-constrained first, each in the allowed slot that keeps its
participants' days compact (adjacent to meetings they already have), honouring every
hard constraint.  When no slot is free, one blocking meeting is moved elsewhere (repair).
Used as the CP-SAT hint and, on very large events, as the schedule itself
(then improved by ``improve``).
"""

from __future__ import annotations

import random

from .instance import Instance

#: What a slot outside one member's window adds to the score (``Greedy.windows``).
WINDOW_WEIGHT = 20


class Greedy:
    def __init__(
        self,
        inst: Instance,
        meetings: list[int],
        seed: int = 0,
        windows: list[tuple[int, int]] | None = None,
    ):
        self.inst = inst
        # Each participant's preferred (start, length) of slots (``large.layout``).
        self.windows = windows
        self.meetings = meetings
        self.active = set(meetings)
        self.slot_of: dict[int, int] = {}
        self.busy: list[dict[int, int]] = [{} for _ in range(inst.n_participants)]  # p -> s -> m
        # Runs of consecutive busy slots per participant (breaks + 1, or 0 when idle),
        # kept up to date by place and remove for local search.
        self.runs = [0] * inst.n_participants
        self.free_cap = inst.n_free_tables
        self.load = [0] * inst.n_slots  # meetings on non-stand tables per slot
        self.table_busy: dict[tuple[str, int], int] = {}
        self.before: dict[int, list[int]] = {}  # a -> meetings that must come after a
        for m in meetings:
            for a in inst.after[m]:
                self.before.setdefault(a, []).append(m)
        self.rng = random.Random(seed)

    def fits(self, m: int, s: int, ignore: int | None = None) -> bool:
        inst = self.inst
        for p in inst.members[m]:
            other = self.busy[p].get(s)
            if other is not None and other != ignore:
                return False
        t = inst.table_of[m]
        if t is not None:
            other = self.table_busy.get((t, s))
            if other is not None and other != ignore:
                return False
        if self.inst.uses_free_table(m):
            extra = (
                0
                if ignore is not None
                and self.slot_of.get(ignore) == s
                and self.inst.uses_free_table(ignore)
                else 1
            )
            if self.load[s] + extra > self.free_cap:
                return False
        for a in inst.after[m]:
            sa = self.slot_of.get(a)
            if sa is not None and a != ignore and sa >= s:
                return False
        for b in self.before.get(m, ()):
            sb = self.slot_of.get(b)
            if sb is not None and b != ignore and sb <= s:
                return False
        return True

    def place(self, m: int, s: int) -> None:
        self.slot_of[m] = s
        for p in self.inst.members[m]:
            b = self.busy[p]
            self.runs[p] += 1 - (s - 1 in b) - (s + 1 in b)
            b[s] = m
        t = self.inst.table_of[m]
        if t is not None:
            self.table_busy[t, s] = m
        if self.inst.uses_free_table(m):
            self.load[s] += 1

    def remove(self, m: int) -> None:
        s = self.slot_of.pop(m)
        for p in self.inst.members[m]:
            b = self.busy[p]
            del b[s]
            self.runs[p] -= 1 - (s - 1 in b) - (s + 1 in b)
        t = self.inst.table_of[m]
        if t is not None:
            del self.table_busy[t, s]
        if self.inst.uses_free_table(m):
            self.load[s] -= 1

    def score(self, m: int, s: int) -> float:
        """Lower is better: adjacency to existing meetings, previous slot, the members'
        windows."""
        inst = self.inst
        sc = 0.0
        for p in inst.members[m]:
            b = self.busy[p]
            if b:
                adj = (s - 1 in b) + (s + 1 in b)
                sc -= 3 * adj
                if not adj:
                    sc += 2
        if inst.previous_slot[m] == s:
            sc -= 100
        if self.windows is not None:
            for p in inst.members[m]:
                start, length = self.windows[p]
                if not start <= s < start + length:
                    sc += WINDOW_WEIGHT
        return sc + self.rng.random() * 0.5

    def run(self) -> dict[int, int]:
        inst = self.inst
        order = sorted(
            self.meetings,
            key=lambda m: (
                inst.optional[m],
                len(inst.domain[m]),
                -sum(len(inst.meetings_of[p]) for p in inst.members[m]),
            ),
        )
        # Keep previous slots first (minimal change).
        for m in order:
            ps = inst.previous_slot[m]
            if ps is not None and ps in inst.domain[m] and self.fits(m, ps):
                self.place(m, ps)
        for m in order:
            if m in self.slot_of:
                continue
            cands = [s for s in inst.domain[m] if self.fits(m, s)]
            if cands:
                self.place(m, min(cands, key=lambda s: self.score(m, s)))
            elif not self.repair(m):
                continue
        return dict(self.slot_of)

    def repair(self, m: int) -> bool:
        """Place ``m`` by moving one meeting that blocks it to another slot."""
        inst = self.inst
        for s in sorted(inst.domain[m], key=lambda s: self.rng.random()):
            blockers = {self.busy[p][s] for p in inst.members[m] if s in self.busy[p]}
            if len(blockers) != 1:
                continue
            (b,) = blockers
            if inst.locked[b]:
                continue
            self.remove(b)
            if self.fits(m, s):
                self.place(m, s)
                alts = [t for t in inst.domain[b] if t != s and self.fits(b, t)]
                if alts:
                    self.place(b, min(alts, key=lambda t: self.score(b, t)))
                    return True
                self.remove(m)
            self.place(b, s)
        return False


def greedy_schedule(inst: Instance, meetings: list[int], seed: int = 0) -> dict[int, int]:
    """A (possibly partial) schedule: meeting index -> slot index."""
    return Greedy(inst, meetings, seed).run()
