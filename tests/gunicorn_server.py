"""The app served by gunicorn (several worker processes) on a fresh database, for tests of
what only a real multi-process server shows: races between workers, cookies replayed.

    from tests.gunicorn_server import gunicorn_server

    with gunicorn_server(tmp_path, "login", workers=4) as server:
        server.add_user("anna@example.test", "a-long-password")
        browser = server.browser()
        status, headers, html = browser.get("/login")

- The database is a new SQLite file in ``tmp_path``, or a new ``<db>_<name>`` PostgreSQL
  database next to TEST_DATABASE_URL (dropped and created again), migrated with
  ``flask db upgrade`` exactly as a deployment does.
- gunicorn runs from this repository's virtualenv with DATABASE_URL, SECRET_KEY and
  BASE_URL in its environment, on a free port; it is stopped (its whole process group)
  when the block ends, and its log is in ``server.log_path``.
- ``server.browser()`` is a tiny HTTP client with its own cookies that never follows
  redirects (``post_form`` fetches the page first for its CSRF token).
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.pool import NullPool

from tests.conftest import free_port

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
START_TIMEOUT = 90.0


def _psycopg(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


def fresh_database(tmp_path: Path, name: str) -> str:
    """A new empty database (SQLite file, or ``<db>_<name>`` on TEST_DATABASE_URL's server)."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        return f"sqlite:///{tmp_path / f'{name}.db'}"
    url = make_url(_psycopg(base))
    database = f"{url.database}_{name}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{database}"'))
    finally:
        admin.dispose()
    return url.set(database=database).render_as_string(hide_password=False)


class Browser:
    """One visitor: keeps its cookies, sends what a form sends, never follows redirects."""

    def __init__(self, port: int, user_agent: str = "matchmaker-tests"):
        self.port = port
        self.user_agent = user_agent
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None):
        headers = {"User-Agent": self.user_agent}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            html = response.read().decode("utf-8", "replace")
        finally:
            conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if not morsel.value or morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response.status, response.headers, html

    def get(self, path: str):
        return self.request("GET", path)

    def csrf_token(self, path: str) -> str:
        status, _, html = self.get(path)
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
        assert match, f"no CSRF token on {path} ({status})"
        return match.group(1)

    def post_form(self, path: str, data: dict, page: str | None = None):
        """POST ``data`` to ``path`` with the CSRF token of ``page`` (default: ``path``)."""
        return self.request("POST", path, {"csrf_token": self.csrf_token(page or path), **data})


@dataclass
class GunicornServer:
    port: int
    database_url: str
    log_path: Path
    engine: Engine = field(repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def browser(self, user_agent: str = "matchmaker-tests") -> Browser:
        return Browser(self.port, user_agent)

    def add_user(self, email: str, password: str, name: str = "Test User", role="participant"):
        """A confirmed account, written straight to the database (scrypt, as in production)."""
        from werkzeug.security import generate_password_hash

        from matchmaker.accounts.models import User
        from matchmaker.dbtypes import utcnow

        values = {
            "email": email,
            "name": name,
            "role": role,
            "password_hash": generate_password_hash(password),
            "auth_version": 1,
            "created_at": utcnow(),
        }
        if "email_confirmed_at" in User.__table__.c:
            values["email_confirmed_at"] = utcnow()
        with self.engine.begin() as conn:
            return conn.execute(insert(User.__table__).values(**values)).inserted_primary_key[0]

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@contextmanager
def gunicorn_server(
    tmp_path: Path,
    name: str = "gunicorn",
    workers: int = 4,
    env: dict | None = None,
    database_url: str | None = None,
) -> Iterator[GunicornServer]:
    """gunicorn with ``workers`` processes serving the app on a fresh, migrated database
    (or on ``database_url``, as it is: a second node of the same site)."""
    shared = database_url is not None
    database_url = database_url or fresh_database(tmp_path, name)
    port = free_port()
    environment = {
        **os.environ,
        "DATABASE_URL": database_url.replace("postgresql+psycopg://", "postgresql://", 1),
        "SECRET_KEY": "gunicorn-test-secret",
        "BASE_URL": f"http://127.0.0.1:{port}",
        "HUEY_SQLITE_PATH": str(tmp_path / f"{name}-huey.db"),
        "MATCHMAKER_ENV": "development",
        **(env or {}),
    }
    environment.pop("TEST_DATABASE_URL", None)
    if not shared:
        migrate = subprocess.run(
            [str(BIN / "flask"), "--app", "wsgi", "db", "upgrade"],
            cwd=REPO,
            env=environment,
            capture_output=True,
            text=True,
        )
        assert migrate.returncode == 0, migrate.stderr[-3000:]
    log_path = tmp_path / f"{name}-gunicorn.log"
    engine = create_engine(_psycopg(database_url), poolclass=NullPool)
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{port}",
                "--timeout",
                "120",
                "wsgi:app",
            ],  # fmt: skip
            cwd=REPO,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped with all its workers
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not _port_open(port):
            assert proc.poll() is None, "gunicorn exited:\n" + log_path.read_text()[-3000:]
            assert time.monotonic() < deadline, "gunicorn did not start in time"
            time.sleep(0.2)
        server = GunicornServer(port, database_url, log_path, engine)
        _wait_for_workers(server, workers, deadline)
        yield server
    finally:
        _stop(proc)
        engine.dispose()


def _wait_for_workers(server: GunicornServer, workers: int, deadline: float) -> None:
    """Until every worker has booted (each logs "Booting worker"), so that a burst of
    requests meets all of them rather than the first one alone."""
    while server.log().count("Booting worker") < workers and time.monotonic() < deadline:
        time.sleep(0.2)
    # A worker logs that line before it has imported the app: ask until pages come back.
    for _ in range(workers * 2):
        status, _, _ = server.browser().get("/login")
        assert status == 200, server.log()[-3000:]
