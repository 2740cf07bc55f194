"""Server-side sessions: a log-in lives as long as its ``UserSession`` row.

The signed session cookie alone cannot be revoked: a copy of it stays good for its whole
lifetime, logged out or not. So logging in also puts a random token in the cookie and
stores its SHA-256 as a row; every request with a user checks the row exists. Logging
out deletes it (a replayed cookie is anonymous from then on), "log out everywhere"
deletes all of the user's rows, and a password change deletes them too.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import Flask, current_app, g, request, session
from flask_login import current_user
from sqlalchemy import delete, func, select, update

from ..dbtypes import utcnow
from ..extensions import db
from . import models
from .models import User, UserSession

SESSION_KEY = "_sid"
#: ``last_seen_at`` is written at most this often: not one write per request.
TOUCH_EVERY = timedelta(minutes=5)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _lifetime() -> timedelta:
    return current_app.permanent_session_lifetime


def begin(user: User) -> UserSession:
    """Record a new session for ``user`` and put its token in the cookie (flushes).

    Also drops the user's sessions that have not been seen for a whole cookie lifetime."""
    token = secrets.token_urlsafe(32)
    session[SESSION_KEY] = token
    db.session.execute(
        delete(UserSession).where(
            UserSession.user_id == user.id, UserSession.last_seen_at < utcnow() - _lifetime()
        )
    )
    row = UserSession(
        id=_digest(token), user_id=user.id, user_agent=request.user_agent.string[:200]
    )
    db.session.add(row)
    db.session.flush()
    return row


def end_current() -> None:
    """Delete this browser's session row (log-out)."""
    token = session.get(SESSION_KEY)
    if token:
        db.session.execute(delete(UserSession).where(UserSession.id == _digest(token)))


def end_all(user: User) -> None:
    """Delete every session row of ``user``: all their browsers are logged out."""
    db.session.execute(delete(UserSession).where(UserSession.user_id == user.id))


def purge() -> int:
    """Delete every session unseen for longer than the cookie lives (flushes)."""
    cutoff = utcnow() - _lifetime()
    purged = db.session.execute(delete(UserSession).where(UserSession.last_seen_at < cutoff))
    return purged.rowcount  # type: ignore[attr-defined]  # DML gives a CursorResult


def count(user: User) -> int:
    return (
        db.session.scalar(
            select(func.count()).select_from(UserSession).where(UserSession.user_id == user.id)
        )
        or 0
    )


def load_user(user_id: str) -> User | None:
    """Flask-Login's loader: the user of the cookie, if its session row still exists.

    One query for both (every request with a log-in runs it): the user, of the auth
    version the cookie names (``models.parse_user_id``), joined to this browser's row."""
    token = session.get(SESSION_KEY)
    ident = models.parse_user_id(user_id)
    if ident is None or not token:
        return None
    found = db.session.execute(
        select(User, UserSession.last_seen_at)
        .join(UserSession, UserSession.user_id == User.id)
        .where(User.id == ident[0], User.auth_version == ident[1], UserSession.id == _digest(token))
    ).first()
    now = utcnow()
    if found is None or found.last_seen_at < now - _lifetime():
        return None
    if now - found.last_seen_at > TOUCH_EVERY:
        g.touch_session = _digest(token)
    return found.User


def init_sessions(app: Flask) -> None:
    @app.before_request
    def load_user_first():
        """Resolve the user before the view runs, so that the rare ``last_seen_at`` write
        is committed on its own, before the view has changed anything."""
        if request.endpoint is None or request.endpoint == "static":
            return
        if not current_user.is_authenticated:
            return
        touch = g.pop("touch_session", None)
        if touch:
            db.session.execute(
                update(UserSession).where(UserSession.id == touch).values(last_seen_at=utcnow())
            )
            db.session.commit()
