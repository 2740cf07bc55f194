"""Engine set-up: real transactions on SQLite, and writers that wait their turn.

Python's ``sqlite3`` driver runs its own transaction control: it sends ``BEGIN`` only
before INSERT/UPDATE/DELETE, never before ``SAVEPOINT``. A savepoint opened before the
transaction's first write then *is* the transaction, and its ``RELEASE`` commits: a
``begin_nested()`` around writes made inside it (a CSV import's lines, a meeting
request, feed links) saved them for good even when the request failed afterwards.

SQLAlchemy's SQLite dialect documents the cure ("Serializable isolation / Savepoints /
Transactional DDL"): switch the driver's control off and send BEGIN ourselves. Its
recipe sends a deferred ``BEGIN`` when SQLAlchemy's transaction starts, i.e. at the
first SELECT. With several connections on one file (gunicorn workers, the job worker)
that fails in two ways, measured (tests/app/test_concurrency_gunicorn.py,
bench/sqlite_locking.py):

- A transaction that has read and then writes must upgrade its read lock; SQLite then
  answers "database is locked" at once, without waiting (the busy timeout does not
  apply: waiting could deadlock). Two organisers placing meetings at once got a 500 in
  7 of 8 rounds; a loop like the solver's heartbeat (read, wait 0.5 s, write) failed
  9 times in 5 s beside two writers.
- ``BEGIN IMMEDIATE`` at the first SELECT instead holds the write lock for every
  transaction, reads included, as long as it lives: beside that heartbeat loop, the
  writers managed 2 writes in 5 s.

So BEGIN is sent when the transaction first writes (or opens a savepoint), as
``BEGIN IMMEDIATE``: the write lock is taken up front, the busy timeout applies, and a
writer waits its turn (no failures, ~20-30 ms median, as with the driver's own
control). Reads before the first write each see the latest committed data, as with
PostgreSQL's default READ COMMITTED; from the first write on the transaction is the
only writer, so what it reads and writes is serializable, and savepoints inside it are
real.
"""

from __future__ import annotations

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

#: How long a SQLite connection waits for another one's write lock before it gives up
#: with "database is locked" (milliseconds). Writes are short (a request, a solver
#: heartbeat); saving a large schedule may take a few seconds.
BUSY_TIMEOUT_MS = 15_000

#: Statements that only read: they run without starting the transaction.
_READS = ("SELECT", "PRAGMA", "EXPLAIN")


def init_database(app: Flask) -> None:
    """Configure every engine of ``app`` (call after ``db.init_app``), and end each
    request's session so that a connection lost at the very end does not turn a made
    answer into a 500 (``_end_session``)."""
    from .extensions import db

    with app.app_context():
        for engine in db.engines.values():
            configure_engine(engine)

    # Registered after Flask-SQLAlchemy's own teardown, so it runs first (Flask runs
    # them in reverse): that one then finds the session already ended.
    @app.teardown_appcontext
    def _end_session(_error) -> None:
        """The session's transaction ends with a ROLLBACK after the answer is made.  If
        the database server went away in between (a restart), that ROLLBACK fails, and
        the error escaped the error handlers as a 500 for a request that had succeeded
        (tests/app/test_faults.py).  The server ended the transaction with the
        connection, so nothing is left to undo: the session is dropped and the failed
        connection is not reused."""
        try:
            db.session.remove()
        except DBAPIError:
            app.logger.warning("the database connection was lost at the end of a request")
            db.session.registry.clear()


def configure_engine(engine: Engine) -> None:
    """Real transactions and savepoints on a SQLite engine; other engines are left as
    they are (PostgreSQL's driver sends BEGIN itself)."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        # The driver sends no BEGIN or COMMIT of its own any more; _begin_on_write does.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "before_cursor_execute")
    def _begin_on_write(_conn, cursor, statement, _parameters, _context, _executemany):
        dbapi_connection = cursor.connection
        if not dbapi_connection.in_transaction and _writes(statement):
            # SQLAlchemy's commit() and rollback() end it (the driver ends what is open).
            dbapi_connection.execute("BEGIN IMMEDIATE")


def _writes(statement: str) -> bool:
    """Anything but a plain read: INSERT, UPDATE, DELETE, SAVEPOINT, DDL, WITH..."""
    return not statement.lstrip()[:7].upper().startswith(_READS)


def take_write_lock(session) -> None:
    """Make the session's transaction the database's only writer from now on, before it
    reads what it checks (check, then write: "one place left"). On SQLite that is the
    database's write lock, taken at once (other writers wait for the commit); elsewhere
    nothing: PostgreSQL locks the rows the check reads (``SELECT ... FOR UPDATE``)."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return
    dbapi_connection = connection.connection.dbapi_connection
    if not dbapi_connection.in_transaction:
        dbapi_connection.execute("BEGIN IMMEDIATE")


def managed_by_models(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic's ``include_object``: what the models describe, so autogenerate and the
    models-vs-migrations test leave alone the full-text index the databases keep themselves
    (SQLite's FTS5 tables and their shadow tables, PostgreSQL's generated ``search_vector``
    columns and their GIN indexes; migration 0008)."""
    if type_ == "table" and reflected and compare_to is None:
        return not (name.endswith("_fts") or "_fts_" in name)
    if type_ in ("column", "index") and reflected and compare_to is None:
        return "search_vector" not in (name or "")
    return True
