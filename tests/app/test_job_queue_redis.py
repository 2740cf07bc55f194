"""With REDIS_URL set, jobs go through Redis (as in production), not the SQLite file."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time

import pytest

from tests.conftest import free_port


@pytest.fixture
def redis_url(tmp_path):
    server = shutil.which("redis-server")
    if server is None:
        pytest.fail("redis-server is missing: `make test` installs Debian's redis-server")
    port = free_port()
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_job_round_trips_through_redis(app, redis_url):
    from huey.storage import RedisStorage

    from matchmaker import create_app
    from matchmaker.extensions import huey, init_huey
    from matchmaker.notifications.mail import send_mail

    try:
        create_app(
            {
                "SECRET_KEY": "redis-test",
                "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                "REDIS_URL": redis_url,
                "HUEY_IMMEDIATE": False,
            }
        )
        assert isinstance(huey.storage, RedisStorage)
        pending = send_mail("anna@example.test", "Your agenda", "See you in Richards Bay.")
        assert huey.storage.queue_size() == 1  # queued in Redis, not run in the request
        huey.execute(huey.dequeue())  # what the worker does
        assert pending.get() is False  # delivered by the task: no MAIL_SERVER, so not sent
        assert huey.storage.queue_size() == 0
    finally:
        init_huey(app)  # the rest of the suite runs jobs at once again
