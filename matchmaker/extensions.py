"""Extensions, created unbound and initialised in ``create_app``."""

from __future__ import annotations

from flask import Flask
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from htmx_flask import Htmx
from huey import Huey, RedisHuey, SqliteHuey
from huey.storage import MemoryStorage
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
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
htmx = Htmx()

# Tasks register on this instance at import time; its storage is chosen in
# ``init_huey`` from the app configuration (SQLite file, Redis, or memory in
# immediate mode for unit tests).
huey = Huey("matchmaker", immediate=True, storage_class=MemoryStorage)


def init_huey(app: Flask) -> None:
    """Point the shared Huey instance at the storage the configuration names."""
    immediate = bool(app.config.get("HUEY_IMMEDIATE"))
    if app.config.get("REDIS_URL") and not immediate:
        huey.storage_class = RedisHuey.storage_class
        huey.storage_kwargs = {"url": app.config["REDIS_URL"]}
    else:
        huey.storage_class = SqliteHuey.storage_class
        huey.storage_kwargs = {"filename": app.config["HUEY_SQLITE_PATH"]}
    huey._immediate = immediate
    huey.storage = huey.create_storage()
    huey.flask_app = app


def app_task(**task_options):
    """A Huey task that runs inside an app context with its own database session."""
    from functools import wraps

    def decorator(func):
        @wraps(func)
        def run_in_app(*args, **kwargs):
            with huey.flask_app.app_context():
                try:
                    return func(*args, **kwargs)
                finally:
                    db.session.remove()

        return huey.task(**task_options)(run_in_app)

    return decorator
