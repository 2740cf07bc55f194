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
  leaves a screenshot and the page's HTML in test-results/. Any error in the browser's
  console fails the test: an uncaught JavaScript error, a Content-Security-Policy
  violation, a failed request (save the 409/422 answers the forms are built on).
- Accessibility: axe-core (node_modules, `make node`) runs on every page state a test
  reaches (each load and each htmx swap, and the last one in the teardown) with the
  WCAG 2.1 A/AA rules; a violation of impact "serious" or "critical" fails the test.
  Every violation found is logged to test-results/axe-violations.jsonl.
  AXE_REPORT_ONLY=1 logs without failing (to count violations before fixing them);
  AXE_SKIP=1 does not run axe at all (scripts/test.sh: the PostgreSQL pass, as the
  markup it checks is the same on both databases).

Browser tests are marked `e2e` automatically and run after all other tests.
"""

from __future__ import annotations

import json
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
from playwright.sync_api import expect
from sqlalchemy.orm import scoped_session

REPO = Path(__file__).resolve().parents[2]
RESULTS = REPO / "test-results"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# The machine has no internet: without these, Chromium keeps trying to reach Google's
# services and logs the refused connections.
# Assertions wait for the page up to 15 s (Playwright's default is 5): on CI's shared
# two cores a search-as-you-type answer can take seconds, and the verdict must not
# depend on how busy the machine is (a wait that ends as soon as the page is right).
expect.set_options(timeout=15_000)

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
                # The pages poll as in production, only more often: a test that waits
                # for the other side's change waits 2 s, not 10.
                "POLL_SECONDS": 2,
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
    context.set_default_timeout(15_000)
    try:
        yield context
    finally:
        context.close()


# --- accessibility: axe-core on every page a test visits ------------------------------------

AXE_JS = REPO / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_FAILING = {"serious", "critical"}
# Every violation found (all impacts) is appended here, one JSON object a line.
AXE_LOG = RESULTS / "axe-violations.jsonl"

# Runs inside every document the page loads, before the page's own scripts: an init
# script is injected by the browser's debugging protocol, so the page's CSP (which
# forbids inline scripts, and so `page.add_script_tag`) does not apply to it. axe runs
# once the page has loaded and again after each htmx swap (a fragment is a new page
# state), one run at a time, and hands its violations to Python.
AXE_RUNNER = """
(() => {
  document.addEventListener("securitypolicyviolation", (e) => {
    console.error("CSP violation: " + e.violatedDirective + " blocked "
      + (e.blockedURI || "inline code") + " at " + e.sourceFile + ":" + e.lineNumber
      + " (" + (e.sample || "no sample") + ")");
  });
  if (window.top !== window || location.protocol === "about:") return;
  const options = {
    runOnly: {type: "tag", values: %(tags)s},
    resultTypes: ["violations"],
  };
  let chain = Promise.resolve();
  let timer = null;
  async function once() {
    let found;
    try {
      const result = await axe.run(document, options);
      found = result.violations.map((v) => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.map((n) => n.target.join(" ") + "  " + n.html.slice(0, 160)),
      }));
    } catch (error) {
      return;  // the document went away while axe ran (the test navigated on)
    }
    await window.__axeReport(location.pathname + location.search, found);
  }
  window.__axeCheck = () => (chain = chain.then(once, once));
  const soon = () => { clearTimeout(timer); timer = setTimeout(window.__axeCheck, 150); };
  window.addEventListener("load", soon);
  document.addEventListener("htmx:afterSettle", soon);
})();
"""


class AxeWatch:
    """axe-core's WCAG 2.1 A/AA rules on every page state a test reaches.

    Violations of impact "serious" or "critical" fail the test (after it ran, so the
    test's own verdict comes first); lesser ones are only logged to AXE_LOG.
    """

    def __init__(self, page) -> None:
        if not AXE_JS.exists():
            pytest.fail(f"{AXE_JS} not found: run `make node` (npm ci installs axe-core)")
        self.page = page
        self.found: dict[tuple[str, str], dict] = {}
        page.expose_function("__axeReport", self._report)
        page.add_init_script(
            script=AXE_JS.read_text(encoding="utf-8") + AXE_RUNNER % {"tags": json.dumps(AXE_TAGS)}
        )

    def _report(self, where: str, violations: list[dict]) -> None:
        for violation in violations:
            self.found.setdefault((where, violation["id"]), {"where": where, **violation})

    def check_now(self) -> None:
        """Check the page as it is now (its last state may not have been checked yet)."""
        for _ in range(3):
            try:
                self.page.wait_for_load_state("load")
                self.page.evaluate("() => window.__axeCheck && window.__axeCheck()")
                return
            except Exception as exc:  # navigated during the check: check the new page
                if "context was destroyed" not in str(exc) and "navigat" not in str(exc):
                    raise

    def assert_clean(self, nodeid: str) -> None:
        if self.found:
            RESULTS.mkdir(exist_ok=True)
            with AXE_LOG.open("a", encoding="utf-8") as log:
                for v in self.found.values():
                    log.write(json.dumps({"test": nodeid, **v}) + "\n")
        failing = [v for v in self.found.values() if v["impact"] in AXE_FAILING]
        if failing and not os.environ.get("AXE_REPORT_ONLY"):
            lines = [
                f"{v['where']}: {v['id']} ({v['impact']}): {v['help']}\n      "
                + "\n      ".join(v["nodes"][:5])
                for v in failing
            ]
            pytest.fail("accessibility violations (axe-core):\n" + "\n".join(lines))


# The app answers a form's mistakes with 422 and a lost race with 409, and htmx swaps
# those answers in (base.html's responseHandling): the form with its errors is the page
# working as designed. Chromium still logs every 4xx answer as a console error.
EXPECTED_ANSWER = re.compile(
    r"^Failed to load resource: the server responded with a status of (409|422)\b"
)


def _is_error(msg) -> bool:
    return msg.type == "error" and not EXPECTED_ANSWER.match(msg.text)


@pytest.fixture
def page(context, request: pytest.FixtureRequest):
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"uncaught: {exc}"))
    # Chromium reports a CSP violation, a failed script and a console.error() alike as a
    # console message of type "error"; the init script adds the violation's details.
    page.on("console", lambda msg: errors.append(msg.text) if _is_error(msg) else None)
    axe = None if os.environ.get("AXE_SKIP") else AxeWatch(page)
    yield page

    if axe is not None and not page.is_closed():
        axe.check_now()  # the page the test ended on, whatever it did last

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
    assert not errors, "errors in the browser's console:\n" + "\n".join(errors)
    if axe is not None:
        axe.assert_clean(request.node.nodeid)
