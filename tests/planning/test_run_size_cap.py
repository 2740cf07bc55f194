"""A run too large for the server (SOLVER_MAX_MEETINGS) fails, the worker and the
schedule stay: the engine runs inside the worker process, and memory exhausted there
would take the whole worker down."""

from __future__ import annotations

from sqlalchemy import select

from matchmaker.meetings.models import Meeting
from matchmaker.planning import runs
from matchmaker.planning.models import SolverRun


def test_a_run_above_the_size_cap_fails_before_the_engine_starts(
    app, db, scheduled_event, monkeypatch
):
    s = scheduled_event()  # 8 meetings
    before = [(m.id, m.slot_start, m.table_id) for m in s.meetings]
    engine_called = []
    monkeypatch.setattr(runs, "solve", lambda *a, **k: engine_called.append(1))
    monkeypatch.setitem(app.config, "SOLVER_MAX_MEETINGS", 7)
    run = runs.start_run(s.event, s.organiser, 30)
    db.flush()
    runs.execute_run(run.id)

    db.expire_all()
    run = db.get(SolverRun, run.id)
    assert run.status == "failed"
    assert "8 meetings to place" in run.error and "at most 7" in run.error
    assert engine_called == []
    after = db.execute(
        select(Meeting.id, Meeting.slot_start, Meeting.table_id)
        .where(Meeting.event_id == s.event.id)
        .order_by(Meeting.id)
    ).all()
    assert [tuple(r) for r in after] == before
    # The next run (within the cap) starts as usual.
    monkeypatch.setitem(app.config, "SOLVER_MAX_MEETINGS", 8)
    assert runs.start_run(s.event, s.organiser, 30).status == "queued"
