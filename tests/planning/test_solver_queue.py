"""Solver runs have their own queue and worker pool, and there are only so many at once.

A run takes minutes; the e-mails (reset links among them) must never wait behind one,
and one organiser (anyone may become one) must not take the whole pool.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from matchmaker.dbtypes import utcnow
from matchmaker.planning import runs
from matchmaker.planning.models import SolverRun
from tests.conftest import htmx_headers

# --- the queues, with real consumers on SQLite storage -----------------------------------


@pytest.fixture
def queued_app(app, tmp_path):
    """The app with real (not immediate) queues in SQLite files, as the worker sees them."""
    from matchmaker import create_app
    from matchmaker.extensions import db, init_huey

    queued = create_app(
        {
            "SECRET_KEY": "queue-test",
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "HUEY_IMMEDIATE": False,
            "HUEY_SQLITE_PATH": str(tmp_path / "huey.db"),
            "SOLVER_THREADS": 2,
        }
    )
    try:
        yield queued
    finally:
        init_huey(app)  # the rest of the suite runs jobs at once again
        with queued.app_context():
            db.engine.dispose()  # its own pool: psycopg warns of connections left open


def _start(consumer):
    consumer._set_signal_handlers = lambda: None  # keep pytest's own handlers
    consumer.start()
    return consumer


def test_mail_is_sent_while_solver_runs_fill_their_pool(queued_app):
    from matchmaker.extensions import huey, solver_huey
    from matchmaker.notifications.mail import send_mail
    from matchmaker.planning.tasks import run_solver
    from matchmaker.worker import consumer_for

    # The real solver task is on the solver's queue, the mail on the jobs' queue, and
    # each queue has a file of its own.
    assert run_solver.huey is solver_huey and send_mail.huey is huey
    assert huey.storage.filename != solver_huey.storage.filename

    release = threading.Event()
    started = threading.Semaphore(0)

    def occupy(n: int) -> int:  # stands in for a solver run of minutes
        started.release()
        assert release.wait(timeout=30)
        return n

    long_run = solver_huey.task(name=f"occupy-{id(release)}")(occupy)
    consumers = [
        _start(consumer_for(q, queued_app, initial_delay=0.02, check_worker_health=False))
        for q in ("jobs", "solver")
    ]
    try:
        threads = queued_app.config["SOLVER_THREADS"]
        running = [long_run(n) for n in range(threads + 1)]  # the pool full, one waiting
        for _ in range(threads):
            assert started.acquire(timeout=10), "the solver pool did not take its runs"
        mail = send_mail("anna@example.test", "Reset your password", "https://...")
        # Delivered by the jobs' pool while every solver thread is still busy.
        assert mail.get(blocking=True, timeout=10) is False  # no MAIL_SERVER: logged only
        assert not started.acquire(timeout=0.2), "the waiting run must still be waiting"
        assert all(r.get() is None for r in running)
        release.set()
        assert sorted(r.get(blocking=True, timeout=10) for r in running) == list(range(threads + 1))
    finally:
        release.set()
        for consumer in consumers:
            consumer.stop(graceful=True)
        solver_huey._registry.unregister(long_run.task_class)


# --- the caps -----------------------------------------------------------------------------


def _active_run(db, event, user, **fields):
    values = {"status": "running", "heartbeat_at": utcnow(), "started_at": utcnow(), **fields}
    run = SolverRun(event_id=event.id, started_by_id=user.id if user else None, **values)
    db.add(run)
    db.flush()
    return run


def _start_run(client, event):
    return client.post(
        f"/events/{event.slug}/schedule/runs", data={"time_limit": "4"}, headers=htmx_headers()
    )


def test_one_organiser_may_have_only_so_many_runs_at_once(
    app, client, auth, db, scheduled_event, make_event, monkeypatch
):
    monkeypatch.setitem(app.config, "RUNS_PER_ORGANISER", 2)
    monkeypatch.setitem(app.config, "RUNS_MAX_TOTAL", 100)
    s = scheduled_event()
    for _ in range(2):
        _active_run(db, make_event(organiser=s.organiser), s.organiser)
    auth.login(s.organiser)
    response = _start_run(client, s.event)
    html = response.get_data(as_text=True)
    assert response.status_code == 429 and "<html" not in html
    assert "2 solver runs in progress already" in html
    assert db.query(SolverRun).filter_by(event_id=s.event.id).count() == 0


def test_the_scheduler_takes_only_so_many_runs_in_all(
    app, client, auth, db, scheduled_event, make_event, make_user, monkeypatch
):
    monkeypatch.setitem(app.config, "RUNS_PER_ORGANISER", 2)
    monkeypatch.setitem(app.config, "RUNS_MAX_TOTAL", 3)
    s = scheduled_event()
    for _ in range(3):
        other = make_user("organiser")
        _active_run(db, make_event(organiser=other), other)
    auth.login(s.organiser)
    response = _start_run(client, s.event)
    assert response.status_code == 429
    assert "The scheduler is busy" in response.get_data(as_text=True)
    assert db.query(SolverRun).filter_by(event_id=s.event.id).count() == 0


def test_finished_and_dead_runs_take_no_place(
    app, db, scheduled_event, make_event, make_user, monkeypatch
):
    monkeypatch.setitem(app.config, "RUNS_PER_ORGANISER", 1)
    monkeypatch.setitem(app.config, "RUNS_MAX_TOTAL", 2)
    s = scheduled_event()
    long_ago = utcnow() - timedelta(hours=1)
    _active_run(db, make_event(organiser=s.organiser), s.organiser, heartbeat_at=long_ago)
    _active_run(db, make_event(organiser=s.organiser), s.organiser, status="succeeded")
    db.add(SolverRun(event_id=make_event().id, status="queued", created_at=long_ago))
    other = make_user("organiser")
    _active_run(db, make_event(organiser=other), other)
    with app.test_request_context():
        run = runs.start_run(s.event, s.organiser, 5)
    assert run.status == "queued"
