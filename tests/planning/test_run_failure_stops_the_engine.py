"""A run that fails while the engine works tells the engine to stop: it does not run on
in the worker until its time limit."""

from __future__ import annotations

import time

from matchmaker.planning import runs
from matchmaker.planning.models import SolverRun
from matchmaker.scheduling import Result


def test_a_failing_heartbeat_stops_the_engine(db, scheduled_event, monkeypatch):
    s = scheduled_event()
    started: list[runs._Solving] = []

    class Solving(runs._Solving):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            started.append(self)

    def engine(problem, time_limit, workers, on_progress, should_stop):
        # Works until it is told to stop, as the engine does (it polls should_stop);
        # left alone it would go on for a minute, its time limit.
        end = time.monotonic() + 60
        while not should_stop() and time.monotonic() < end:
            time.sleep(0.01)
        return Result("unknown", bound=0)

    def heartbeat(run, solving):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(runs, "_Solving", Solving)
    monkeypatch.setattr(runs, "solve", engine)
    monkeypatch.setattr(runs, "_record", heartbeat)
    run = runs.start_run(s.event, s.organiser, 60)
    db.flush()
    runs.execute_run(run.id)

    db.expire_all()
    run = db.get(SolverRun, run.id)
    assert run.status == "failed" and "the database went away" in run.error
    [solving] = started
    solving.thread.join(30)  # generous: the engine ends within its poll interval
    assert not solving.thread.is_alive()
    assert solving.stop.is_set()
