"""The search for the fewest breaks.

With two or more workers, two single-worker CP-SAT threads share the best schedule and
the lower bound:

* **from below** (``bottom``): "is there a schedule with at most ``k`` breaks?" for
  ``k`` = the bound (sum of the per-participant bounds, or the slot-capacity bound), by
  pure SAT search (no LP, the best schedule as hint).  A tight budget propagates
  strongly (no break allowed => gaps filled, windows of the meeting count), so a proof
  of "no" is often quick and raises the bound by one; the first "yes" is optimal.  Once
  the participants' own bounds are refuted, the linear relaxation of ``bounds.py`` is
  asked once and may raise the bound by several breaks at a time.  After its first
  "no", CP-SAT's core-based minimisation gets ``CORE_SLICE`` (``core_search``): it
  raises the bound several breaks in a fraction of a second where the decisions climb
  one at a time.
* **from above** (``top``): first the greedy schedule when the caller left it to this
  thread (``first``: the search from below need not wait for it); without any
  schedule, plain feasibility; once the relaxation is known, "only the participants it
  gives breaks to may exceed their own bound" at budgets from the bound up
  (``decide_support``); then a budget decision halfway between the bound and the
  best schedule (the best as hint), and large neighbourhood search: a window of slots,
  or a few participants with breaks and their partners, is freed, everything else
  stays, CP-SAT minimises for half a second; or every meeting may move but breaks stay
  where they are (plus a few participants drawn at random), which escapes tightly
  packed schedules.

Decisions made pointless by the other thread (budget below the bound, or not below the
best) are stopped.  With one worker: budgets at the bound in short slices, then CP-SAT
minimisation from the best schedule (on large models, local search: ``polish_best``).
The search stops when a schedule meets the bound (proven optimal), at the deadline or
when ``should_stop()`` says so; the best schedule found is kept throughout.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections.abc import Iterable

from ortools.sat.python import cp_model

from .instance import breaks_of
from .model import Built

#: Seconds for the budget-at-the-bound decision.
BOUND_SLICE = 1.5
#: Seconds for one neighbourhood of the large neighbourhood search, and failed
#: neighbourhoods in a row before a budget decision (of at most ``DECIDE_SLICE``).
LNS_SLICE = 0.5
LNS_TRIES = 6
#: Share of the neighbourhoods that keep the break structure (``_lns_breaks``), and
#: seconds for one of them.
BREAKS_SHARE = 0.4
BREAKS_SLICE = 2.5
#: Seconds per participant in ``scan_single_break``, and how many participants it tries.
SCAN_SLICE = 2.5
SCAN_TOP = 16
SCAN_TOP_ABOVE = 8
DECIDE_SLICE = 3.0
#: The core-based search after the first refuted budget (``core_search``), and its seconds.
CORE = True
CORE_SLICE = 3.0
#: The relaxation's participants (``decide_support``): a share of at least
#: ``SUPPORT_MIN`` of one break more; seconds for one try at one of their budgets, and
#: tries (each with another seed: the times are heavy-tailed) before giving up.
SUPPORT_MIN = 0.1
SUPPORT_SLICE = 4.5
SUPPORT_TRIES = 2
#: Seconds of minimisation among the relaxation's participants first, for a hint.
SUPPORT_START = 1.2


class _Sink(cp_model.CpSolverSolutionCallback):
    def __init__(self, search: BreakSearch, built: Built):
        super().__init__()
        self.search, self.built = search, built
        self.last: list[tuple[int, int]] | None = None

    def on_solution_callback(self) -> None:
        sol = [key for key, v in self.built.x.items() if self.boolean_value(v)]
        self.last = sol
        self.search.offer(sol, int(self.value(self.built.breaks)))


class BreakSearch:
    def __init__(
        self,
        built: Built,
        lower: int,
        deadline: float,
        should_stop,
        report,
        hint,
        members=None,
        first=None,
        relax=None,
        polish=None,
    ):
        self.built = built
        # relax() -> a lower bound on breaks and who takes them (``bounds.Relaxation``),
        # asked once the bound is above the participants' own: most events are settled
        # at that first budget, and those do not pay for it.
        self.relax = relax
        # Without a hint: first(stop) -> (first schedule, its breaks or None if it is not
        # valid), made by the search from above while the search from below starts.
        self.first = first
        # On large models: polish(schedule, deadline, seed, stop, offer), local search
        # in place of the neighbourhoods (``polish_best``), calling offer(schedule,
        # breaks) with the best valid schedule it has met, now and then.
        self.polish = polish
        self.members = members  # meeting -> participants (for neighbourhoods)
        self.lower = lower
        self.deadline = deadline
        self.should_stop = should_stop
        self.report = report
        self.best: int | None = None
        self.solution: list[tuple[int, int]] | None = None
        self.infeasible = False
        self.hint = dict(hint)
        self.lock = threading.Lock()
        self.done = threading.Event()
        # running solvers -> their break budget (None: minimisation)
        self.solvers: dict[cp_model.CpSolver, int | None] = {}
        self.budget = built.model.new_int_var(0, max(built.breaks_max, 0), "budget")
        built.model.add(built.breaks <= self.budget)
        # Each participant's own lower bound (the low end of their domain); the
        # single-break scan starts when the bound reaches one above their sum.
        proto = built.model.proto
        self.floors = {p: proto.variables[v.index].domain[0] for p, v in built.brk.items()}
        self.scan_at = sum(self.floors.values()) + 1
        self.lns_kind: str | None = None  # the neighbourhood kind that improved last
        self.scan = "no"  # "no" -> "on" -> "shared" (the search from above left it)
        self.scan_queue: list[int] = []
        # Refutations that prove the bound wrong (None: the queue is not everyone).
        self.scan_needed: int | None = None
        self.scan_refuted = self.scan_taken = 0
        # Participants the relaxation gives a break to (``decide_support``), and the next
        # budget to ask them.
        self.support: list[int] = []
        self.support_k = 0
        # (the support it was made for, the hint of their decisions: ``_support_start``)
        self.support_hint: tuple[list[int], list[tuple[int, int]]] | None = None
        # Whether the search from below has refuted a budget at the bound (then the
        # core-based search takes over, ``core_search``).
        self.refuted = self.cored = False

    # -- shared state (solution callbacks run in CP-SAT's threads)
    def offer(self, solution: list[tuple[int, int]], breaks: int) -> None:
        with self.lock:
            if self.best is not None and breaks >= self.best:
                return
            self.best, self.solution = breaks, solution
            self._check()
        self.report(breaks, self.lower, len(solution))

    def raise_lower(self, bound: float) -> None:
        with self.lock:
            value = math.ceil(bound - 1e-6)
            if value > self.lower:
                self.lower = value
                self._check()

    def _check(self) -> None:
        """Called with the lock held: stop when the bound is met, and stop decisions that
        became pointless (budget below the bound, or not below the best schedule, or
        above the bound when the single-break scan starts)."""
        if self.best is not None and self.best <= self.lower:
            self.lower = self.best
            self.done.set()
        scan = self.scan == "no" and self.lower == self.scan_at and self.relax is None
        # Not when the relaxation names who takes the breaks: their own question (from
        # above) and the core-based search (below) do better (forum-13crafb.original:
        # the scan refuted its 16 participants in 5 s and proved nothing).
        scan = scan and not (CORE and self.support)
        scan = scan and (self.best is not None or self.first is not None)
        if scan:
            self.scan = "on"
            candidates = self._scan_candidates()
            self.scan_queue = candidates[:SCAN_TOP]
            self.scan_needed = len(candidates) if len(candidates) <= SCAN_TOP else None
        for solver, k in self.solvers.items():
            if k is None:
                continue
            # A scan that just started replaces the budget decisions above the bound
            # (the search from above joins it at once).
            if (
                k < self.lower
                or (self.best is not None and k >= self.best)
                or (scan and k > self.lower)
            ):
                solver.stop_search()

    def _relax_once(self) -> bool:
        """Once the participants' own bounds are refuted: the relaxation's bound (then
        the single-break scan may start).  Whether it was asked now."""
        if self.relax is None or self.lower < self.scan_at:
            return False
        relax, self.relax = self.relax, None
        if self.done.is_set():
            return False
        found = relax()
        with self.lock:
            self.lower = max(self.lower, found.bound)
            self.support = [p for p, v in sorted(found.extra.items()) if v >= SUPPORT_MIN]
            self._check()
        return True

    def left(self) -> float:
        return self.deadline - time.monotonic()

    def _solve(
        self,
        model: cp_model.CpModel,
        limit: float,
        workers: int,
        sat_only: bool,
        budget: int | None = None,
        seed: int = 0,
        bound: bool = True,
        sink: _Sink | None = None,
        core: bool = False,
    ) -> tuple:
        solver = cp_model.CpSolver()
        prm = solver.parameters
        prm.num_workers = workers
        prm.max_time_in_seconds = max(0.01, min(limit, self.left()))
        prm.random_seed = seed
        if core:
            prm.optimize_with_core = True
            prm.find_multiple_cores = False
        if sat_only or core:
            prm.linearization_level = 0
        if budget is None and bound and (core or not sat_only):
            solver.best_bound_callback = self.raise_lower
        with self.lock:
            if self.done.is_set():
                return solver, cp_model.UNKNOWN
            self.solvers[solver] = budget
        try:
            return solver, solver.solve(model, sink or _Sink(self, self.built))
        finally:
            with self.lock:
                self.solvers.pop(solver, None)

    def _clone(self, hint: Iterable[tuple[int, int]] | None = None) -> cp_model.CpModel:
        """A copy of the model; with ``hint`` (a schedule's (meeting, slot) pairs) every
        placement is hinted: in the schedule or not."""
        model = self.built.model.clone()
        model.clear_hints()
        if hint is not None:
            chosen = set(hint)
            for key, v in self.built.x.items():
                model.add_hint(v, key in chosen)
        return model

    def _model(self, hint: bool) -> cp_model.CpModel:
        if not hint:
            return self._clone()
        return self._clone(self.solution if self.solution is not None else self.hint.items())

    def decide(
        self, k: int, limit: float, hint: bool = False, sat_only: bool = True, seed: int = 0
    ) -> int:
        """Is there a schedule with at most ``k`` breaks?  A proof of "no" raises the
        bound (or, for the largest budget, proves the problem infeasible); a "yes"
        reaches ``offer`` through the solution callback."""
        model = self._model(hint=hint)
        model.proto.variables[self.budget.index].domain[:] = [0, k]
        _, status = self._solve(model, limit, 1, sat_only, budget=k, seed=seed)
        if status == cp_model.INFEASIBLE:
            if k >= self.built.breaks_max:
                self.infeasible = True
                self.done.set()
            else:
                self.raise_lower(k + 1)
        return status

    def bottom(self) -> None:
        """Budgets k = the bound, bound + 1, ...: each proof of infeasibility raises the
        bound by one; the first schedule found is optimal.  After the first proof, the
        core-based search for a while (``core_search``), unless the single-break scan
        ran: the bound is then one step from the optimum, and the last step is a
        schedule to find, which the core-based search does poorly."""
        while not self.done.is_set() and self.left() > 0.02:
            if self._relax_once():
                continue
            k = self.lower
            if self.best is not None and k >= self.best:
                return
            if self.scan in ("on", "shared") and k == self.scan_at:
                # The single-break scan is on: a short try at the whole question, then
                # help with the scan if it is not settled, then the whole question again.
                status = self.decide(k, BOUND_SLICE)
                if status == cp_model.UNKNOWN:
                    self.scan_single_break()
                    if self.lower == k:
                        self.decide(k, self.left())
                continue
            if CORE and self.refuted and not self.cored and self.scan == "no":
                self.cored = True
                self.core_search(CORE_SLICE)
                continue
            # The best schedule as hint: no help to a proof of "no", but a "yes" is often
            # near it (four fixed-slot instances: 4.0-5.4 s instead of 5.6-7.5 s).
            status = self.decide(k, self.left(), hint=self.best is not None)
            self.refuted = status == cp_model.INFEASIBLE

    def core_search(self, limit: float) -> None:
        """Core-based minimisation (CP-SAT's ``optimize_with_core``, one core at a time,
        no LP) for ``limit`` seconds, below the best schedule (the hint): its bound
        raises ours, its schedules go to ``offer``; "no schedule below the best" proves
        the best optimal.  Where the bound has to climb many breaks it is the faster
        proof: alone, ticf-13crafa.fixed040-Forb 0.5 s (optimum 49; the budget
        decisions climb from 43 one at a time, 0.5 s each), forum-13crafb.original
        bound 6 in 2.4 s (the decisions reach 5 at 9.5 s).  It is poor at finding
        schedules (tic-13crafc: no schedule in 12 s, where the decision at the
        capacity bound finds one at once), so it runs only after a refuted budget, and
        only for a while: then the decisions at the bound, with the best schedule as
        hint, go on."""
        with self.lock:
            best, solution = self.best, self.solution
        model = self._clone(solution)
        if best is not None:
            model.proto.variables[self.budget.index].domain[:] = [0, max(0, best - 1)]
        model.minimize(self.built.breaks)
        solver, status = self._solve(model, limit, 1, sat_only=False, core=True)
        if status == cp_model.INFEASIBLE:
            if best is None:
                self.infeasible = True
                self.done.set()
            else:
                self.raise_lower(best)
        elif status == cp_model.OPTIMAL:
            self.raise_lower(solver.objective_value)

    def top(self) -> None:
        """From above: first the greedy schedule (``first``), if it was left to this
        thread; without any schedule, plain feasibility; on large models, simulated
        annealing from the best schedule until the end (``polish_best``); otherwise large
        neighbourhood search around the best schedule (``lns``), with now and then a
        budget decision between the bound and the best (bisection; at the bound itself
        with another seed and the LP when the gap is one)."""
        if self.first is not None:
            hint, breaks = self.first(lambda: self.done.is_set() or self.should_stop())
            self.hint = hint
            if breaks is not None:
                self.offer(list(hint.items()), breaks)
            self.first = None
        seed = 1
        rng = random.Random(0)
        tries = LNS_TRIES
        failures = tries  # a budget decision first: the local search is a local optimum
        while not self.done.is_set() and self.left() > 0.02:
            lower, best = self.lower, self.best
            if self.polish is not None and best is not None:
                self.polish_best(seed)  # until the search ends
                return
            if self.scan == "on":
                # The likeliest participants only: then back to improving the schedule,
                # in case the scan finds nothing.
                self.scan_single_break(upto=SCAN_TOP_ABOVE)
                self.scan = "shared"
                continue
            if self.support and max(self.support_k, lower) <= lower + 1:
                # In place of a budget decision: then the neighbourhoods, around what it found.
                self.decide_support(seed)
                seed += 1
                failures = 0
                continue
            if best is not None and failures < tries:
                failures = 0 if self.lns(rng) else failures + 1
                continue
            failures = 0
            if best is None:
                k = self.built.breaks_max
            elif best - lower >= 2:
                k = lower + (best - lower) // 2
            else:
                k = lower
            status = self.decide(
                k,
                self.left() if best is None else DECIDE_SLICE,
                hint=True,
                sat_only=best is not None and k > lower,
                seed=seed,
            )
            seed += 1
            # An unsettled decision: the neighbourhoods get longer before the next one.
            tries = min(2 * tries, 4 * LNS_TRIES) if status == cp_model.UNKNOWN else LNS_TRIES

    def polish_best(self, seed: int) -> None:
        """On large models (``polish``): simulated annealing from the best schedule until
        the deadline, or until the search from below meets it; then this thread waits.
        There CP-SAT's neighbourhoods improve nothing: a copy of the model and its
        presolve take the whole slice (300 participants, 2,000 meetings, 30 slots: the
        first schedule's 449 breaks at 30 s, 487 at 60 s; local search with a fixed heat,
        147-169 and 130-162)."""
        with self.lock:
            solution = dict(self.solution)

        def stop() -> bool:
            return self.done.is_set() or self.should_stop()

        def offer(made: dict[int, int], breaks: int) -> None:
            self.offer(list(made.items()), breaks)

        self.polish(solution, self.deadline, seed, stop, offer)
        self.done.wait(max(0.0, self.left()))

    def lns(self, rng: random.Random) -> bool:
        """One neighbourhood around the best schedule; whether it improved.

        Two kinds: *slots* frees the meetings in a random window of slots, or those of a
        few participants with breaks and their partners, keeps every other meeting in its
        slot and minimises for ``LNS_SLICE``; *breaks* keeps the break structure instead:
        participants without a break beyond their bound must stay so, every meeting may
        move, and CP-SAT minimises for ``BREAKS_SLICE``.  The second escapes tightly
        packed schedules, where no small set of meetings can move on its own."""
        with self.lock:
            best, solution = self.best, dict(self.solution or [])
        if not solution or self.members is None:
            return False
        slots_of: dict[int, list[int]] = {}
        for m, s in solution.items():
            for p in self.members[m]:
                slots_of.setdefault(p, []).append(s)
        if self.lns_kind == "breaks" or (self.lns_kind is None and rng.random() < BREAKS_SHARE):
            # The kind that improved last time goes again; after a failure, chance decides.
            self.lns_kind = "breaks" if self._lns_breaks(rng, best, solution, slots_of) else None
            return self.lns_kind is not None
        self.lns_kind = None
        n_slots = 1 + max(s for _, s in self.built.x)
        if rng.random() < 0.5:
            width = rng.randint(2, max(2, min(6, n_slots // 3)))
            start = rng.randrange(0, max(1, n_slots - width + 1))
            free = {m for m, s in solution.items() if start <= s < start + width}
        else:
            broken = [p for p, sl in slots_of.items() if breaks_of(sl) > 0]
            if not broken:
                return False
            chosen = set(rng.sample(broken, min(len(broken), rng.randint(1, 3))))
            free = {m for m in solution if chosen & set(self.members[m])}
            partners = {p for m in free for p in self.members[m]}
            extra = [m for m in solution if partners & set(self.members[m])]
            rng.shuffle(extra)
            free |= set(extra[: max(10, len(solution) // 5)])
        if not free:
            return False
        model = self.built.model.clone()
        model.clear_hints()
        proto = model.proto
        for (m, s), v in self.built.x.items():
            if m in free:
                model.add_hint(v, solution.get(m) == s)
            else:
                value = 1 if solution.get(m) == s else 0
                proto.variables[v.index].domain[:] = [value, value]
        proto.variables[self.budget.index].domain[:] = [0, max(0, best - 1)]
        model.minimize(self.built.breaks)
        self._solve(model, LNS_SLICE, 1, sat_only=False, seed=rng.randrange(1000), bound=False)
        improved = self.best is not None and self.best < best
        self.lns_kind = "slots" if improved else None
        return improved

    def _lns_breaks(self, rng: random.Random, best: int, solution: dict, slots_of: dict) -> bool:
        """The *breaks* neighbourhood: breaks are allowed only for the participants who
        have more than their bound now, and for a few others drawn at random."""
        model = self._clone(solution.items())
        proto = model.proto
        floor = self.floors
        broken = {p for p in floor if breaks_of(slots_of.get(p, [])) > floor[p]}
        others = [p for p in floor if p not in broken]
        allowed = broken | set(rng.sample(others, min(len(others), rng.randint(0, 4))))
        for p, v in self.built.brk.items():
            if p not in allowed:
                proto.variables[v.index].domain[:] = [floor[p], floor[p]]
        proto.variables[self.budget.index].domain[:] = [0, max(0, best - 1)]
        model.minimize(self.built.breaks)
        self._solve(model, BREAKS_SLICE, 1, sat_only=True, seed=rng.randrange(1000), bound=False)
        return self.best is not None and self.best < best

    def _scan_candidates(self) -> list[int]:
        """Who can take one more break, most meetings first."""
        proto = self.built.model.proto
        count: dict[int, int] = {}
        for ms in self.members or []:
            for p in ms:
                count[p] = count.get(p, 0) + 1
        can = [
            p
            for p, v in self.built.brk.items()
            if proto.variables[v.index].domain[-1] > self.floors[p]
        ]
        can.sort(key=lambda p: (-count.get(p, 0), p))
        return can

    def scan_single_break(self, upto: int = SCAN_TOP) -> None:
        """When the bound is one break above the sum of the participants' own bounds, an
        optimal schedule gives exactly one participant one extra break.  Ask, for one
        participant at a time, "only p has the extra break": with everyone else held to
        their bound the question is as tight as the one refuted below, and is mostly
        answered in a fraction of a second, whereas "at most k breaks" over everyone can
        run for minutes on tightly packed events.  Both threads take participants from
        one queue: the ``SCAN_TOP`` with the most meetings (the likeliest to take the
        break), ``SCAN_SLICE`` each; the search from above stops at the ``upto``-th.  When
        the queue is everyone and all are refuted, so is the bound: it rises by one."""
        k = self.scan_at
        while not self.done.is_set() and self.left() > 0.02 and self.lower == k:
            with self.lock:
                if not self.scan_queue or self.scan_taken >= upto:
                    return
                p = self.scan_queue.pop(0)
                self.scan_taken += 1
            held = {q: self.floors[q] + (q == p) for q in self.floors}
            model = self._held(held, k)
            _, status = self._solve(model, SCAN_SLICE, 1, sat_only=True, budget=k, seed=p)
            with self.lock:
                if status == cp_model.INFEASIBLE:
                    self.scan_refuted += 1
                complete = self.scan_refuted == self.scan_needed
            if complete:
                self.raise_lower(k + 1)

    def decide_support(self, seed: int) -> None:
        """Once the relaxation has put its breaks on some participants (``support``):
        "at most k breaks, and only they may exceed their own bound", for k from the
        bound upwards, at most one above it (a budget further up waits until the bound
        rises: far above the bound, the neighbourhoods find better schedules).  A "no"
        proves nothing for the event (others might take the breaks), so the bound
        stays; but with everyone else held to their own bound the question propagates
        as tightly as the scan's, and the relaxation mostly knows where the breaks go:
        ticf-13crafb and its forb0003/forb0007 variants (optimum 3, 5, 5; the whole
        question unsettled for minutes) are answered in 2-5 s with the participants
        given a share of 0.1 or more (7-8 of 76; 1.7-5.7 s in 22 of 24 tries, 11-13 s in
        two, hence short tries with new seeds).  First ``_support_start`` makes their
        hint (with it, 28 of 30 tries took 1.1-4.6 s).  It ends at the first budget not
        settled in ``SUPPORT_TRIES`` tries, and when the best schedule is no better."""
        held = {p: self.floors[p] for p in self.floors if p not in self.support}
        if self.support_hint is None or self.support_hint[0] != self.support:
            self.support_hint = (list(self.support), self._support_start(held, seed) or [])
        tries = 0
        while not self.done.is_set() and self.left() > 0.02:
            k = self.support_k = max(self.support_k, self.lower)
            if k > self.built.breaks_max or (self.best is not None and k >= self.best):
                self.support = []
                return
            if k > self.lower + 1:
                return  # until the bound rises
            model = self._held(held, k, hint=self.support_hint[1])
            _, status = self._solve(
                model, SUPPORT_SLICE, 1, sat_only=True, budget=k, seed=seed + tries
            )
            if status == cp_model.INFEASIBLE:
                self.support_k, tries = k + 1, 0
            elif status == cp_model.UNKNOWN and k < self.lower:
                continue  # stopped: the bound passed this budget
            elif status == cp_model.UNKNOWN and tries + 1 < SUPPORT_TRIES:
                tries += 1
            else:
                self.support = []  # a schedule, or unsettled
                return

    def _support_start(self, held: dict[int, int], seed: int) -> list[tuple[int, int]] | None:
        """The fewest breaks among the relaxation's participants (the others held to
        their own bound), minimised for ``SUPPORT_START``: its schedules go to ``offer``
        and the last one becomes the hint of the budget decisions.  A hint that keeps
        the others at their bound shortens the slow decisions (ticf- and
        forum-13crafb.forb0007 at 5 breaks, six seeds each: at most 7.8 s with it, 8-12 s
        and more in 4 of 12 without), and the search from above has a schedule near the
        optimum early (7-12 breaks there, where the greedy start has 30-40)."""
        most = self.built.breaks_max if self.best is None else self.best - 1
        if most < self.lower:
            return None
        model = self._held(held, most)
        model.minimize(self.built.breaks)
        sink = _Sink(self, self.built)
        self._solve(model, SUPPORT_START, 1, sat_only=True, seed=seed, bound=False, sink=sink)
        return sink.last

    def _held(
        self, most: dict[int, int], k: int, hint: list[tuple[int, int]] | None = None
    ) -> cp_model.CpModel:
        """The model with at most ``k`` breaks, and participant ``p`` at most
        ``most[p]`` breaks for each ``p`` in ``most``; ``hint``: the meetings' slots
        (none when empty)."""
        model = self._clone(hint or None)
        proto = model.proto
        for p, hi in most.items():
            proto.variables[self.built.brk[p].index].domain[:] = [self.floors[p], hi]
        proto.variables[self.budget.index].domain[:] = [0, k]
        return model

    def ladder(self, share: float) -> None:
        """Single worker: budgets at the bound while each is settled within
        ``BOUND_SLICE``, for at most ``share`` of the remaining time."""
        stop_at = time.monotonic() + share * self.left()
        while not self.done.is_set() and time.monotonic() < stop_at:
            self._relax_once()
            k = self.lower
            if self.best is not None and k >= self.best:
                break
            status = self.decide(k, BOUND_SLICE)
            if status != cp_model.INFEASIBLE or self.done.is_set():
                break
            if self.best is None and self._unsolvable():
                self.infeasible = True
                self.done.set()
                return

    def minimise(self, workers: int) -> None:
        """CP-SAT minimisation from the best schedule known (the hint)."""
        if self.done.is_set() or self.left() <= 0.02:
            return
        model = self._model(hint=True)
        model.minimize(self.built.breaks)
        solver, status = self._solve(model, self.left(), workers, sat_only=False)
        if status == cp_model.INFEASIBLE:
            self.infeasible = True
            self.done.set()
        elif status == cp_model.OPTIMAL:
            self.raise_lower(solver.objective_value)

    def work(self, workers: int) -> None:
        if workers >= 2:
            side = threading.Thread(target=self.top, daemon=True)
            side.start()
            self.bottom()
            side.join()
            return
        self.ladder(share=0.4)
        if self.polish is None:
            self.minimise(workers)
            return
        # Large models: CP-SAT's minimisation finds nothing there in time (the first
        # schedule stays); local search improves it.
        if not self.done.is_set() and self.best is not None:
            self.polish_best(seed=1)

    def _unsolvable(self) -> bool:
        """Whether no schedule exists at all (a short budget-free SAT search)."""
        _, status = self._solve(self._model(hint=False), 2 * BOUND_SLICE, 1, sat_only=True)
        return status == cp_model.INFEASIBLE

    def run(self, workers: int) -> None:
        thread = threading.Thread(target=self.work, args=(workers,), daemon=True)
        thread.start()
        while thread.is_alive():
            if self.done.wait(0.05) or self.should_stop() or self.left() <= 0:
                self.done.set()
                with self.lock:
                    for solver in self.solvers:
                        solver.stop_search()
                thread.join(0.05)
        thread.join()
