"""``solve(problem)``: the scheduling engine.

Steps: index the problem (``instance.py``); pre-checks that explain obvious
impossibilities in words (``explain.py``); per-participant lower bounds on breaks
(``bounds.py``); a greedy first schedule (``heuristic.py``) given to CP-SAT as a hint;
CP-SAT on the model of ``model.py`` — first maximising the priority of optional meetings
(only if there are any), then minimising moves, breaks and organisation blocks; tables
assigned afterwards (``tables.py``).  Events too large for the exact model are scheduled
by the heuristic and improved by simulated annealing (``large.py``), which also replaces
CP-SAT's neighbourhoods above ``LOCAL_LIMIT``.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import replace

from ortools.sat.python import cp_model

from . import bounds, explain, large, shape, visits
from .instance import Instance, build_instance, total_breaks
from .model import Built, build_model, main_objective
from .problem import Problem
from .result import Assignment, Progress, Result, Unscheduled
from .search import BreakSearch
from .tables import assign_tables

#: Above this many (meeting, slot) pairs the exact model is replaced by ``large.py``.
EXACT_LIMIT = 60_000
#: Above this many pairs the search from above is local search (``large.polish``) on the
#: best schedule instead of CP-SAT neighbourhoods (the benchmark's largest has 5,926).
LOCAL_LIMIT = 20_000
#: The objectives (placed, fairness, moves, breaks) get the whole time limit whether or
#: not the problem asks for a tie-break, so the tie-break never costs them time (a
#: reserve of 5 % kept from them left an unproven event with more breaks than without a
#: tie-break).  The tie-break has what is left of the limit when the objectives finish
#: sooner (proven: the demo mission's breaks in 4 s of 20), and at least
#: ``TIE_BREAK_GRACE`` of the limit (at most ``TIE_BREAK_GRACE_MAX`` s) after it; events
#: solved by local search, whose breaks improve until the limit, get ``TIE_BREAK_GRACE_LOCAL``
#: s (their cheap passes).  Either way the figures the objectives reached are held as
#: constraints (``shape.py``).
TIE_BREAK_GRACE = 0.05
TIE_BREAK_GRACE_MAX = 2.0
TIE_BREAK_GRACE_LOCAL = 1.0


class _Watch(cp_model.CpSolverSolutionCallback):
    """Reports improving solutions and stops when ``should_stop()`` says so."""

    def __init__(
        self, built: Built, report: Callable[[int | None, int | None, int], None], bound_of
    ):
        super().__init__()
        self.built, self.report, self.bound_of = built, report, bound_of

    def on_solution_callback(self) -> None:
        placed = sum(1 for m, e in self.built.scheduled.items() if self.value(e))
        self.report(
            int(self.value(self.built.breaks)), self.bound_of(self.best_objective_bound), placed
        )


class Engine:
    def __init__(self, problem: Problem, time_limit: float, workers: int, on_progress, should_stop):
        self.problem = problem
        self.inst: Instance = build_instance(problem)
        self.t0 = time.monotonic()
        self.deadline = self.t0 + time_limit
        self.time_limit = time_limit
        self.workers = max(1, workers)
        self.on_progress = on_progress
        self.should_stop = should_stop or (lambda: False)
        self.total = len(problem.meetings)
        self.static_bound = 0
        #: The instance and each participant's own bound that ``static_bound`` sums (the
        #: bound's reasons, ``explain.bound_reasons``).
        self.floors: tuple[Instance, list[int]] | None = None
        self.pairs = 0  # (meeting, slot) pairs of the meetings to schedule
        #: Seconds the last model took to build (``build``): on a large model under load,
        #: several, and a step that would build one with less time left is skipped.
        self.build_seconds = 0.0
        #: The run ended before its break model was built, for lack of time: the
        #: tie-break does not build one either (``shape.improve``).
        self.model_skipped = False

    @property
    def local_search(self) -> bool:
        """Too large for CP-SAT's neighbourhoods: the search from above is local search."""
        return self.pairs > LOCAL_LIMIT

    def elapsed(self) -> float:
        return time.monotonic() - self.t0

    def remaining(self) -> float:
        return max(0.05, self.deadline - time.monotonic())

    def progress(self, breaks: int | None, bound: int | None, placed: int) -> None:
        if self.on_progress is not None:
            self.on_progress(Progress(self.elapsed(), breaks, bound, placed, self.total))

    def run(self) -> Result:
        inst = self.inst
        self.progress(None, None, 0)
        fatal, dropped = explain.precheck(inst)
        if explain.PROPAGATED in fatal:
            fatal = [f for f in fatal if f != explain.PROPAGATED]
            if not fatal:
                meetings = [m for m in range(inst.n_meetings) if m not in dropped]
                return self.infeasible(meetings, [], dropped)
        if fatal:
            return self.finish(Result("infeasible", explanation=fatal), {}, dropped)
        meetings = [m for m in range(inst.n_meetings) if m not in dropped]
        pairs = self.pairs = sum(len(inst.domain[m]) for m in meetings)
        lower, fatal = self.static_bounds(meetings)
        if fatal:
            return self.finish(Result("infeasible", explanation=fatal), {}, dropped)
        if pairs > EXACT_LIMIT:
            done = self.local_only(meetings, dropped)
            if done is not None:
                return done
        return self.exact(meetings, lower, dropped)

    def local_only(self, meetings: list[int], dropped: dict[int, str]) -> Result | None:
        """Above ``EXACT_LIMIT``: local search alone (``large.schedule``); None when it
        leaves a required meeting out.  The bound is the participants' cheap bounds;
        once every meeting is placed, with the optional meetings of positive priority
        counted as required: every schedule of top priority places them (as in
        ``all_placed``; the app marks every meeting optional)."""
        inst = self.inst
        if_all, floors_if_all = self.static_bound, self.floors
        if any(inst.optional[m] and inst.priority[m] > 0 for m in meetings):
            required, active = self.requiring(set()), set(meetings)
            floors = [
                bounds.block_lower_bound(required, p, [m for m in ms if m in active])
                for p, ms in enumerate(required.meetings_of)
            ]
            if_all, floors_if_all = sum(floors), (required, floors)

        def progress(breaks: int | None, _bound: int | None, placed: int) -> None:
            bound = if_all if placed == len(meetings) else self.static_bound
            self.progress(breaks, bound, placed)

        slot_of = large.schedule(inst, meetings, self.deadline, self.should_stop, progress)
        if not all(m in slot_of for m in meetings if not inst.optional[m]):
            return None
        bound = self.static_bound
        if len(slot_of) == len(meetings):
            bound, self.floors = if_all, floors_if_all
        status = "optimal" if total_breaks(inst, slot_of) <= bound else "feasible"
        return self.finish(Result(status, bound=bound), slot_of, dropped)

    def static_bounds(self, meetings: list[int]) -> tuple[list[int], list[str]]:
        """Each participant's own lower bound, and ``static_bound``: their sum, raised by
        the slot-capacity bound below ``EXACT_LIMIT``; or the reasons it is infeasible."""
        exact = self.pairs <= EXACT_LIMIT
        lower, fatal = self.lower_bounds(meetings, exact=exact)
        # The bound also counts a break for each participant whose required meetings
        # fit no unbroken run of slots (``block_lower_bound``; CP-SAT alone often ends
        # its 0.3 s at 0 for them on medium events).  Only the bound: given to the model
        # as each participant's floor it slowed the search on the benchmark (three
        # instances at 8-11 breaks after 10 s instead of 5; docs/scheduling.md).
        # Above EXACT_LIMIT ``lower`` is ``block_lower_bound`` already.
        raised = lower
        if exact and lower:
            active = set(meetings)
            raised = [
                max(lb, bounds.block_lower_bound(self.inst, p, [m for m in ms if m in active]))
                for p, (lb, ms) in enumerate(zip(lower, self.inst.meetings_of, strict=True))
            ]
        self.static_bound = sum(raised)
        self.floors = (self.inst, raised)
        if exact and not fatal:
            # Full slots force breaks that no participant alone shows.
            limit = min(0.5, self.remaining() / 10)
            self.static_bound = bounds.capacity_bound(self.inst, meetings, raised, limit)
        return lower, fatal

    def lower_bounds(self, meetings: list[int], exact: bool) -> tuple[list[int], list[str]]:
        """Per-participant lower bounds on breaks; with ``exact`` each participant is
        solved alone by CP-SAT (``workers`` of them at a time, a short time each: an
        unfinished one keeps its proven bound)."""
        inst = self.inst
        active = set(meetings)
        mine = [[m for m in inst.meetings_of[p] if m in active] for p in range(inst.n_participants)]
        if not exact:
            lower = [bounds.block_lower_bound(inst, p, ms) for p, ms in enumerate(mine)]
        else:
            limit = min(0.3, self.remaining() / 8)

            def one(p: int) -> int | None:
                return bounds.participant_min_breaks(inst, p, mine[p], time_limit=limit)

            with ThreadPoolExecutor(max_workers=self.workers) as pool:
                found = list(pool.map(one, range(inst.n_participants)))
            for p, lb in enumerate(found):
                if lb is None:
                    why = explain.participant_overload(inst, p, mine[p])
                    return [], why or explain.explain_infeasible(
                        inst, meetings, [], min(5.0, self.remaining())
                    )
            lower = [lb or 0 for lb in found]
        fatal = explain.fairness_precheck(inst, meetings, lower)
        return lower, fatal

    def build(self, inst: Instance, meetings: list[int], lower, min_priority=None) -> Built:
        """``build_model``, timed (``build_seconds``)."""
        t0 = time.monotonic()
        built = build_model(inst, meetings, lower, min_priority=min_priority)
        self.build_seconds = time.monotonic() - t0
        return built

    def no_time_for_model(self) -> bool:
        """Whether less time is left than the last model took to build (none left, before
        the first): a CP-SAT step on a new model would get no time to search."""
        return self.deadline - time.monotonic() <= self.build_seconds

    def solver(self, time_share: float = 1.0) -> cp_model.CpSolver:
        solver = cp_model.CpSolver()
        prm = solver.parameters
        prm.max_time_in_seconds = max(0.05, self.remaining() * time_share)
        prm.num_workers = self.workers
        prm.symmetry_level = 2
        return solver

    def run_solver(self, solver: cp_model.CpSolver, built: Built, bound_of) -> int:
        done = threading.Event()

        def poll() -> None:
            while not done.wait(0.1):
                if self.should_stop():
                    solver.stop_search()
                    return

        if self.should_stop():
            return cp_model.UNKNOWN  # (stopped before it started: no answer, as in no time)
        watcher = threading.Thread(target=poll, daemon=True)
        watcher.start()
        try:
            # An int at run time; the stubs say the enum's wrapper class.
            return solver.solve(  # type: ignore[return-value]
                built.model, _Watch(built, self.progress, bound_of)
            )
        finally:
            done.set()
            watcher.join()

    def exact(
        self,
        meetings: list[int],
        lower: list[int],
        dropped: dict[int, str],
        hint: dict[int, int] | None = None,
        min_priority: int | None = None,
    ) -> Result:
        """CP-SAT on the whole model: the top priority of optional meetings first (if
        any), then moves, breaks and organisation blocks.  ``hint``: a schedule to start
        from; with ``min_priority`` the top priority is known and ``hint`` reaches it."""
        inst = self.inst
        optional = any(inst.optional[m] for m in meetings)
        built = None
        if self.workers >= 2 and not optional and not self.local_search:
            # Every meeting is required, so the model does not wait for a first schedule:
            # the search from below starts at once, the first schedule is made meanwhile.
            built = self.build(inst, meetings, lower)
            if main_objective(inst, built)[1]:
                usable = hint is not None and self.usable(hint, meetings, None)
                return self.min_breaks(built, meetings, hint, True, dropped, lower, usable)
        if hint is None:
            hint = self.first_schedule(meetings, self.should_stop)
        self.show_first(hint, meetings)
        proven = True
        replan = any(inst.previous_slot[m] is not None for m in meetings)
        if optional and min_priority is None:
            stage = self.priority_stage(meetings, lower, hint, replan)
            if stage is None:
                return self.infeasible(meetings, lower, dropped)
            lower, hint, min_priority, proven = stage
            inst = self.inst  # some optional meetings may be required from here on
        usable = self.usable(hint, meetings, min_priority)
        top = sum(inst.priority[m] for m in meetings)
        to_require = any(inst.optional[m] and inst.priority[m] > 0 for m in meetings)
        if to_require and usable and min_priority == top and not replan:
            return self.all_placed(meetings, dropped, hint)
        if usable and self.no_time_for_model():
            # (No time for the break stage: building its model alone can take seconds.)
            self.model_skipped = True
            plain = not replan and not inst.problem.organisation_blocks  # (breaks alone)
            optimal = plain and proven and total_breaks(inst, hint) <= self.static_bound
            status = "optimal" if optimal else "feasible"
            return self.finish(Result(status, bound=self.static_bound), hint, dropped)
        if built is None or optional:
            # (With optional meetings the model above maximised priority: a new one, with
            # the priority reached as a constraint.)
            built = self.build(inst, meetings, lower, min_priority=min_priority)
        objective, pure = main_objective(inst, built)
        if pure:
            return self.min_breaks(
                built, meetings, hint, proven, dropped, lower, usable, min_priority
            )
        return self.lexicographic(built, objective, meetings, lower, dropped, hint, proven, usable)

    def show_first(self, hint: dict[int, int], meetings: list[int]) -> None:
        """On large events, report the first schedule before the model is built (it
        takes seconds there), also when it leaves optional meetings out."""
        if not self.local_search:
            return
        breaks = self.valid_breaks(hint, meetings, 0)
        if breaks is not None:
            self.progress(breaks, self.static_bound, len(hint))

    def priority_stage(
        self, meetings: list[int], lower: list[int], hint: dict[int, int], replan: bool
    ) -> tuple[list[int], dict[int, int], int | None, bool] | None:
        """The top priority of the optional meetings: the lower bounds, the schedule and
        the priority to go on with (None when unknown), and whether that priority is
        proven; None when no schedule exists.  A first schedule that places every
        meeting fairly reaches it; else, when not re-planning, an over-full event may
        settle it (``over_full``); else CP-SAT maximises it for half the time left.

        When CP-SAT reaches less than the first schedule in that time, or nothing (a
        large model with many blocked slots: 900 meetings beside trade visits, no answer
        in 6 s), the first schedule's priority is the one to go on with, unproven: the
        break stage then keeps at least its meetings, and the answer is that schedule
        or a better one, "feasible", never an empty "unknown"."""
        inst = self.inst
        if len(hint) == len(meetings) and large.fair(inst, hint):
            # (Unfairly, it may not be: fairness is a hard constraint.)
            return lower, hint, sum(inst.priority[m] for m in meetings), True
        own = self.reached(hint, meetings)
        if own is not None and self.no_time_for_model():
            return lower, hint, own, False  # (its model takes seconds on large events)
        found = None if replan else self.over_full(meetings, hint)
        if found is not None:
            return found[0], found[1], found[2], True
        if own is not None and self.no_time_for_model():
            return lower, hint, own, False
        status, reached, made = self.max_priority(inst, meetings, lower, hint, 0.5)
        if status == cp_model.INFEASIBLE:
            return None
        if own is not None and (reached is None or own > reached):
            return lower, hint, own, False
        if reached is None:
            return lower, hint, None, True
        return lower, made, reached, status == cp_model.OPTIMAL

    def lexicographic(
        self,
        built: Built,
        objective,
        meetings: list[int],
        lower: list[int],
        dropped: dict[int, str],
        hint: dict[int, int],
        proven: bool,
        usable: bool,
    ) -> Result:
        """CP-SAT on ``objective`` (moves, breaks and blocks weighted lexicographically)
        from ``hint``; when CP-SAT finds nothing in time, ``hint`` if it is ``usable``."""
        built.model.minimize(objective)
        self.add_hint(built, hint)
        solver = self.solver()
        status = self.run_solver(solver, built, lambda b: None)
        if status == cp_model.INFEASIBLE:
            return self.infeasible(meetings, lower, dropped)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            if usable:
                return self.finish(Result("feasible", bound=self.static_bound), hint, dropped)
            return self.finish(Result("unknown", bound=self.static_bound), {}, dropped)
        slot_of = {m: s for (m, s), v in built.x.items() if solver.value(v)}
        optimal = proven and status == cp_model.OPTIMAL
        bound = int(solver.value(built.breaks)) if optimal else self.static_bound
        status_name = "optimal" if optimal else "feasible"
        return self.finish(Result(status_name, bound=bound), slot_of, dropped)

    def all_placed(
        self, meetings: list[int], dropped: dict[int, str], hint: dict[int, int]
    ) -> Result:
        """Every optional meeting fits (``hint`` places them all, fairly): the top
        priority places each one of positive priority, so from here on they are required,
        and the bounds that count only required meetings apply (a participant's own
        bound, the slot capacity, the relaxation, the single-break scan).

        Not for a re-plan, where moving few meetings comes first (the figures:
        ``docs/scheduling.md``, "Optional meetings that all fit")."""
        lower = self.require(self.requiring(set()), meetings)
        if lower is None:
            return self.finish(Result("feasible", bound=self.static_bound), hint, dropped)
        return self.exact(meetings, lower, dropped, hint)

    def over_full(
        self, meetings: list[int], hint: dict[int, int]
    ) -> tuple[list[int], dict[int, int], int] | None:
        """Not every optional meeting fits.  Where the participants with more meetings
        than fit at once (``excess``) account for all that must be left out, every
        other meeting of positive priority is placed by every schedule of top priority,
        so those become required, and their participants' bounds and the stronger model
        apply.

        Sound: every schedule leaves out at least ``least_left_out`` of the overloaded
        participants' meetings, so the top priority is at most ``top - least``.  A
        schedule that reaches it with the others required proves it, and then no
        schedule of top priority can leave out anything else.  Returns the new lower
        bounds, that schedule and the top priority; None when it does not apply (the
        model is left as it was)."""
        inst = self.inst
        active = set(meetings)
        excess = {}
        for p in range(inst.n_participants):
            mine = [m for m in inst.meetings_of[p] if m in active]
            left_out = bounds.match_to_slots(inst, mine)[1]
            if left_out:
                excess[p] = len(left_out)
        if not excess:
            return None
        touching = [m for m in meetings if any(p in excess for p in inst.members[m])]
        least = bounds.least_left_out(inst, touching, excess, min(0.5, self.remaining() / 10))
        if least is None:
            return None
        top = sum(inst.priority[m] for m in meetings) - least
        trial = self.requiring(set(touching))
        # Capped at ``top``, reaching it ends the search at once; a quarter of the time
        # left, since if it fails the usual priority stage follows.
        _, reached, schedule = self.max_priority(trial, meetings, None, hint, 0.25, top)
        if reached != top:
            return None
        lower = self.require(trial, meetings)
        return None if lower is None else (lower, schedule, top)

    def requiring(self, keep: set[int]) -> Instance:
        """The instance with every optional meeting of positive priority required, but
        those in ``keep``."""
        inst = self.inst
        optional = [o and (inst.priority[m] == 0 or m in keep) for m, o in enumerate(inst.optional)]
        return replace(inst, optional=optional)

    def require(self, trial: Instance, meetings: list[int]) -> list[int] | None:
        """Go on with ``trial`` (``requiring``): its participants' own lower bounds, with
        ``static_bound`` computed again.  If they call it infeasible (not expected: the
        callers hold a fair schedule of its required meetings), back to the instance as
        it was, and None."""
        inst, static_bound = self.inst, self.static_bound
        self.inst = trial
        lower, fatal = self.static_bounds(meetings)
        if fatal:
            self.inst, self.static_bound = inst, static_bound
            return None
        return lower

    def max_priority(
        self,
        inst: Instance,
        meetings: list[int],
        lower: list[int] | None,
        hint: dict[int, int],
        share: float,
        at_most: int | None = None,
    ) -> tuple[int, int | None, dict[int, int]]:
        """CP-SAT maximising the scheduled priority (at most ``at_most``) from ``hint``,
        for ``share`` of the time left: its status, the priority reached (None without a
        schedule) and that schedule."""
        built = self.build(inst, meetings, lower)
        if at_most is not None:
            built.model.add(built.priority <= at_most)
        built.model.maximize(built.priority)
        self.add_hint(built, hint)
        solver = self.solver(share)
        status = self.run_solver(solver, built, lambda b: None)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return status, None, {}
        made = {m: s for (m, s), v in built.x.items() if solver.value(v)}
        return status, int(solver.value(built.priority)), made

    def first_schedule(self, meetings: list[int], should_stop) -> dict[int, int]:
        """Greedy placement and local search (``large.first_schedule``) for at most 1 s
        (a tenth of the time left); if that is not yet a valid schedule, more starts for
        at most 1.5 s (a quarter of the time left), until one is valid."""
        inst = self.inst
        budget = time.monotonic() + min(1.0, self.remaining() / 10)
        windows = None
        if self.local_search:  # (the greedy in windows: ``large.layout``)
            windows = large.layout(inst, meetings, large.layout_deadline(self.deadline))
        greedy = large.first_schedule(inst, meetings, budget, should_stop, windows=windows)
        if large.quality(greedy)[:3] != (0, 0, 0):
            more = large.first_schedule(
                inst,
                meetings,
                time.monotonic() + min(1.5, self.remaining() / 4),
                should_stop,
                starts=8,
                first_seed=100,
                settle=True,
            )
            if large.quality(more) < large.quality(greedy):
                greedy = more
        return dict(greedy.slot_of)

    def usable(self, hint: dict[int, int], meetings: list[int], min_priority) -> bool:
        """Whether ``hint`` is a valid answer: every required meeting placed, the priority
        reached (all meetings when it is unknown), fair."""
        inst = self.inst
        if any(m not in hint for m in meetings if not inst.optional[m]):
            return False
        if min_priority is None:
            if len(hint) < len(meetings):
                return False
        elif sum(inst.priority[m] for m in hint) < min_priority:
            return False
        return large.fair(inst, hint)

    def reached(self, made: dict[int, int], meetings: list[int]) -> int | None:
        """The priority ``made`` schedules if it is a valid answer at that priority
        (every required meeting placed, fair), else None."""
        if not self.usable(made, meetings, 0):
            return None
        return sum(self.inst.priority[m] for m in made)

    def min_breaks(
        self, built, meetings, hint, proven, dropped, lower, usable, min_priority=None
    ) -> Result:
        """Pure break minimisation: the two-thread search of ``search.py``.  Without a
        ``hint`` the search from above makes the first schedule itself.  ``min_priority``:
        the priority the model holds (schedules of local search reach it or are not
        offered)."""
        inst = self.inst

        def first(stop) -> tuple[dict[int, int], int | None]:
            made = self.first_schedule(meetings, stop)
            return made, self.valid_breaks(made, meetings, min_priority)

        def polish(schedule, deadline, seed, stop, offer) -> None:
            def report(made: dict[int, int]) -> None:
                breaks = self.valid_breaks(made, meetings, min_priority)
                if breaks is not None:
                    offer(made, breaks)

            # (From the layout's first schedule on local-search models, a lower heat.)
            heat = large.HEAT_LAYOUT if self.local_search else large.HEAT_START
            made = large.polish(inst, meetings, schedule, deadline, stop, seed, report, heat)
            report(made)

        portfolio = BreakSearch(
            built,
            self.static_bound,
            self.deadline,
            self.should_stop,
            self.progress,
            hint or {},
            inst.members,
            first=first if hint is None else None,
            relax=lambda: bounds.relaxation_bound(
                inst, meetings, lower, min(2.5, self.remaining() / 4)
            ),
            polish=polish,
            local_only=self.local_search,
        )
        if usable:
            portfolio.offer(list(hint.items()), total_breaks(inst, hint))
        portfolio.run(self.workers)
        if portfolio.infeasible:
            return self.infeasible(meetings, lower, dropped)
        if portfolio.solution is None:
            return self.finish(Result("unknown", bound=portfolio.lower), {}, dropped)
        slot_of = dict(portfolio.solution)
        best = portfolio.best
        assert best is not None, "a solution comes with its number of breaks"
        optimal = proven and best <= portfolio.lower
        bound = min(portfolio.lower, best)
        status = "optimal" if optimal else "feasible"
        return self.finish(Result(status, bound=bound), slot_of, dropped)

    def valid_breaks(
        self, made: dict[int, int], meetings: list[int], min_priority: int | None = None
    ) -> int | None:
        """The breaks of ``made`` if it is a valid answer (``usable``: every meeting
        placed, or with ``min_priority`` every required one and that priority; fair),
        else None."""
        usable = self.usable(made, meetings, min_priority)
        return total_breaks(self.inst, made) if usable else None

    def add_hint(self, built: Built, hint: dict[int, int]) -> None:
        for (m, s), v in built.x.items():
            built.model.add_hint(v, hint.get(m) == s)

    def infeasible(self, meetings: list[int], lower: list[int], dropped: dict[int, str]) -> Result:
        reasons = explain.explain_infeasible(self.inst, meetings, lower, min(5.0, self.remaining()))
        return self.finish(Result("infeasible", explanation=reasons), {}, dropped)

    def finish(self, result: Result, slot_of: dict[int, int], dropped: dict[int, str]) -> Result:
        """Fill assignments, breaks, moves and the reasons for unscheduled meetings."""
        inst = self.inst
        if result.status in ("optimal", "feasible") and self.problem.tie_break and slot_of:
            # No time was kept from the objectives: the tie-break has the rest of the
            # limit, or a moment after it.
            grace = (
                TIE_BREAK_GRACE_LOCAL
                if self.local_search
                else min(TIE_BREAK_GRACE_MAX, self.time_limit * TIE_BREAK_GRACE)
            )
            end = max(self.t0 + self.time_limit, time.monotonic() + grace)
            slot_of, result.tie_break = shape.improve(self, slot_of, end)
        elif result.status in ("optimal", "feasible") and self.problem.tie_break:
            # Nothing placed (e.g. every meeting's slots taken by visits): its figures.
            result.tie_break = shape.figures(inst, {}, self.problem.tie_break)
        if result.status in ("optimal", "feasible"):
            tables = assign_tables(inst, slot_of)
            result.assignments = [
                Assignment(inst.meeting_ids[m], self.problem.slots[s].id, tables[m])
                for m, s in sorted(slot_of.items())
            ]
            result.breaks = total_breaks(inst, slot_of)
            result.priority = sum(inst.priority[m] for m in slot_of)
            for m in range(inst.n_meetings):
                ps = inst.previous_slot[m]
                if ps is None:
                    continue
                if slot_of.get(m) != ps:
                    result.moved += 1
                elif inst.previous_table[m] is not None and tables[m] != inst.previous_table[m]:
                    result.table_changes += 1
            for m in range(inst.n_meetings):
                if m not in slot_of:
                    reason = dropped.get(m) or explain.unscheduled_reason(inst, m, slot_of)
                    result.unscheduled.append(Unscheduled(inst.meeting_ids[m], reason))
            if result.bound and self.floors is not None:
                active = [m for m in range(inst.n_meetings) if m not in dropped]
                result.bound_reasons = explain.bound_reasons(*self.floors, active, result.bound)
        elif result.status == "infeasible":
            result.unscheduled = [
                Unscheduled(inst.meeting_ids[m], r) for m, r in sorted(dropped.items())
            ]
        result.seconds = self.elapsed()
        placed = len(result.assignments)
        self.progress(result.breaks, result.bound, placed)
        return result


def solve(
    problem: Problem,
    time_limit: float = 10.0,
    workers: int = 2,
    on_progress: Callable[[Progress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> Result:
    """Schedule ``problem``; never returns an assignment that breaks a hard constraint.

    ``on_progress(Progress)`` is called at the start, on each improving solution and at
    the end; ``should_stop()`` is polled (every 0.1 s) and, when true, the search stops
    and the best schedule so far is returned (status ``feasible`` or ``unknown``).
    """
    with _quick_handoff():
        if not problem.visits:
            return Engine(problem, time_limit, workers, on_progress, should_stop).run()
        # Visits first (``visits.py``), then jointly with the meetings' priority; the
        # allocation is then fixed, its slots blocked.
        t0 = time.monotonic()
        allocation = visits.allocate(problem, time_limit * VISIT_SHARE, workers)
        allocation = visits.joint(problem, allocation, time_limit * VISIT_SHARE, workers)
        rest = max(0.5, time_limit - (time.monotonic() - t0))
        meetings = visits.with_blocked(problem, allocation)
        result = Engine(meetings, rest, workers, on_progress, should_stop).run()
        result.visits = allocation.to_dict()
        result.seconds = time.monotonic() - t0
        return result


#: The share of the time limit each of the two visit stages may take (the allocation,
#: then the joint stage): together at most half, and the meetings get the rest, so the
#: run keeps to its limit. Each stops sooner when proven, as they are in well under a
#: second at the bench's size.
VISIT_SHARE = 0.25


#: Python's switch interval while an engine runs (the default is 5 ms).  A CP-SAT solve
#: needs the GIL now and then, and a thread of Python work (local search, the first
#: schedule) holds it for a whole interval each time, which all but stops the search
#: from below (measured: ``docs/scheduling.md``, "The GIL").
SWITCH_INTERVAL = 0.0002
_handoff_lock = threading.Lock()
_handoff_users = 0
_handoff_default = sys.getswitchinterval()


@contextmanager
def _quick_handoff():
    """The short switch interval while at least one engine runs in the process."""
    global _handoff_users, _handoff_default
    with _handoff_lock:
        if _handoff_users == 0:
            _handoff_default = sys.getswitchinterval()
            sys.setswitchinterval(SWITCH_INTERVAL)
        _handoff_users += 1
    try:
        yield
    finally:
        with _handoff_lock:
            _handoff_users -= 1
            if _handoff_users == 0:
                sys.setswitchinterval(_handoff_default)
