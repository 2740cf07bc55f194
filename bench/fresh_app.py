"""The app on a fresh, migrated database for a bench script.

``BENCH_DATABASE_URL`` names a PostgreSQL database (its public schema is emptied first);
without it a SQLite file in a temporary folder. Jobs run at once (Huey immediate mode).
"""

from __future__ import annotations

import os
import pathlib
import tempfile

from sqlalchemy import text

MIGRATIONS = pathlib.Path(__file__).resolve().parent.parent / "migrations"


def fresh_app():
    """``(app, url)``: ``create_app()`` on an empty database migrated to head."""
    tmp = tempfile.mkdtemp()
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp}/bench.db"
    url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    os.environ["DATABASE_URL"] = url

    from flask_migrate import upgrade

    from matchmaker import create_app
    from matchmaker.extensions import db

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "WTF_CSRF_ENABLED": False,
            "HUEY_IMMEDIATE": True,
            "HUEY_SQLITE_PATH": f"{tmp}/huey.db",
        }
    )
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade(directory=str(MIGRATIONS))
    return app, url
