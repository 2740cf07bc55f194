"""The README's deployment, run on this machine as two "nodes": two gunicorn servers on
their own ports and two job workers (`python -m matchmaker.worker`, both queues), on one
database (PostgreSQL on the PostgreSQL pass, one SQLite file on the SQLite pass) and one
Redis. What a second machine must not break: sessions, caches, solver runs, periodic
tasks, and a Redis that goes away for a while.

The cluster is started once for the module (about 15 s; the two nodes boot at once); the
tests run in file order.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from tests.conftest import free_port
from tests.gunicorn_server import REPO, Browser, GunicornServer, _psycopg, fresh_database
from tests.gunicorn_server import gunicorn_server as start_gunicorn

pytestmark = pytest.mark.slow

SECRET = "two-nodes-secret"
STALE_AFTER = 3  # seconds without a heartbeat before a run counts as dead (SOLVER_STALE_AFTER)


# --- the cluster -----------------------------------------------------------------------


class RedisServer:
    """redis-server on a free loopback port, with an append-only file: stopped and
    started again, it comes back with what was queued."""

    def __init__(self, directory: Path):
        self.binary = shutil.which("redis-server")
        if self.binary is None:
            pytest.skip("redis-server is missing: `make test` installs Debian's redis-server")
        self.directory, self.port, self.process = directory, free_port(), None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "yes", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@dataclass
class Worker:
    """``python -m matchmaker.worker`` (both queues), its log in a file."""

    env: dict
    log_path: Path
    process: subprocess.Popen | None = None

    def start(self) -> None:
        with open(self.log_path, "a") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "matchmaker.worker"],
                cwd=REPO, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@dataclass
class Cluster:
    a: GunicornServer
    b: GunicornServer
    workers: list[Worker]
    redis: RedisServer
    database_url: str
    plan: dict
    engine: object = field(repr=False)

    def scalar(self, sql: str, **params):
        with self.engine.connect() as conn:
            return conn.execute(text(sql), params).scalar()

    def rows(self, sql: str, **params):
        with self.engine.connect() as conn:
            return conn.execute(text(sql), params).all()

    def login(self, server: GunicornServer, email: str) -> Browser:
        browser = server.browser()
        status, headers, _ = browser.post_form(
            "/login", {"email": email, "password": self.plan["password"]}
        )
        assert status == 302 and "/login" not in headers["Location"], status
        return browser

    def logs(self) -> str:
        return "".join(w.log() for w in self.workers)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("two-nodes")
    with ExitStack() as stack:
        redis = RedisServer(tmp)
        redis.start()
        stack.callback(redis.stop)
        database_url = fresh_database(tmp, "twonodes")
        env = {
            **os.environ,
            "DATABASE_URL": database_url.replace("postgresql+psycopg://", "postgresql://", 1),
            "SECRET_KEY": SECRET,
            "REDIS_URL": redis.url,
            "SOLVER_STALE_AFTER": str(STALE_AFTER),
            "MATCHMAKER_ENV": "development",
            "HUEY_SQLITE_PATH": str(tmp / "unused-huey.db"),
        }
        env.pop("TEST_DATABASE_URL", None)
        seeded = subprocess.run(
            [sys.executable, "-m", "bench.load.seed", "--participants", "120",
             "--per-slot", "8", "--day-offset", "1"],
            cwd=REPO, env=env, capture_output=True, text=True,
        )  # fmt: skip
        assert seeded.returncode == 0, seeded.stderr[-3000:]
        plan = json.loads(seeded.stdout.strip().splitlines()[-1])
        workers = [Worker(env, tmp / f"worker-{n}.log") for n in ("a", "b")]
        for worker in workers:  # they import the app while the nodes boot
            worker.start()
            stack.callback(worker.stop)
        nodes = {k: v for k, v in env.items() if k != "DATABASE_URL"}
        servers = [
            start_gunicorn(tmp, f"node-{n}", workers=1, env=nodes, database_url=database_url)
            for n in ("a", "b")
        ]
        with ThreadPoolExecutor(2) as pool:  # the two nodes boot at once, as two machines
            a, b = pool.map(stack.enter_context, servers)
        engine = create_engine(_psycopg(database_url), poolclass=NullPool)
        stack.callback(engine.dispose)
        yield Cluster(a, b, workers, redis, database_url, plan, engine)


def wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def start_run(cluster: Cluster, browser: Browser, time_limit: int):
    before = cluster.scalar("SELECT coalesce(max(id), 0) FROM solver_runs")
    status, _, html = browser.post_form(
        "/events/bench/schedule/runs",
        {"time_limit": str(time_limit)},
        page="/events/bench/schedule",
    )
    run_id = cluster.scalar("SELECT max(id) FROM solver_runs")
    return status, html, (run_id if run_id and run_id > before else None)


def run_status(cluster: Cluster, run_id: int) -> str:
    return cluster.scalar("SELECT status FROM solver_runs WHERE id = :id", id=run_id)


def draft(cluster: Cluster):
    return cluster.rows("SELECT id, slot_start, table_id FROM meetings ORDER BY id")


# --- the tests -------------------------------------------------------------------------


def test_a_session_and_csrf_token_made_on_node_a_work_on_node_b(cluster):
    p = cluster.plan
    on_a = cluster.login(cluster.a, p["emails"][0])
    on_b = cluster.b.browser()
    on_b.cookies = on_a.cookies  # the same browser, answered by the other machine
    status, _, html = on_b.get("/events/bench/meetings")
    assert status == 200 and "Log in" not in html.split("<main", 1)[-1][:2000]

    me = p["participant_ids"][0]
    taken = {
        other
        for pair in cluster.rows(
            "SELECT requester_id, recipient_id FROM meeting_requests "
            "WHERE requester_id = :me OR recipient_id = :me",
            me=me,
        )
        for other in pair
    }
    other = next(i for i in p["participant_ids"] if i not in taken | {me})
    token = on_a.csrf_token(f"/events/bench/participants/{other}")
    status, _, _ = on_b.request(
        "POST",
        f"/events/bench/participants/{other}/request",
        {"csrf_token": token, "message": "Asked on B with A's token"},
    )
    assert status == 302
    assert (
        cluster.scalar(
            "SELECT count(*) FROM meeting_requests WHERE requester_id = :me AND recipient_id = :o",
            me=me,
            o=other,
        )
        == 1
    )


def test_a_move_published_on_a_is_seen_at_once_on_bs_feed_and_agenda(cluster):
    p = cluster.plan
    meeting_id, slot_start = cluster.rows(
        "SELECT id, slot_start FROM meetings WHERE table_id IS NOT NULL ORDER BY id LIMIT 1"
    )[0]
    person = cluster.scalar(
        "SELECT min(participant_id) FROM meeting_participants WHERE meeting_id = :m",
        m=meeting_id,
    )
    free_table, table_name = cluster.rows(
        "SELECT id, name FROM tables WHERE id NOT IN "
        "(SELECT table_id FROM meetings WHERE slot_start = :s AND table_id IS NOT NULL) "
        "ORDER BY id DESC LIMIT 1",
        s=slot_start,
    )[0]
    feed = p["feeds"][person - 1]
    anyone = cluster.b.browser()
    status, headers, body = anyone.get(feed)  # B caches the feed in its process
    assert status == 200 and table_name not in body
    etag = headers["ETag"]

    organiser = cluster.login(cluster.a, p["organiser"])
    slot = slot_start if isinstance(slot_start, str) else slot_start.strftime("%Y-%m-%dT%H:%M")
    slot_key = slot[:16].replace(" ", "T") + "Z"
    status, _, _ = organiser.post_form(
        f"/events/bench/schedule/meetings/{meeting_id}/place",
        {"target": f"{slot_key}@{free_table}"},
        page="/events/bench/schedule",
    )
    assert status in (200, 302)
    assert cluster.scalar("SELECT table_id FROM meetings WHERE id = :m", m=meeting_id) == (
        free_table
    )
    status, _, _ = organiser.post_form(
        "/events/bench/schedule/publish", {}, "/events/bench/schedule"
    )
    assert status == 302

    anyone.cookies.clear()
    conn_headers = {"If-None-Match": etag}
    status, _, body = _get(cluster.b.port, feed, conn_headers)
    assert status == 200 and table_name in body  # not a stale 304, not the cached body
    attendee = cluster.login(cluster.b, p["emails"][person - 1])
    status, _, html = attendee.get("/events/bench/agenda")
    assert status == 200 and table_name in html


def test_a_solver_run_executes_exactly_once_with_two_workers(cluster, app):
    organiser = cluster.login(cluster.a, cluster.plan["organiser"])
    status, _, run_id = start_run(cluster, organiser, time_limit=1)
    assert status == 302 and run_id
    # The same task delivered twice more (a retry, a worker that lost its
    # acknowledgement): the two workers take one each.
    _enqueue_again(cluster, app, run_id, times=2)
    wait_for(lambda: run_status(cluster, run_id) in ("succeeded", "failed"), 60, "the run to end")
    wait_for(lambda: cluster.logs().count(f"solver run {run_id} is ") == 2, 20, "duplicates")
    logs = cluster.logs()
    assert logs.count(f"solver run {run_id} claimed") == 1
    assert run_status(cluster, run_id) == "succeeded", cluster.scalar(
        "SELECT error FROM solver_runs WHERE id = :id", id=run_id
    )


def test_a_worker_killed_mid_run_leaves_the_run_failed_and_the_draft_as_it_was(cluster):
    organiser = cluster.login(cluster.a, cluster.plan["organiser"])
    before = draft(cluster)
    marks = [len(w.log()) for w in cluster.workers]
    status, _, run_id = start_run(cluster, organiser, time_limit=120)
    assert status == 302 and run_id
    wait_for(lambda: run_status(cluster, run_id) == "running", 30, "the run to start")
    doing = wait_for(
        lambda: [
            w
            for w, mark in zip(cluster.workers, marks, strict=True)
            if f"solver run {run_id} claimed" in w.log()[mark:]
        ],
        10,
        "the worker's log",
    )[0]
    doing.kill()
    assert run_status(cluster, run_id) == "running"  # killed in the middle

    time.sleep(STALE_AFTER + 1)
    on_b = cluster.login(cluster.b, cluster.plan["organiser"])
    status, _, html = on_b.get(f"/events/bench/schedule/runs/{run_id}")
    assert status == 200
    assert run_status(cluster, run_id) == "failed"
    assert "stopped responding" in cluster.scalar(
        "SELECT error FROM solver_runs WHERE id = :id", id=run_id
    )
    assert draft(cluster) == before

    status, _, new_run = start_run(cluster, on_b, time_limit=1)
    assert status == 302 and new_run
    wait_for(lambda: run_status(cluster, new_run) == "succeeded", 60, "the next run")
    doing.start()  # the machine's process manager restarts it


def test_periodic_tasks_are_scheduled_once_per_minute_by_two_job_workers(cluster, app):
    """Each job worker's scheduler enqueues the periodic tasks (reminders, the outbox's
    watch, housekeeping) once a minute: with two machines every reminder would go out
    twice. ``matchmaker.worker`` claims each task's minute in Redis first."""
    from datetime import datetime

    from matchmaker import create_app
    from matchmaker.extensions import huey, init_huey
    from matchmaker.worker import consumer_for

    original = huey.read_periodic
    try:
        other = create_app(
            {
                "SECRET_KEY": SECRET,
                "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                # Database 1 of the same server: the cluster's workers (on 0) would
                # take the tasks off the queue before they are counted.
                "REDIS_URL": cluster.redis.url[:-1] + "1",
                "HUEY_IMMEDIATE": False,
            }
        )
        machines = [consumer_for("jobs", other)._create_scheduler() for _ in range(2)]
        huey.storage.flush_queue()
        for minute in (0, 1, 23):
            now = datetime(2030, 1, 1, 9, minute, 5)
            due = len(original(now))
            assert due >= 1
            for scheduler in machines:
                scheduler.enqueue_periodic_tasks(now)
                scheduler.enqueue_periodic_tasks(now.replace(second=55))
            assert huey.storage.queue_size() == due  # each task once, not once a machine
            huey.storage.flush_queue()
    finally:
        huey.read_periodic = original
        huey.__dict__.pop("_once_per_period", None)
        huey.__dict__.pop("read_periodic", None)
        init_huey(app)


def test_redis_down_pages_work_runs_say_jobs_are_unavailable_and_work_resumes(cluster):
    organiser = cluster.login(cluster.a, cluster.plan["organiser"])
    attendee = cluster.login(cluster.b, cluster.plan["emails"][3])
    cluster.redis.stop()
    try:
        for path in ("/events/bench/agenda", "/events/bench/directory", "/events/bench/meetings"):
            status, _, _ = attendee.get(path)
            assert status == 200, path
        status, html, _ = start_run(cluster, organiser, time_limit=1)
        assert status == 503
        assert "Background jobs are unavailable" in html and "Traceback" not in html
        # The run that could not be queued does not hold the event's place.
        assert cluster.scalar("SELECT status FROM solver_runs ORDER BY id DESC LIMIT 1") == (
            "failed"
        )
    finally:
        cluster.redis.start()
    status, _, run_id = start_run(cluster, organiser, time_limit=1)
    assert status == 302
    wait_for(lambda: run_status(cluster, run_id) == "succeeded", 60, "the run after Redis")


# --- helpers ---------------------------------------------------------------------------


def _get(port: int, path: str, headers: dict):
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, response.headers, response.read().decode("utf-8", "replace")
    finally:
        conn.close()


def _enqueue_again(cluster: Cluster, app, run_id: int, times: int) -> None:
    """Put ``run_solver(run_id)`` on the solver queue in Redis again (``times`` times)."""
    from matchmaker import create_app
    from matchmaker.extensions import init_huey
    from matchmaker.planning.tasks import run_solver

    try:
        create_app(
            {
                "SECRET_KEY": SECRET,
                "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                "REDIS_URL": cluster.redis.url,
                "HUEY_IMMEDIATE": False,
            }
        )
        for _ in range(times):
            run_solver(run_id)
    finally:
        init_huey(app)
