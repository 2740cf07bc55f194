"""Shared fixtures: the app on a real database, rolled back after every test.

The database is a SQLite file in a temporary folder, or PostgreSQL when
``TEST_DATABASE_URL`` is set (``make test`` runs the suite on both). The schema is
made by the Alembic migrations, exactly as in production.
"""

from __future__ import annotations

import contextvars
import itertools
import os
import socket
from datetime import UTC, date, datetime, time

import pytest
from flask.testing import FlaskClient
from flask_migrate import upgrade
from flask_sqlalchemy.session import _app_ctx_id
from sqlalchemy import text
from sqlalchemy.orm import scoped_session, sessionmaker

from matchmaker import create_app
from matchmaker.calendar import cache as calendar_cache
from matchmaker.extensions import db as _db
from matchmaker.participants import directory, recommend

PASSWORD = "correct-horse-battery"
_counter = itertools.count(1)


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url.replace("postgresql://", "postgresql+psycopg://", 1)
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


def _reset_schema(app) -> None:
    """Start from an empty database, then migrate it to head."""
    with app.app_context():
        engine = _db.engine
        if engine.dialect.name == "postgresql":
            with engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade()


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": _database_url(tmp_path_factory),
            "WTF_CSRF_ENABLED": False,
            "HUEY_IMMEDIATE": True,
            "BASE_URL": "http://matchmaker.test",
            "SERVER_NAME": None,
            # Production hashes with scrypt (see test_accounts); a cheap scheme here
            # keeps factories fast.
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        }
    )
    # The app's own engine set-up (matchmaker/database.py) makes SAVEPOINT real on
    # SQLite: the tests run on the engine the app ships.
    _reset_schema(app)
    yield app
    with app.app_context():
        _db.engine.dispose()  # psycopg warns about connections left open at exit


@pytest.fixture
def db(app):
    """The database session, inside a transaction rolled back after the test.

    Routes' commits only release savepoints, so every test starts from empty tables.
    """
    with app.app_context():
        connection = _db.engine.connect()
        transaction = connection.begin()
        # A plain Session: Flask-SQLAlchemy's own would pick the engine, not this connection.
        session = scoped_session(
            sessionmaker(bind=connection, join_transaction_mode="create_savepoint"),
            scopefunc=_app_ctx_id,
        )
        original, _db.session = _db.session, session
        try:
            yield session
        finally:
            session.remove()
            _db.session = original
            # Rolled back, the data versions repeat; so must nothing cached from them.
            calendar_cache.clear()
            recommend.clear_cache()
            directory.clear_cache()
            transaction.rollback()
            connection.close()


class IsolatedClient(FlaskClient):
    """Each request runs in a fresh context, with its own app context and session.

    Without this, requests reuse the test's app context (and its ``g``), which hides
    bugs a real server would show: a user cached in ``g``, a session's identity map.
    """

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def client(app, db):
    app.test_client_class = IsolatedClient
    return app.test_client()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (for servers a test starts)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def htmx_headers(**extra) -> dict:
    return {"HX-Request": "true", **extra}


# --- factories -------------------------------------------------------------------------


@pytest.fixture
def make_user(db):
    from matchmaker.accounts.models import User

    def make(role: str = "participant", **overrides) -> User:
        n = next(_counter)
        # An account of the past: its address is proven (as the 0006 migration counts them).
        overrides.setdefault("email_confirmed_at", datetime.now(UTC))
        user = User(
            name=overrides.pop("name", f"User {n}"),
            email=overrides.pop("email", f"user{n}@example.test"),
            role=role,
            **overrides,
        )
        user.set_password(PASSWORD)
        db.add(user)
        db.flush()
        return user

    return make


@pytest.fixture
def make_event(db, make_user):
    """An event with two sessions (Tue 09:00–12:30, 14:00–17:00, 20+5 min) and tables."""
    from matchmaker.events import services

    def make(organiser=None, sessions=True, tables: int = 10, status: str = "open", **overrides):
        n = next(_counter)
        organiser = organiser or make_user("organiser")
        fields = {
            "name": f"Event {n}",
            "slug": f"event-{n}",
            "timezone": "Africa/Johannesburg",
            "venue": "Richards Bay",
            "description": "",
            "requires_approval": True,
        }
        fields.update(overrides)
        event = services.create_event(organiser, **fields)
        if sessions:
            for start, end in ((time(9), time(12, 30)), (time(14), time(17))):
                services.add_session(
                    event,
                    day=date(2027, 3, 9),
                    start_time=start,
                    end_time=end,
                    slot_minutes=20,
                    pause_minutes=5,
                )
        if tables:
            services.add_tables(event, tables)
        if status != "draft":
            services.set_status(event, "open")
            if status != "open":
                event.status = status
        db.flush()
        return event

    return make


@pytest.fixture
def make_participant(db, make_user):
    from matchmaker.participants.models import Organisation, Participant

    def make(event, user=None, status: str = "approved", organisation=None, **overrides):
        user = user if user is not None else make_user("participant")
        organisation = organisation or Organisation(name=f"Org of {user.name}", country="FI")
        participant = Participant(
            event=event,
            user=user,
            organisation=organisation,
            status=status,
            name=overrides.pop("name", user.name),
            email=user.email,
            **overrides,
        )
        db.add(participant)
        db.flush()
        return participant

    return make


class Auth:
    """Log a test client in and out as a given user."""

    def __init__(self, client):
        self.client = client

    def login(self, user, password: str = PASSWORD):
        response = self.client.post("/login", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return response

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client):
    return Auth(client)
