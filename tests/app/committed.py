"""An app of its own on a fresh database, for tests that check what is really committed.

The `db` fixture of tests/conftest.py wraps every test in a transaction that is rolled
back, so there a route's commit only releases a savepoint, and a test reading through
the same session sees what was flushed, committed or not. Tests about atomicity need
the opposite: the app exactly as `create_app()` builds it (its engine set-up included,
see matchmaker/database.py) on a database nobody else writes to, and a SEPARATE engine
to read what was committed for real.

- (`tests.gunicorn_server.fresh_database(tmp_path, name)` makes the database: a new
  SQLite file, or a new `<db>_<name>` PostgreSQL database next to TEST_DATABASE_URL.)
- `own_app(url, tmp_path)`: `create_app()` on that database, migrated with Alembic; the shared
  Huey instance and the process-wide caches are given back as they were afterwards.
- `committed_engine(url)`: a plain SQLAlchemy engine (no app, no pool) for reading.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool

from tests.gunicorn_server import _psycopg

REPO = Path(__file__).resolve().parents[2]


def committed_engine(url: str) -> Engine:
    """Reads what other connections committed: its own connection for every use."""
    return create_engine(_psycopg(url), poolclass=NullPool)


@contextmanager
def own_app(url: str, tmp_path: Path, **config) -> Iterator[Flask]:
    from flask_migrate import upgrade

    from matchmaker import create_app
    from matchmaker.calendar import cache as calendar_cache
    from matchmaker.extensions import db, huey, solver_huey
    from matchmaker.participants import directory, recommend

    # create_app() points the Huey instances at the app it builds; the session-wide
    # test app must get them back.
    def clear_caches():  # keyed by ids and data versions that repeat across databases
        calendar_cache.clear()
        recommend.clear_cache()
        directory.clear_cache()

    clear_caches()
    # Both queues: the solver's too (a run started later in the suite ran in this app,
    # on its database, and stayed "queued" in the test's).
    saved = {
        (queue, name): getattr(queue, name)
        for queue in (huey, solver_huey)
        for name in ("storage_class", "storage_kwargs", "_immediate", "storage", "flask_app")
        if hasattr(queue, name)
    }
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "committed-secret",
            "SQLALCHEMY_DATABASE_URI": _psycopg(url),
            "WTF_CSRF_ENABLED": False,
            "HUEY_IMMEDIATE": True,
            "HUEY_SQLITE_PATH": str(tmp_path / "huey.db"),
            "BASE_URL": "http://matchmaker.test",
            "SERVER_NAME": None,
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            **config,
        }
    )
    try:
        with app.app_context():
            upgrade(directory=str(REPO / "migrations"))
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        for (queue, name), value in saved.items():
            setattr(queue, name, value)
        clear_caches()
