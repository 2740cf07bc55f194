"""Users and their roles."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, select
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from ..dbtypes import UTCDateTime, utcnow
from ..extensions import Model, db
from .hashing import hash_slot

ROLES = ("admin", "organiser", "participant")


class User(UserMixin, Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('admin', 'organiser', 'participant')", name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default="participant")
    # Bumped on password change: invalidates other sessions and used reset links.
    auth_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Wrong passwords in a row, and until when logging in is refused after too many.
    failed_logins: Mapped[int] = mapped_column(default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the person proved they read mail at this address (confirmation or claim link).
    # Participant records are linked to an account only through a proven address.
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Asked to organise events where a site admin approves organisers (ORGANISER_SIGNUP).
    organiser_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Two-factor log-in (``accounts.twofactor``): the TOTP secret, when it was turned on,
    # and the hashes of the recovery codes not used yet.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The time-step (unix time // 30) of the last code accepted: a code is used once.
    totp_last_step: Mapped[int | None] = mapped_column()
    recovery_codes: Mapped[list | None] = mapped_column(JSON)

    def set_password(self, password: str) -> None:
        # scrypt (memory-hard) unless the configuration says otherwise: the test
        # suite uses a cheap scheme so that thousands of factory users stay fast.
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
        with hash_slot():
            self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        with hash_slot():  # a login burst must not take every core (accounts/hashing.py)
            return check_password_hash(self.password_hash, password)

    def has_role(self, *roles: str) -> bool:
        return self.role == "admin" or self.role in roles

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def get_id(self) -> str:
        return f"{self.id}.{self.auth_version}"

    def __repr__(self) -> str:
        return f"<User {self.email}>"


def parse_user_id(user_id: str) -> tuple[int, int] | None:
    """The (user id, auth version) a session's ``"<id>.<version>"`` names, or None: the
    id carries the auth version, so a password change ends the older sessions."""
    try:
        ident, version = (int(part) for part in user_id.split("."))
    except ValueError:
        return None
    return ident, version


def user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


class UserSession(Model):
    """A logged-in browser. The session cookie holds a random id whose SHA-256 is the key:
    logging out deletes the row, so a copied cookie is dead from then on."""

    __tablename__ = "user_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_agent: Mapped[str] = mapped_column(String(200), default="", server_default="")


class AttemptCounter(Model):
    """Attempts at something rate-limited (log-in by address, by IP...) in a time window.
    Incremented in one SQL statement, so parallel requests cannot overwrite each other."""

    __tablename__ = "attempt_counters"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime)
    hits: Mapped[int] = mapped_column(default=0, server_default="0")
