"""Fixtures for the browser tests: a live server, a real job worker, and Chromium.

- `live_server` (session): the real app from `create_app()` on its own database (a
  fresh SQLite file, or a fresh `<name>_e2e` database next to TEST_DATABASE_URL on
  PostgreSQL), migrated with Alembic exactly as in production, served by werkzeug in
  a background thread on a free port, with real Huey consumers (one worker thread per
  queue, SQLite storage in a temp folder) so jobs and solver runs run as they do in
  production, not in immediate mode. `live_server.url` is the base URL;
  `live_server.app` gives an app context, and `live_server.seeding()` a committed
  session for test data. The unit tests' `db` and factory fixtures belong to another
  app and database: don't mix them into browser tests.
- `browser` (session): Debian's Chromium (`/usr/bin/chromium`, or CHROMIUM_PATH) driven
  by Playwright's sync API; Playwright's own browser download is never used.
- `context` / `page` (per test): a fresh browser context (no shared cookies) whose
  base URL is the live server, so tests write `page.goto("/")`. A failing test
  leaves a screenshot and the page's HTML in test-results/. An uncaught JavaScript
  error on the page fails the test.

Browser tests are marked `e2e` automatically and run after all other tests.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy.orm import scoped_session

REPO = Path(__file__).resolve().parents[2]
RESULTS = REPO / "test-results"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# The machine has no internet: without these, Chromium keeps trying to reach Google's
# services and logs the refused connections.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
E2E_DIR = Path(__file__).resolve().parent
# werkzeug's development server (3.1) leaves a static file open when the browser resets
# the connection mid-request (a navigation cancels a stylesheet request): the drain of
# the socket in `run_wsgi`'s `finally` raises ConnectionResetError before
# `application_iter.close()`, so the file is closed by the garbage collector with a
# ResourceWarning, at any later moment, in whichever browser test is running (162 of 200
# reset requests for print.css, measured). It made one CI run fail. Production serves
# with gunicorn; any other unclosed file still fails the suite (pyproject's "error").
WERKZEUG_DROPPED_FILE = (
    r"ignore:unclosed file <_io\.BufferedReader name='.*/static/:ResourceWarning"
)


# --- collection: mark and order -------------------------------------------------------


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark browser tests `e2e` and run them last (they are the slowest), smoke first."""
    browser_tests, others = [], []
    for item in items:
        if E2E_DIR in item.path.resolve().parents:
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.filterwarnings(WERKZEUG_DROPPED_FILE))
            browser_tests.append(item)
        else:
            others.append(item)
    # The smoke tests first: they tell quickest whether the harness itself works.
    browser_tests.sort(key=lambda item: item.path.name != "test_smoke.py")
    items[:] = others + browser_tests


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Keep each phase's report on the item so `page` can tell whether the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


# --- the live server --------------------------------------------------------------------


@dataclass
class LiveServer:
    url: str
    app: Flask

    @contextmanager
    def seeding(self) -> Iterator[scoped_session]:
        """Write test data straight into the live server's database, committed at the end.

        The live database lives for the whole session (it is not rolled back), so each
        test creates its own event/users rather than relying on what others left:

            with live_server.seeding() as session:
                event = make_something(session)
                event_id = event.id   # read what you need inside the block
        """
        from matchmaker.extensions import db

        with self.app.app_context():
            try:
                yield db.session
                db.session.commit()
            finally:
                db.session.remove()


def _fresh_postgres_database(base_url: str) -> str:
    """Create (or recreate) `<name>_e2e` on the server of `base_url`; return its URL.

    The browser tests get their own database so that they never meet the schema or
    the rolled-back transactions of the unit tests' database.
    """
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(base_url)
    name = f"{url.database}_e2e"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def _migrate(app: Flask) -> None:
    """Run the Alembic migrations, keeping pytest's logging set-up intact.

    Alembic's env.py calls logging.config.fileConfig, which would otherwise disable
    every logger that already exists and replace the root handlers.
    """
    from flask_migrate import upgrade

    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    saved_disabled = {
        name: logger.disabled
        for name, logger in logging.root.manager.loggerDict.items()
        if isinstance(logger, logging.Logger)
    }
    try:
        with app.app_context():
            upgrade(directory=str(REPO / "migrations"))
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
        for name, disabled in saved_disabled.items():
            logging.getLogger(name).disabled = disabled


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    from werkzeug.serving import make_server

    from matchmaker import create_app
    from matchmaker.extensions import db, huey, solver_huey

    tmp = tmp_path_factory.mktemp("live_server")
    pg_url = os.environ.get("TEST_DATABASE_URL")
    database_url = _fresh_postgres_database(pg_url) if pg_url else f"sqlite:///{tmp / 'e2e.db'}"
    huey_path = str(tmp / "huey.db")

    with pytest.MonkeyPatch.context() as env:
        # Anything that reads the environment rather than app.config sees the same.
        env.setenv("DATABASE_URL", database_url)
        env.setenv("HUEY_SQLITE_PATH", huey_path)
        env.delenv("REDIS_URL", raising=False)

        app = create_app(
            {
                "TESTING": True,
                "SQLALCHEMY_DATABASE_URI": database_url,
                "SECRET_KEY": "e2e-secret",
                "WTF_CSRF_ENABLED": True,  # the browser sends real tokens
                "HUEY_IMMEDIATE": False,
                "HUEY_SQLITE_PATH": huey_path,
            }
        )
        _migrate(app)

        # Real job workers, one thread for each queue (jobs, solver runs), polling often
        # so tests need not wait long.
        assert not huey.immediate, "the e2e app must use a real queue, not immediate mode"
        consumers = [
            instance.create_consumer(
                workers=1,
                worker_type="thread",
                periodic=False,  # tests trigger their jobs; no clock-driven surprises
                initial_delay=0.05,
                backoff=1.1,
                max_delay=0.25,
                check_worker_health=False,
            )
            for instance in (huey, solver_huey)
        ]
        for consumer in consumers:
            # Consumer.start() would take over SIGTERM/SIGINT/SIGHUP from pytest.
            consumer._set_signal_handlers = lambda: None
            consumer.start()

        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
        thread.start()
        try:
            yield LiveServer(url=f"http://127.0.0.1:{server.server_port}", app=app)
        finally:
            server.shutdown()
            thread.join(timeout=10)
            server.server_close()
            for consumer in consumers:
                consumer.stop(graceful=True)
            with app.app_context():
                db.engine.dispose()


# --- the browser --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"{CHROMIUM} not found: run `make test` (it installs Debian's chromium) "
            "or set CHROMIUM_PATH"
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def context(browser, live_server: LiveServer):
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    context.set_default_timeout(10_000)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def page(context, request: pytest.FixtureRequest):
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page

    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        RESULTS.mkdir(exist_ok=True)
        stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)[-150:]
        try:
            page.screenshot(path=str(RESULTS / f"{stem}.png"), full_page=True)
            (RESULTS / f"{stem}.html").write_text(page.content(), encoding="utf-8")
        except Exception as exc:  # the page may have crashed; the test already failed
            print(f"could not save the failure screenshot: {exc}")
    page.close()
    assert not errors, f"JavaScript errors on the page: {errors}"
