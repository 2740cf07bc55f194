"""Extensions, created unbound and initialised in ``create_app``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from flask import Flask
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from htmx_flask import Htmx
from huey import Huey, RedisHuey, SqliteHuey
from huey.storage import MemoryStorage
from redis import ConnectionPool
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names, so Alembic can diff and drop them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)

if TYPE_CHECKING:
    # A type checker cannot take a class held in an attribute (``db.Model``) as a base
    # (mypy #8603): to it, the models derive from the base ``db.Model`` is made from.
    Model = Base
else:
    Model = db.Model
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
htmx = Htmx()

# Tasks register on these instances at import time; their storage is chosen in
# ``init_huey`` from the app configuration (SQLite file, Redis, or memory in
# immediate mode for unit tests). Solver runs have a queue and a worker pool of their
# own: a run takes minutes, and the e-mails of ``huey`` (reset links among them) must
# never wait behind one.
huey = Huey("matchmaker", immediate=True, storage_class=MemoryStorage)
solver_huey = Huey("matchmaker-solver", immediate=True, storage_class=MemoryStorage)


def _solver_sqlite_path(app: Flask) -> str:
    """The solver queue's SQLite file: configured, or beside the jobs' one."""
    if app.config.get("HUEY_SOLVER_SQLITE_PATH"):
        return app.config["HUEY_SOLVER_SQLITE_PATH"]
    path = Path(app.config["HUEY_SQLITE_PATH"])
    return str(path.with_name(f"{path.stem}-solver{path.suffix or '.db'}"))


def init_huey(app: Flask) -> None:
    """Point the shared Huey instances at the storage the configuration names.

    With Redis both queues live in one server under their own names; without it each
    has its own SQLite file, so a busy solver queue never locks the mail queue's file.
    """
    immediate = bool(app.config.get("HUEY_IMMEDIATE"))
    files = {huey: app.config["HUEY_SQLITE_PATH"], solver_huey: _solver_sqlite_path(app)}
    for instance, filename in files.items():
        if app.config.get("REDIS_URL") and not immediate:
            instance.storage_class = RedisHuey.storage_class
            # A Redis that does not answer fails the enqueue within seconds (a 503 page
            # says jobs are unavailable) rather than holding a web worker for minutes.
            pool = ConnectionPool.from_url(app.config["REDIS_URL"], socket_connect_timeout=5)
            instance.storage_kwargs = {"connection_pool": pool}
        else:
            instance.storage_class = SqliteHuey.storage_class
            instance.storage_kwargs = {"filename": filename}
        instance._immediate = immediate
        instance.storage = instance.create_storage()
        instance.flask_app = app


def app_task(*, queue: Huey | None = None, **task_options):
    """A Huey task (on ``queue``, by default ``huey``) that runs inside an app context
    with its own database session."""
    from functools import wraps

    instance = queue or huey

    def decorator(func):
        @wraps(func)
        def run_in_app(*args, **kwargs):
            with instance.flask_app.app_context():
                try:
                    return func(*args, **kwargs)
                finally:
                    db.session.remove()

        return instance.task(**task_options)(run_in_app)

    return decorator
