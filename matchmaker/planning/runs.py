"""Solver runs: start one (queued for the worker), cancel it, execute it, spot dead ones.

A run goes ``queued -> running -> succeeded | failed | cancelled``.  The database allows
one active (queued or running) run per event (``uq_solver_runs_active``).  The worker
heartbeats while it runs; a running run whose heartbeat is older than
``STALE_AFTER`` belongs to a killed worker and is marked failed by whoever sees it next,
so it never blocks a new run.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import replace
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from .. import audit
from ..dbtypes import utcnow
from ..errors import Conflict, Invalid, NotFound, TooManyAttempts
from ..events.models import Event
from ..extensions import db
from ..scheduling import Progress, Result, parse_problem, solve
from ..visits.services import save_allocation as save_visit_allocation
from .engine_input import current_problem, problem_key, save_result
from .models import SolverRun

log = logging.getLogger(__name__)

STALE_AFTER = timedelta(seconds=30)  # the default of SOLVER_STALE_AFTER (seconds)
# A queued run waits for the runs ahead of it: with RUNS_MAX_TOTAL at its default (twice
# the solver pool) that is at most one run of MAX_TIME_LIMIT per thread.
QUEUED_TOO_LONG = timedelta(minutes=20)
TICK = 0.5  # seconds between heartbeats (commits) of a running run
STOP_WAIT = 5.0  # seconds to wait for the engine to stop when a run fails
MAX_POINTS = 400  # progress points kept for the chart
MIN_TIME_LIMIT, MAX_TIME_LIMIT = 1, 600


def latest_run(event: Event) -> SolverRun | None:
    return db.session.scalar(
        select(SolverRun)
        .where(SolverRun.event_id == event.id)
        .order_by(SolverRun.id.desc())
        .limit(1)
    )


def run_of(event: Event, run_id: int) -> SolverRun:
    run = db.session.get(SolverRun, run_id)
    if run is None or run.event_id != event.id:
        raise NotFound("No such solver run.")
    return run


def stale_after() -> timedelta:
    """How long a running run may go without a heartbeat before it counts as dead."""
    seconds = current_app.config.get("SOLVER_STALE_AFTER")
    return timedelta(seconds=seconds) if seconds else STALE_AFTER


def is_stale(run: SolverRun) -> bool:
    """A run nobody is working on any more: its worker died, or no worker took it."""
    now = utcnow()
    if run.status == "running":
        return (run.heartbeat_at or run.created_at) < now - stale_after()
    if run.status == "queued":
        return run.created_at < now - QUEUED_TOO_LONG
    return False


def expire_stale_runs(event: Event) -> None:
    """Mark the event's dead active runs failed (the schedule they would change stays)."""
    for run in db.session.scalars(
        select(SolverRun).where(
            SolverRun.event_id == event.id, SolverRun.status.in_(("queued", "running"))
        )
    ):
        if is_stale(run):
            run.error = (
                "The worker stopped responding; the run was abandoned."
                if run.status == "running"
                else "No worker picked the run up."
            )
            run.status, run.finished_at = "failed", utcnow()
    db.session.flush()


def start_run(event: Event, user, time_limit: float) -> SolverRun:
    """Queue a solver run; the route commits, then hands ``run.id`` to the worker."""
    if not MIN_TIME_LIMIT <= time_limit <= MAX_TIME_LIMIT:
        raise Invalid(
            f"Give a time limit between {MIN_TIME_LIMIT} and {MAX_TIME_LIMIT} seconds.",
            "time_limit",
        )
    if not event.sessions or not event.tables:
        raise Invalid("The event needs meeting sessions and tables before scheduling.")
    expire_stale_runs(event)
    run = SolverRun(
        event_id=event.id,
        status="queued",
        time_limit=float(time_limit),
        started_by_id=user.id if user else None,
        progress=[],
    )
    db.session.add(run)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise Conflict("A run is in progress already.", "time_limit") from None
    _check_capacity(user)
    audit.record(event, user, "schedule.run", {"run_id": run.id, "time_limit": time_limit})
    return run


def not_started(run_id: int, reason: str) -> None:
    """A queued run that could not be handed to the worker (the job queue is down)."""
    run = db.session.get(SolverRun, run_id)
    if run is not None and run.status == "queued":
        run.status, run.finished_at, run.error = "failed", utcnow(), reason
        db.session.flush()


# Any constant: PostgreSQL's transaction-level advisory lock serialising run starts.
_START_LOCK = 0x5E1EC7


def _holding_a_place():
    """Runs that hold a place in the solver pool: queued or running, and not stale."""
    now = utcnow()
    return or_(
        and_(
            SolverRun.status == "running",
            func.coalesce(SolverRun.heartbeat_at, SolverRun.created_at) >= now - stale_after(),
        ),
        and_(SolverRun.status == "queued", SolverRun.created_at >= now - QUEUED_TOO_LONG),
    )


def _check_capacity(user) -> None:
    """Refuse (429) a run beyond ``RUNS_PER_ORGANISER`` for ``user`` or ``RUNS_MAX_TOTAL``.

    Called with the new run flushed, so it counts itself; the route's rollback removes it.
    On PostgreSQL starts are serialised so two at once cannot both take the last place;
    SQLite serialises writers anyway.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(func.pg_advisory_xact_lock(_START_LOCK)))
    config = current_app.config
    per_organiser, total = config.get("RUNS_PER_ORGANISER"), config.get("RUNS_MAX_TOTAL")
    active = select(func.count(SolverRun.id)).where(_holding_a_place())
    if user is not None and per_organiser:
        mine = db.session.scalar(active.where(SolverRun.started_by_id == user.id)) or 0
        if mine > per_organiser:
            raise TooManyAttempts(
                f"You have {per_organiser} solver runs in progress already, the most one "
                "organiser may have at once. Wait for one to finish, or cancel one.",
                "time_limit",
                retry_after=30,
            )
    if total and (db.session.scalar(active) or 0) > total:
        raise TooManyAttempts(
            f"The scheduler is busy: {total} runs are in progress or waiting, the most it "
            "takes at once. Try again in a few minutes.",
            "time_limit",
            retry_after=60,
        )


def cancel_run(run: SolverRun) -> None:
    """Stop a run: a queued one at once, a running one at the worker's next heartbeat."""
    if run.status == "queued":
        run.status, run.finished_at = "cancelled", utcnow()
    elif run.status == "running":
        run.cancel_requested = True
    else:
        raise Conflict("This run has finished already.")
    db.session.flush()


class _Solving:
    """The engine in a thread of its own; the caller's thread keeps the database."""

    def __init__(self, problem, time_limit: float, workers: int):
        self.latest: Progress | None = None
        self.points: list[list[Any]] = []
        self.stop = threading.Event()
        self.result: Result | None = None
        self.error: BaseException | None = None
        self.thread = threading.Thread(
            target=self._run, args=(problem, time_limit, workers), daemon=True
        )

    def _run(self, problem, time_limit: float, workers: int) -> None:
        try:
            self.result = solve(
                problem,
                time_limit=time_limit,
                workers=workers,
                on_progress=self._progress,
                should_stop=self.stop.is_set,
            )
        except BaseException as error:  # handed to the caller's thread, which records it
            self.error = error

    def _progress(self, p: Progress) -> None:
        """Keep the best schedule seen so far (most placed, then fewest breaks) and the
        highest bound: the engine's search threads also report worse intermediate
        solutions, which the organiser should not see as the run getting worse."""
        best = self.latest
        if best is not None and p.breaks is not None and best.breaks is not None:
            if (p.placed, -p.breaks) < (best.placed, -best.breaks):
                p = replace(p, placed=best.placed, breaks=best.breaks)
        if best is not None and best.bound is not None:
            p = replace(p, bound=max(best.bound, p.bound if p.bound is not None else best.bound))
        self.latest = p
        point = [round(p.elapsed, 2), p.breaks, p.bound, p.placed]
        if not self.points or self.points[-1][1:] != point[1:]:
            self.points.append(point)


def _record(run: SolverRun, solving: _Solving) -> None:
    run.heartbeat_at = utcnow()
    p = solving.latest
    if p is not None:
        run.placed, run.breaks, run.bound, run.total = p.placed, p.breaks, p.bound, p.total
    points = solving.points[-MAX_POINTS:]
    if points != run.progress:
        run.progress = list(points)


def execute_run(run_id: int) -> SolverRun | None:
    """Do a queued run (the worker's job, or the command line's): solve, save, commit.

    Heartbeats and progress are committed every ``TICK`` seconds; a failure of any kind
    rolls the schedule back and leaves the run ``failed`` with the error.
    """
    # Claimed by one atomic UPDATE: a task delivered twice (two workers, a retry) runs
    # once; the other delivery finds the run no longer queued.
    now = utcnow()
    claimed = db.session.execute(
        update(SolverRun)
        .where(SolverRun.id == run_id, SolverRun.status == "queued")
        .values(status="running", started_at=now, heartbeat_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]  # DML gives a CursorResult
    db.session.commit()
    run = db.session.get(SolverRun, run_id)
    if run is None or not claimed:
        log.info("solver run %s is %s: not run again", run_id, run.status if run else "gone")
        return run
    log.info("solver run %s claimed", run_id)
    try:
        event = db.session.get_one(Event, run.event_id)
        # During the event, history stays as it was (desk.replan.keep_the_past).
        data = current_problem(event)
        run.problem_key = problem_key(data)
        problem = parse_problem(data)
        run.total = len(problem.meetings)
        db.session.commit()
        _check_size(problem)
        workers = current_app.config.get("SOLVER_WORKERS", 2)
        solving = _Solving(problem, run.time_limit, workers)
        solving.thread.start()
        try:
            while solving.thread.is_alive():
                solving.thread.join(TICK)
                _record(run, solving)
                db.session.commit()
                db.session.refresh(run, ["cancel_requested"])
                if run.cancel_requested:
                    solving.stop.set()
        finally:
            # Whatever ends the loop (a heartbeat commit that fails, the worker shutting
            # down), the engine is told to stop: it returns within its poll interval
            # instead of running on in the worker until its time limit.
            if solving.thread.is_alive():
                solving.stop.set()
                solving.thread.join(STOP_WAIT)
        if solving.error is not None:
            raise solving.error
        result = solving.result
        if result is None:
            raise RuntimeError("the engine stopped without a result")
        _record(run, solving)
        if run.cancel_requested:
            run.status = "cancelled"
        elif not result.assignments and result.status in ("unknown", "infeasible"):
            # Nothing to save: keep the previous schedule rather than emptying it.
            run.status, run.solver_status = "failed", result.status
            run.result = result.to_dict()
            run.error = (
                "The problem is infeasible: " + " ".join(result.explanation)
                if result.status == "infeasible"
                else "No schedule found within the time limit; the schedule is unchanged."
            )
        else:
            save_result(event, result)
            save_visit_allocation(event, result.visits)
            run.status = "succeeded"
            run.solver_status = result.status
            run.breaks, run.bound = result.breaks, result.bound
            run.placed = len(result.assignments)
            run.result = result.to_dict()
        run.finished_at = utcnow()
        db.session.commit()
    except Exception as error:
        log.exception("solver run %s failed", run_id)
        db.session.rollback()
        run = db.session.get_one(SolverRun, run_id)
        run.status, run.finished_at = "failed", utcnow()
        run.error = f"{type(error).__name__}: {error}"[:2000]
        db.session.commit()
    return run


class TooLarge(Exception):
    """The problem is beyond what this server's solver is allowed to take on."""


def _check_size(problem) -> None:
    """Refuse a problem above ``SOLVER_MAX_MEETINGS`` before the engine allocates for it:
    the engine runs inside the worker process, and running out of memory there would
    take the worker (and every run and e-mail on it) down, not just this run."""
    cap = current_app.config.get("SOLVER_MAX_MEETINGS")
    if cap and len(problem.meetings) > cap:
        raise TooLarge(
            f"{len(problem.meetings):,} meetings to place; this server's solver takes at "
            f"most {cap:,} (SOLVER_MAX_MEETINGS). The schedule is unchanged."
        )


TIE_BREAK_NAMES = {"early": "Early and compact", "spread": "Spread evenly"}
TIE_BREAK_FIGURES = {
    "idle_slots": ("idle slot", "idle slots"),
    "participant_days": ("participant-day", "participant-days"),
    "peak": ("meeting in the fullest slot", "meetings in the fullest slot"),
    "slots_used": ("slot in use", "slots in use"),
}


def tie_break_summary(result: dict | None) -> str | None:
    """The tie-break the engine applied and its figures, e.g. "Early and compact: 0 idle
    slots (proven), 41 participant-days (proven)"; None without one."""
    tb = (result or {}).get("tie_break")
    if not tb:
        return None
    parts = []
    for key, (one, many) in TIE_BREAK_FIGURES.items():
        if key not in tb:
            continue
        value, bound = tb[key], tb.get(key + "_bound")
        text = f"{value} {one if value == 1 else many}"
        if bound == value:
            text += " (proven)"
        elif bound is not None:
            text += f" ({'at least' if key != 'slots_used' else 'at most'} {bound})"
        parts.append(text)
    return f"{TIE_BREAK_NAMES.get(tb.get('rule'), tb.get('rule'))}: {', '.join(parts)}"


def summary_lines(run: SolverRun) -> list[str]:
    """What the command line prints about a finished run."""
    lines = [f"run {run.id}: {run.status}"]
    if run.error:
        lines.append(f"error: {run.error}")
    if run.result:
        r = run.result
        placed = len(r.get("assignments", []))
        lines.append(
            f"solver status: {r['status']}; placed {placed} of {run.total or 0} meetings; "
            f"breaks {r.get('breaks')}; bound {r.get('bound')}; moved {r.get('moved', 0)}; "
            f"{r.get('seconds', 0):.1f} s"
        )
        shape = tie_break_summary(r)
        if shape:
            lines.append(f"tie-break: {shape}")
        for u in r.get("unscheduled", []):
            lines.append(f"unscheduled meeting {u['meeting']}: {u['reason']}")
    return lines
