"""The search for the fewest breaks: a portfolio of CP-SAT questions on one model.

Contract (``BreakSearch``): given the model of ``model.py`` (``Built``) and a proven lower
bound, ``run(workers)`` returns by the deadline, or earlier when ``should_stop()`` says so
or when the best schedule meets the bound (then it is proven optimal).  Afterwards
``best``/``solution`` hold the best valid schedule met (or None), ``lower`` a proven lower
bound on breaks (never above ``best``), and ``infeasible`` whether no schedule exists.
Every schedule met is reported through ``report(breaks, bound, placed)`` when it improves.

With two or more workers, two single-worker CP-SAT threads share that state
(``SearchState``, one lock):

* **from below** (``FromBelow``): "is there a schedule with at most ``k`` breaks?" for
  ``k`` = the bound, by pure SAT search; each "no" raises the bound, the first "yes" is
  optimal.  Once the participants' own bounds are refuted, the linear relaxation of
  ``bounds.py`` is asked once; after a refuted budget, CP-SAT's core-based
  minimisation runs for a while.
* **from above** (``FromAbove``): the first schedule when the caller left it to this
  thread; then the relaxation's participants' question (``decide_support``), budget
  decisions between the bound and the best, and large neighbourhood search; on large
  models, local search (``polish``) instead, and on loose events too once the
  neighbourhoods stall far above the bound (``POLISH_GAP``).
* **the single-break scan** (``SingleBreakScan``): when the bound is one above the sum
  of the participants' own bounds, "only p takes the extra break" for one participant
  at a time; both threads take participants from its queue.

Decisions made pointless by the other thread (budget below the bound, or not below the
best) are stopped.  With one worker: budgets at the bound in short slices, then CP-SAT
minimisation from the best schedule (on large models, local search).  Why each step
and constant is what it is, with the measurements: ``docs/scheduling.md``.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections.abc import Callable, Iterable
from enum import StrEnum
from typing import Protocol

from ortools.sat.python import cp_model

from .bounds import Relaxation
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
#: Seconds per participant in the single-break scan, and how many participants it
#: tries (the search from above stops at ``SCAN_TOP_ABOVE``).
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
#: Loose events (issue 25): when the best schedule is at least ``POLISH_GAP`` breaks
#: above the bound and ``POLISH_AFTER`` neighbourhoods in a row have not improved it
#: (nor has anything else meanwhile), the search from above turns to local search
#: (``polish``) for the rest of the run.  CP-SAT's neighbourhoods
#: found nothing on generated events of 40-100 companies and 30 slots (40/200: 38
#: breaks for 30 s from the first schedule, annealing 13), where on the tightly packed
#: benchmark instances they are what reaches the optimum.
POLISH_GAP = 10
POLISH_AFTER = 2

#: A schedule as (meeting, slot) pairs.
Schedule = list[tuple[int, int]]
#: ``report(breaks, bound, placed)``: a better schedule was found.
Report = Callable[[int | None, int | None, int], None]
#: ``should_stop()``: polled; True ends the search with the best schedule so far.
ShouldStop = Callable[[], bool]
#: ``relax()``: the relaxation's bound and who takes the breaks (``bounds.Relaxation``).
Relax = Callable[[], Relaxation]


class FirstSchedule(Protocol):
    """Makes the first schedule (``stop()`` polled): it and its breaks, or None for the
    breaks when it is not a valid answer."""

    def __call__(self, stop: ShouldStop) -> tuple[dict[int, int], int | None]: ...


class Offer(Protocol):
    """Hands a valid schedule (meeting -> slot) and its breaks to the search."""

    def __call__(self, made: dict[int, int], breaks: int) -> None: ...


class Polish(Protocol):
    """Local search from ``schedule`` until ``deadline`` or ``stop()``, calling
    ``offer`` with the best valid schedule it has met, now and then."""

    def __call__(
        self, schedule: dict[int, int], deadline: float, seed: int, stop: ShouldStop, offer: Offer
    ) -> None: ...


class ScanState(StrEnum):
    """Where the single-break scan is (equal to the strings used before: "no", ...)."""

    OFF = "no"  # not started (or not applicable)
    ON = "on"  # both threads take participants from its queue
    SHARED = "shared"  # the search from above left it to the search from below


class SearchState:
    """What the threads share, guarded by ``lock``: the best schedule, the bound, the
    running solvers (stopped when their question became pointless), the relaxation's
    participants, and whether the scan may start.  Solution callbacks run in CP-SAT's
    threads and call ``offer``."""

    def __init__(self, lower: int, deadline: float, report: Report, should_stop: ShouldStop):
        self.lock = threading.Lock()
        self.done = threading.Event()
        self.lower = lower
        self.deadline = deadline
        self.report = report
        self.should_stop = should_stop
        self.best: int | None = None
        self.solution: Schedule | None = None
        self.improved_at = time.monotonic()  # when ``best`` last fell
        self.infeasible = False
        # running solvers -> their break budget (None: minimisation)
        self.solvers: dict[cp_model.CpSolver, int | None] = {}
        # Participants the relaxation gives a break to (``FromAbove.decide_support``).
        self.support: list[int] = []
        # The scan waits while the relaxation is still to be asked, and needs a schedule
        # or the promise of one (the first schedule being made from above).
        self.relax_pending = False
        self.first_pending = False
        self.scan: SingleBreakScan | None = None

    def left(self) -> float:
        return self.deadline - time.monotonic()

    def stopping(self) -> bool:
        return self.done.is_set() or self.should_stop()

    def offer(self, solution: Schedule, breaks: int) -> None:
        """A valid schedule with ``breaks`` breaks; kept (and reported) if better."""
        with self.lock:
            if self.best is not None and breaks >= self.best:
                return
            self.best, self.solution = breaks, solution
            self.improved_at = time.monotonic()
            self._check()
        self.report(breaks, self.lower, len(solution))

    def raise_lower(self, bound: float) -> None:
        """A proven lower bound (rounded up); kept if higher."""
        with self.lock:
            value = math.ceil(bound - 1e-6)
            if value > self.lower:
                self.lower = value
                self._check()

    def relaxed(self, found: Relaxation) -> None:
        """The relaxation's answer: its bound, and its participants (share >= ``SUPPORT_MIN``)."""
        with self.lock:
            self.lower = max(self.lower, found.bound)
            self.support = [p for p, v in sorted(found.extra.items()) if v >= SUPPORT_MIN]
            self._check()

    def prove_infeasible(self) -> None:
        self.infeasible = True
        self.done.set()

    def snapshot(self) -> tuple[int | None, Schedule | None]:
        with self.lock:
            return self.best, self.solution

    def register(self, solver: cp_model.CpSolver, budget: int | None) -> bool:
        """Whether ``solver`` may run (not once the search is done)."""
        with self.lock:
            if self.done.is_set():
                return False
            self.solvers[solver] = budget
            return True

    def unregister(self, solver: cp_model.CpSolver) -> None:
        with self.lock:
            self.solvers.pop(solver, None)

    def stop_all(self) -> None:
        self.done.set()
        with self.lock:
            for solver in self.solvers:
                solver.stop_search()

    def _scan_may_start(self) -> bool:
        scan = self.scan
        if scan is None or scan.phase != ScanState.OFF or self.lower != scan.at:
            return False
        # Not when the relaxation names who takes the breaks: their own question (from
        # above) and the core-based search (below) do better.
        if self.relax_pending or (CORE and self.support):
            return False
        return self.best is not None or self.first_pending

    def _check(self) -> None:
        """With the lock held: end when the bound is met; start the scan when the bound
        reaches it; stop decisions made pointless (budget below the bound, or not below
        the best, or above the bound when the scan starts)."""
        if self.best is not None and self.best <= self.lower:
            self.lower = self.best
            self.done.set()
        started = self._scan_may_start()
        if started:
            assert self.scan is not None
            self.scan.start()
        for solver, k in self.solvers.items():
            if k is None:
                continue
            # A scan that just started replaces the budget decisions above the bound
            # (the search from above joins it at once).
            if (
                k < self.lower
                or (self.best is not None and k >= self.best)
                or (started and k > self.lower)
            ):
                solver.stop_search()


class _Sink(cp_model.CpSolverSolutionCallback):
    """Offers every schedule CP-SAT finds; ``last`` is the latest."""

    def __init__(self, state: SearchState, built: Built):
        super().__init__()
        self.state, self.built = state, built
        self.last: Schedule | None = None

    def on_solution_callback(self) -> None:
        sol = [key for key, v in self.built.x.items() if self.boolean_value(v)]
        self.last = sol
        self.state.offer(sol, int(self.value(self.built.breaks)))


class Solving:
    """The model and the CP-SAT questions every part of the search asks of it: copies
    of the model with a break budget, participants held to their bounds, hints."""

    def __init__(self, built: Built, state: SearchState, hint: dict[int, int]):
        self.built, self.state = built, state
        self.hint = dict(hint)  # the schedule to start from when none is known yet
        self.budget = built.model.new_int_var(0, max(built.breaks_max, 0), "budget")
        built.model.add(built.breaks <= self.budget)
        # Each participant's own lower bound (the low end of their domain).
        proto = built.model.proto
        self.floors = {p: proto.variables[v.index].domain[0] for p, v in built.brk.items()}

    def solve(
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
    ) -> tuple[cp_model.CpSolver, int]:
        """Solve ``model`` for at most ``limit`` seconds (and never past the deadline);
        its schedules go to ``offer``.  ``budget``: the break budget it decides (it is
        stopped once pointless); ``bound``: a minimisation's proven bound raises ours;
        ``sat_only``: no LP; ``core``: core-based minimisation."""
        solver = cp_model.CpSolver()
        prm = solver.parameters
        prm.num_workers = workers
        prm.max_time_in_seconds = max(0.01, min(limit, self.state.left()))
        prm.random_seed = seed
        if core:
            prm.optimize_with_core = True
            prm.find_multiple_cores = False
        if sat_only or core:
            prm.linearization_level = 0
        if budget is None and bound and (core or not sat_only):
            solver.best_bound_callback = self.state.raise_lower
        if not self.state.register(solver, budget):
            return solver, cp_model.UNKNOWN
        try:
            # An int at run time; the stubs say the enum's wrapper class.
            status = solver.solve(model, sink or _Sink(self.state, self.built))
            return solver, status  # type: ignore[return-value]
        finally:
            self.state.unregister(solver)

    def clone(self, hint: Iterable[tuple[int, int]] | None = None) -> cp_model.CpModel:
        """A copy of the model; with ``hint`` (a schedule's (meeting, slot) pairs) every
        placement is hinted: in the schedule or not."""
        model = self.built.model.clone()
        model.clear_hints()
        if hint is not None:
            chosen = set(hint)
            for key, v in self.built.x.items():
                model.add_hint(v, key in chosen)
        return model

    def hinted(self, hint: bool) -> cp_model.CpModel:
        """A copy of the model, hinted with the best schedule (else the start) if ``hint``."""
        if not hint:
            return self.clone()
        solution = self.state.solution
        return self.clone(solution if solution is not None else self.hint.items())

    def set_budget(self, model: cp_model.CpModel, most: int) -> None:
        model.proto.variables[self.budget.index].domain[:] = [0, most]

    def held(self, most: dict[int, int], k: int, hint: Schedule | None = None) -> cp_model.CpModel:
        """The model with at most ``k`` breaks, and participant ``p`` at most
        ``most[p]`` breaks for each ``p`` in ``most``; ``hint``: the meetings' slots
        (none when empty)."""
        model = self.clone(hint or None)
        proto = model.proto
        for p, hi in most.items():
            proto.variables[self.built.brk[p].index].domain[:] = [self.floors[p], hi]
        self.set_budget(model, k)
        return model

    def decide(
        self, k: int, limit: float, hint: bool = False, sat_only: bool = True, seed: int = 0
    ) -> int:
        """Is there a schedule with at most ``k`` breaks?  A proof of "no" raises the
        bound (or, for the largest budget, proves the problem infeasible); a "yes"
        reaches ``offer`` through the solution callback.  Returns CP-SAT's status."""
        model = self.hinted(hint)
        self.set_budget(model, k)
        _, status = self.solve(model, limit, 1, sat_only, budget=k, seed=seed)
        if status == cp_model.INFEASIBLE:
            if k >= self.built.breaks_max:
                self.state.prove_infeasible()
            else:
                self.state.raise_lower(k + 1)
        return status


class SingleBreakScan:
    """When the bound is one break above the sum of the participants' own bounds
    (``at``), an optimal schedule gives exactly one participant one extra break: ask
    "only p has the extra break" for one participant at a time, everyone else held to
    their bound.  Both threads take participants from one queue (the ``SCAN_TOP`` with
    the most meetings, ``SCAN_SLICE`` each).  A "yes" is optimal; when the queue is
    everyone who can take a break and all are refuted, the bound rises by one."""

    def __init__(self, solving: Solving, members: list[list[int]] | None):
        self.solving, self.state = solving, solving.state
        self.members = members
        self.at = sum(solving.floors.values()) + 1
        self.phase = ScanState.OFF
        self.queue: list[int] = []
        # Refutations that prove the bound wrong (None: the queue is not everyone).
        self.needed: int | None = None
        self.refuted = self.taken = 0

    def start(self) -> None:
        """With the lock held (``SearchState._check``): fill the queue."""
        self.phase = ScanState.ON
        candidates = self.candidates()
        self.queue = candidates[:SCAN_TOP]
        self.needed = len(candidates) if len(candidates) <= SCAN_TOP else None

    def candidates(self) -> list[int]:
        """Who can take one more break, most meetings first."""
        built, floors = self.solving.built, self.solving.floors
        proto = built.model.proto
        count: dict[int, int] = {}
        for ms in self.members or []:
            for p in ms:
                count[p] = count.get(p, 0) + 1
        can = [p for p, v in built.brk.items() if proto.variables[v.index].domain[-1] > floors[p]]
        can.sort(key=lambda p: (-count.get(p, 0), p))
        return can

    def run(self, upto: int = SCAN_TOP) -> None:
        """Take participants from the queue until it is empty, ``upto`` have been taken
        (by both threads together), the bound moves or the search ends."""
        state, floors, k = self.state, self.solving.floors, self.at
        while not state.done.is_set() and state.left() > 0.02 and state.lower == k:
            with state.lock:
                if not self.queue or self.taken >= upto:
                    return
                p = self.queue.pop(0)
                self.taken += 1
            held = {q: floors[q] + (q == p) for q in floors}
            model = self.solving.held(held, k)
            _, status = self.solving.solve(model, SCAN_SLICE, 1, sat_only=True, budget=k, seed=p)
            with state.lock:
                if status == cp_model.INFEASIBLE:
                    self.refuted += 1
                complete = self.refuted == self.needed
            if complete:
                state.raise_lower(k + 1)


class FromBelow:
    """Raises the bound: budget decisions at the bound (each "no" raises it by one, the
    first "yes" is optimal), the relaxation once the participants' own bounds are
    refuted, the core-based search after the first refuted budget, and its part of the
    single-break scan."""

    def __init__(self, solving: Solving, scan: SingleBreakScan, relax: Relax | None):
        self.solving, self.state, self.scan = solving, solving.state, scan
        self.relax = relax
        # Whether a budget at the bound was refuted (then the core-based search takes
        # over for a while), and whether it has run.
        self.refuted = self.cored = False

    @property
    def relax(self) -> Relax | None:
        """Asked once the bound is above the participants' own bounds (most events are
        settled at that first budget, and those do not pay for it)."""
        return self._relax

    @relax.setter
    def relax(self, relax: Relax | None) -> None:
        self._relax = relax
        self.state.relax_pending = relax is not None

    def relax_once(self) -> bool:
        """Once the participants' own bounds are refuted: the relaxation's bound (then
        the single-break scan may start).  Whether it was asked now."""
        if self.relax is None or self.state.lower < self.scan.at:
            return False
        relax = self.relax
        self.relax = None
        if self.state.done.is_set():
            return False
        self.state.relaxed(relax())
        return True

    def run(self) -> None:
        """Budgets k = the bound, bound + 1, ... until the search ends.  After the first
        refuted budget, the core-based search for a while, unless the scan ran (the
        bound is then one step from the optimum, and that step is a schedule to find,
        which the core-based search does poorly)."""
        state, solving = self.state, self.solving
        while not state.done.is_set() and state.left() > 0.02:
            if self.relax_once():
                continue
            k = state.lower
            if state.best is not None and k >= state.best:
                return
            if self.scan.phase != ScanState.OFF and k == self.scan.at:
                # A short try at the whole question, then help with the scan if it is
                # not settled, then the whole question again.
                status = solving.decide(k, BOUND_SLICE)
                if status == cp_model.UNKNOWN:
                    self.scan.run()
                    if state.lower == k:
                        solving.decide(k, state.left())
                continue
            if CORE and self.refuted and not self.cored and self.scan.phase == ScanState.OFF:
                self.cored = True
                self.core_search(CORE_SLICE)
                continue
            # The best schedule as hint: no help to a proof of "no", but a "yes" is
            # often near it.
            status = solving.decide(k, state.left(), hint=state.best is not None)
            self.refuted = status == cp_model.INFEASIBLE

    def core_search(self, limit: float) -> None:
        """Core-based minimisation (``optimize_with_core``, one core at a time, no LP)
        for ``limit`` seconds, below the best schedule (the hint): its bound raises
        ours, its schedules go to ``offer``; "no schedule below the best" proves the
        best optimal (without a best: infeasible)."""
        best, solution = self.state.snapshot()
        model = self.solving.clone(solution)
        if best is not None:
            self.solving.set_budget(model, max(0, best - 1))
        model.minimize(self.solving.built.breaks)
        solver, status = self.solving.solve(model, limit, 1, sat_only=False, core=True)
        if status == cp_model.INFEASIBLE:
            if best is None:
                self.state.prove_infeasible()
            else:
                self.state.raise_lower(best)
        elif status == cp_model.OPTIMAL:
            self.state.raise_lower(solver.objective_value)

    def ladder(self, share: float) -> None:
        """Single worker: budgets at the bound while each is settled within
        ``BOUND_SLICE``, for at most ``share`` of the remaining time."""
        state = self.state
        stop_at = time.monotonic() + share * state.left()
        while not state.done.is_set() and time.monotonic() < stop_at:
            self.relax_once()
            k = state.lower
            if state.best is not None and k >= state.best:
                break
            status = self.solving.decide(k, BOUND_SLICE)
            if status != cp_model.INFEASIBLE or state.done.is_set():
                break
            if state.best is None and self.unsolvable():
                state.prove_infeasible()
                return

    def minimise(self, workers: int) -> None:
        """Single worker: CP-SAT minimisation from the best schedule known (the hint)."""
        state = self.state
        if state.done.is_set() or state.left() <= 0.02:
            return
        model = self.solving.hinted(True)
        model.minimize(self.solving.built.breaks)
        solver, status = self.solving.solve(model, state.left(), workers, sat_only=False)
        if status == cp_model.INFEASIBLE:
            state.prove_infeasible()
        elif status == cp_model.OPTIMAL:
            state.raise_lower(solver.objective_value)

    def unsolvable(self) -> bool:
        """Whether no schedule exists at all (a short budget-free SAT search)."""
        model = self.solving.hinted(False)
        _, status = self.solving.solve(model, 2 * BOUND_SLICE, 1, sat_only=True)
        return status == cp_model.INFEASIBLE


class FromAbove:
    """Improves the schedule: the first schedule if it was left to this thread; then, in
    turn, its part of the scan, the relaxation's participants' question, large
    neighbourhoods around the best schedule and budget decisions between the bound and
    the best (bisection).  On large models local search (``polish``) replaces all of it."""

    def __init__(
        self,
        solving: Solving,
        scan: SingleBreakScan,
        members: list[list[int]] | None,
        first: FirstSchedule | None,
        polish: Polish | None,
        local_only: bool = False,
    ):
        self.solving, self.state, self.scan = solving, solving.state, scan
        self.members = members  # meeting -> participants (for neighbourhoods)
        self.first = first
        self.polish = polish
        self.local_only = local_only and polish is not None  # local search at once
        # Neighbourhoods in a row that found nothing, and the best they started from.
        self.lns_failed: tuple[int, float] = (0, 0.0)
        self.lns_kind: str | None = None  # the neighbourhood kind that improved last
        self.support_k = 0  # the next budget to ask the relaxation's participants
        # (the support it was made for, the hint of their decisions: ``support_start``)
        self.support_hint: tuple[list[int], Schedule] | None = None

    @property
    def first(self) -> FirstSchedule | None:
        """Without a hint, makes the first schedule while the search from below starts."""
        return self._first

    @first.setter
    def first(self, first: FirstSchedule | None) -> None:
        self._first = first
        self.state.first_pending = first is not None

    def make_first(self) -> None:
        if self.first is None:
            return
        hint, breaks = self.first(self.state.stopping)
        self.solving.hint = hint
        if breaks is not None:
            self.state.offer(list(hint.items()), breaks)
        self.first = None

    def run(self) -> None:
        state = self.state
        self.make_first()
        seed = 1
        rng = random.Random(0)
        tries = LNS_TRIES
        failures = tries  # a budget decision first: the local search is a local optimum
        while not state.done.is_set() and state.left() > 0.02:
            lower, best = state.lower, state.best
            if self.polish is not None and best is not None and self.stalled(lower, best):
                self.polish_best(seed)  # until the search ends
                return
            if self.scan.phase == ScanState.ON:
                # The likeliest participants only: then back to improving the schedule,
                # in case the scan finds nothing.
                self.scan.run(upto=SCAN_TOP_ABOVE)
                self.scan.phase = ScanState.SHARED
                continue
            if state.support and max(self.support_k, lower) <= lower + 1:
                # In place of a budget decision: then the neighbourhoods, around what it found.
                self.decide_support(seed)
                seed += 1
                failures = 0
                continue
            if best is not None and failures < tries:
                since = self.state.improved_at
                improved = self.lns(rng)
                failures = 0 if improved else failures + 1
                self.after_lns(improved, since)
                continue
            failures = 0
            status = self.bisect(lower, best, seed)
            seed += 1
            # An unsettled decision: the neighbourhoods get longer before the next one.
            tries = min(2 * tries, 4 * LNS_TRIES) if status == cp_model.UNKNOWN else LNS_TRIES

    def after_lns(self, improved: bool, since: float) -> None:
        """Counts the neighbourhoods in a row that found nothing, started from the best
        of ``since`` (``SearchState.improved_at``): a better schedule from anywhere
        starts the count again."""
        count, at = self.lns_failed
        self.lns_failed = (0, 0.0) if improved else (count + 1 if at == since else 1, since)

    def stalled(self, lower: int, best: int) -> bool:
        """Whether local search should take over: at once on large models, or once the
        best is ``POLISH_GAP`` above the bound and the last ``POLISH_AFTER`` neighbourhoods
        found nothing, nor anything else meanwhile."""
        if self.local_only:
            return True
        count, at = self.lns_failed
        quiet = at == self.state.improved_at and count >= POLISH_AFTER
        return quiet and best - lower >= POLISH_GAP

    def bisect(self, lower: int, best: int | None, seed: int) -> int:
        """A budget decision halfway between the bound and the best (the best as hint);
        at the bound itself, with the LP, when the gap is one; without a schedule, any."""
        if best is None:
            k = self.solving.built.breaks_max
        elif best - lower >= 2:
            k = lower + (best - lower) // 2
        else:
            k = lower
        return self.solving.decide(
            k,
            self.state.left() if best is None else DECIDE_SLICE,
            hint=True,
            sat_only=best is not None and k > lower,
            seed=seed,
        )

    def polish_best(self, seed: int) -> None:
        """Local search from the best schedule until the deadline, or until the search
        from below meets it; then this thread waits for the end."""
        state = self.state
        with state.lock:
            solution = dict(state.solution or [])

        def offer(made: dict[int, int], breaks: int) -> None:
            state.offer(list(made.items()), breaks)

        assert self.polish is not None
        self.polish(solution, state.deadline, seed, state.stopping, offer)
        state.done.wait(max(0.0, state.left()))

    def lns(self, rng: random.Random) -> bool:
        """One neighbourhood around the best schedule; whether it improved.

        Two kinds: *slots* frees the meetings in a random window of slots, or those of a
        few participants with breaks and their partners, keeps every other meeting in its
        slot and minimises for ``LNS_SLICE``; *breaks* (``_lns_breaks``) keeps the break
        structure instead and lets every meeting move."""
        best, solution = self.state.snapshot()
        if not solution or self.members is None or best is None:
            return False
        slot_of = dict(solution)
        slots_of: dict[int, list[int]] = {}
        for m, s in slot_of.items():
            for p in self.members[m]:
                slots_of.setdefault(p, []).append(s)
        if self.lns_kind == "breaks" or (self.lns_kind is None and rng.random() < BREAKS_SHARE):
            # The kind that improved last time goes again; after a failure, chance decides.
            improved = self._lns_breaks(rng, best, slot_of, slots_of)
            self.lns_kind = "breaks" if improved else None
            return improved
        self.lns_kind = None
        free = self._free_meetings(rng, slot_of, slots_of)
        if not free:
            return False
        built = self.solving.built
        model = built.model.clone()
        model.clear_hints()
        proto = model.proto
        for (m, s), v in built.x.items():
            if m in free:
                model.add_hint(v, slot_of.get(m) == s)
            else:
                value = 1 if slot_of.get(m) == s else 0
                proto.variables[v.index].domain[:] = [value, value]
        self.solving.set_budget(model, max(0, best - 1))
        model.minimize(built.breaks)
        seed = rng.randrange(1000)
        self.solving.solve(model, LNS_SLICE, 1, sat_only=False, seed=seed, bound=False)
        improved = self.state.best is not None and self.state.best < best
        self.lns_kind = "slots" if improved else None
        return improved

    def _free_meetings(
        self, rng: random.Random, slot_of: dict[int, int], slots_of: dict[int, list[int]]
    ) -> set[int]:
        """The *slots* neighbourhood: the meetings in a window of slots, or those of 1-3
        participants with breaks, their partners' and some more of the partners'."""
        assert self.members is not None
        members = self.members
        n_slots = 1 + max(s for _, s in self.solving.built.x)
        if rng.random() < 0.5:
            width = rng.randint(2, max(2, min(6, n_slots // 3)))
            start = rng.randrange(0, max(1, n_slots - width + 1))
            return {m for m, s in slot_of.items() if start <= s < start + width}
        broken = [p for p, sl in slots_of.items() if breaks_of(sl) > 0]
        if not broken:
            return set()
        chosen = set(rng.sample(broken, min(len(broken), rng.randint(1, 3))))
        free = {m for m in slot_of if chosen & set(members[m])}
        partners = {p for m in free for p in members[m]}
        extra = [m for m in slot_of if partners & set(members[m])]
        rng.shuffle(extra)
        free |= set(extra[: max(10, len(slot_of) // 5)])
        return free

    def _lns_breaks(
        self,
        rng: random.Random,
        best: int,
        slot_of: dict[int, int],
        slots_of: dict[int, list[int]],
    ) -> bool:
        """The *breaks* neighbourhood: breaks are allowed only for the participants who
        have more than their bound now, and for a few others drawn at random; CP-SAT
        minimises for ``BREAKS_SLICE``."""
        solving = self.solving
        model = solving.clone(slot_of.items())
        proto = model.proto
        floor = solving.floors
        broken = {p for p in floor if breaks_of(slots_of.get(p, [])) > floor[p]}
        others = [p for p in floor if p not in broken]
        allowed = broken | set(rng.sample(others, min(len(others), rng.randint(0, 4))))
        for p, v in solving.built.brk.items():
            if p not in allowed:
                proto.variables[v.index].domain[:] = [floor[p], floor[p]]
        solving.set_budget(model, max(0, best - 1))
        model.minimize(solving.built.breaks)
        seed = rng.randrange(1000)
        solving.solve(model, BREAKS_SLICE, 1, sat_only=True, seed=seed, bound=False)
        return self.state.best is not None and self.state.best < best

    def decide_support(self, seed: int) -> None:
        """Once the relaxation has put its breaks on some participants (``support``):
        "at most k breaks, and only they may exceed their own bound", for k from the
        bound upwards, at most one above it (a budget further up waits until the bound
        rises).  A "no" proves nothing for the event (others might take the breaks), so
        the bound stays.  First ``support_start`` makes their hint.  It ends (and clears
        ``support``) at the first budget not settled in ``SUPPORT_TRIES`` tries, at a
        schedule, and when the best schedule is no better."""
        state, solving = self.state, self.solving
        floors = solving.floors
        held = {p: floors[p] for p in floors if p not in state.support}
        if self.support_hint is None or self.support_hint[0] != state.support:
            self.support_hint = (list(state.support), self.support_start(held, seed) or [])
        tries = 0
        while not state.done.is_set() and state.left() > 0.02:
            k = self.support_k = max(self.support_k, state.lower)
            if k > solving.built.breaks_max or (state.best is not None and k >= state.best):
                state.support = []
                return
            if k > state.lower + 1:
                return  # until the bound rises
            model = solving.held(held, k, hint=self.support_hint[1])
            _, status = solving.solve(
                model, SUPPORT_SLICE, 1, sat_only=True, budget=k, seed=seed + tries
            )
            if status == cp_model.INFEASIBLE:
                self.support_k, tries = k + 1, 0
            elif status == cp_model.UNKNOWN and k < state.lower:
                continue  # stopped: the bound passed this budget
            elif status == cp_model.UNKNOWN and tries + 1 < SUPPORT_TRIES:
                tries += 1
            else:
                state.support = []  # a schedule, or unsettled
                return

    def support_start(self, held: dict[int, int], seed: int) -> Schedule | None:
        """The fewest breaks among the relaxation's participants (the others held to
        their own bound), minimised for ``SUPPORT_START``: its schedules go to ``offer``
        and the last one is returned, the hint of the budget decisions (None when no
        schedule below the best can beat the bound)."""
        state, solving = self.state, self.solving
        most = solving.built.breaks_max if state.best is None else state.best - 1
        if most < state.lower:
            return None
        model = solving.held(held, most)
        model.minimize(solving.built.breaks)
        sink = _Sink(state, solving.built)
        solving.solve(model, SUPPORT_START, 1, sat_only=True, seed=seed, bound=False, sink=sink)
        return sink.last


class BreakSearch:
    """The whole search (see the module's docstring for the contract).  ``hint``: a
    schedule to start from; ``members``: meeting -> participants (for neighbourhoods and
    the scan's order); ``first``: makes the first schedule when there is no hint;
    ``relax``: the relaxation bound; ``polish``: local search, at once with
    ``local_only`` (large models), else once the neighbourhoods stall (``POLISH_GAP``)."""

    def __init__(
        self,
        built: Built,
        lower: int,
        deadline: float,
        should_stop: ShouldStop,
        report: Report,
        hint: dict[int, int],
        members: list[list[int]] | None = None,
        first: FirstSchedule | None = None,
        relax: Relax | None = None,
        polish: Polish | None = None,
        local_only: bool = False,
    ):
        self.state = SearchState(lower, deadline, report, should_stop)
        self.solving = Solving(built, self.state, hint)
        self.scanner = SingleBreakScan(self.solving, members)
        self.state.scan = self.scanner
        self.below = FromBelow(self.solving, self.scanner, relax)
        self.above = FromAbove(self.solving, self.scanner, members, first, polish, local_only)

    # -- the outcome (and the shared state's entry points)
    @property
    def best(self) -> int | None:
        return self.state.best

    @property
    def solution(self) -> Schedule | None:
        return self.state.solution

    @property
    def lower(self) -> int:
        return self.state.lower

    @property
    def infeasible(self) -> bool:
        return self.state.infeasible

    @property
    def done(self) -> threading.Event:
        return self.state.done

    @property
    def scan(self) -> ScanState:
        return self.scanner.phase

    def offer(self, solution: Schedule, breaks: int) -> None:
        self.state.offer(solution, breaks)

    def raise_lower(self, bound: float) -> None:
        self.state.raise_lower(bound)

    def run(self, workers: int) -> None:
        """Search until the deadline, ``should_stop()`` or a proof of optimality."""
        state = self.state
        thread = threading.Thread(target=self._work, args=(workers,), daemon=True)
        thread.start()
        while thread.is_alive():
            if state.done.wait(0.05) or state.should_stop() or state.left() <= 0:
                state.stop_all()
                thread.join(0.05)
        thread.join()

    def _work(self, workers: int) -> None:
        if workers >= 2:
            side = threading.Thread(target=self.above.run, daemon=True)
            side.start()
            self.below.run()
            side.join()
            return
        self.below.ladder(share=0.4)
        if not self.above.local_only:
            self.below.minimise(workers)
            return
        # Large models: CP-SAT's minimisation finds nothing there in time (the first
        # schedule stays); local search improves it.
        if not self.state.done.is_set() and self.state.best is not None:
            self.above.polish_best(seed=1)
