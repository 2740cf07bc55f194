"""Two-thread search for the fewest breaks.

CP-SAT's default portfolio finds low-break schedules slowly on B2B instances, but two
of its pieces work well when run on their own (one per core):

* **bound thread** — core-based optimisation (``optimize_with_core``) of the sum of the
  break literals, pure SAT search; it raises the proven lower bound quickly;
* **decision thread** — "is there a schedule with at most ``k`` breaks?" with ``k`` the
  current lower bound; a tight budget propagates strongly (no break allowed => gaps
  are filled), so feasible budgets are answered in a fraction of a second.  A budget
  proven infeasible raises the bound; one that times out is loosened by one, and after a
  success the budget goes back to the bound with a longer time slice.

The search stops as soon as a schedule meets the bound (proven optimal), on the
deadline or when ``should_stop()`` says so.
"""

from __future__ import annotations

import math
import threading
import time

from ortools.sat.python import cp_model

from .model import Built

DEBUG = False


class _Sink(cp_model.CpSolverSolutionCallback):
    def __init__(self, portfolio: Portfolio, built: Built):
        super().__init__()
        self.portfolio, self.built = portfolio, built

    def on_solution_callback(self) -> None:
        sol = [key for key, v in self.built.x.items() if self.boolean_value(v)]
        self.portfolio.offer(sol, int(self.value(self.built.breaks)))


class Portfolio:
    def __init__(self, built: Built, lower: int, deadline: float, should_stop, report, hint):
        self.built = built
        self.lower = lower
        self.deadline = deadline
        self.should_stop = should_stop
        self.report = report
        self.best: int | None = None
        self.solution: list[tuple[int, int]] | None = None
        self.lock = threading.Lock()
        self.done = threading.Event()
        self.solvers: set[cp_model.CpSolver] = set()
        self.budget = built.model.new_int_var(0, max(built.breaks_max, 0), "budget")
        built.model.add(built.breaks <= self.budget)
        self.first_hint = set(hint.items())
        for (m, s), v in built.x.items():
            built.model.add_hint(v, hint.get(m) == s)

    # -- shared state
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
        if self.best is not None and self.best <= self.lower:
            self.lower = self.best
            self.done.set()

    def left(self) -> float:
        return self.deadline - time.monotonic()

    def _solver(self, limit: float) -> cp_model.CpSolver:
        solver = cp_model.CpSolver()
        prm = solver.parameters
        prm.num_workers = 1
        prm.linearization_level = 0
        prm.max_time_in_seconds = max(0.01, min(limit, self.left()))
        return solver

    def _run(self, solver: cp_model.CpSolver, model: cp_model.CpModel) -> int:
        with self.lock:
            if self.done.is_set():
                return cp_model.UNKNOWN
            self.solvers.add(solver)
        try:
            return solver.solve(model, _Sink(self, self.built))
        finally:
            with self.lock:
                self.solvers.discard(solver)

    # -- threads
    def bound_thread(self) -> None:
        model = self.built.model.clone()
        model.minimize(sum(self.built.break_lits))
        solver = self._solver(self.left())
        solver.parameters.optimize_with_core = True
        solver.best_bound_callback = self.raise_lower
        status = self._run(solver, model)
        if status == cp_model.OPTIMAL:
            self.raise_lower(solver.objective_value)
        elif status == cp_model.INFEASIBLE:
            self.infeasible = True
            self.done.set()
        elif status == cp_model.FEASIBLE:
            self.raise_lower(solver.best_objective_bound)

    def decision(self, k: int | None, limit: float, hint: bool) -> int:
        model = self.built.model.clone()
        model.clear_hints()
        if hint and (self.solution is not None or self.first_hint):
            chosen = set(self.solution) if self.solution is not None else self.first_hint
            for key, v in self.built.x.items():
                model.add_hint(v, key in chosen)
        if k is not None:
            model.proto.variables[self.budget.index].domain[:] = [0, k]
        solver = self._solver(limit)
        status = self._run(solver, model)
        if DEBUG:
            print(round(self.left(), 2), "decision", k, limit, solver.status_name(status))
        return status

    def next_budget(self, timed_out: int | None) -> int | None:
        """The next budget to try: the bound first, then halfway between the largest
        budget that timed out and the best schedule (or doubling away from the bound
        while there is no schedule yet).  None: every budget timed out."""
        with self.lock:
            lo, best = self.lower, self.best
        if timed_out is None or timed_out < lo:
            return lo
        if best is None:
            return -1  # any schedule at all
        k = (timed_out + best) // 2
        return k if timed_out < k < best else None

    def decision_thread(self) -> None:
        slice_, timed_out = 1.0, None
        while not self.done.is_set() and self.left() > 0.02:
            k = self.next_budget(timed_out)
            if k is None:
                slice_, timed_out = slice_ * 2, None
                continue
            if k < 0:
                status = self.decision(None, self.left(), hint=True)
                if status == cp_model.INFEASIBLE:
                    self.infeasible = True
                    self.done.set()
                continue
            status = self.decision(k, slice_, hint=k > self.lower)
            if status == cp_model.INFEASIBLE:
                if k >= self.built.breaks_max:
                    self.infeasible = True
                    self.done.set()
                    return
                self.raise_lower(k + 1)
            elif status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                timed_out = k if timed_out is None else max(timed_out, k)
                if k >= self.built.breaks_max:
                    slice_, timed_out = slice_ * 2, None

    def run(self, workers: int) -> None:
        self.infeasible = False
        threads = [threading.Thread(target=self.decision_thread, daemon=True)]
        if workers > 1:
            threads.append(threading.Thread(target=self.bound_thread, daemon=True))
        for t in threads:
            t.start()
        while any(t.is_alive() for t in threads):
            if self.done.wait(0.05) or self.should_stop() or self.left() <= 0:
                self.done.set()
                with self.lock:
                    for solver in self.solvers:
                        solver.stop_search()
            if self.done.is_set():
                for t in threads:
                    t.join(0.05)
        for t in threads:
            t.join()
