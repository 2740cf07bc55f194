"""What each address chose to receive, and the signed links that manage it without a
log-in (the link at the foot of every optional mail, and its one-click unsubscribe)."""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from ..errors import Invalid
from ..extensions import db
from ..web import absolute_url
from .models import OPTIONAL_CATEGORIES, MailPreference

PREFERENCES_SALT = "matchmaker.mail-preferences"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=PREFERENCES_SALT)


def normalise(email: str) -> str:
    return (email or "").strip().lower()


def preferences_token(email: str) -> str:
    # No expiry: an unsubscribe link must work in a mail read months later.
    return _serializer().dumps(normalise(email))


def email_from_token(token: str) -> str:
    try:
        email = _serializer().loads(token)
    except BadSignature:
        raise Invalid("This link is not valid. Check that it is complete.") from None
    if not isinstance(email, str) or "@" not in email:
        raise Invalid("This link is not valid. Check that it is complete.")
    return email


def preferences_url(email: str, category: str | None = None) -> str:
    values = {"token": preferences_token(email)}
    if category:
        values["c"] = category
    return absolute_url("mailings.unsubscribe", **values)


def preference_for(email: str) -> MailPreference:
    """The address's row (a new, unsaved one with everything on when it has none)."""
    row = db.session.get(MailPreference, normalise(email))
    return row or MailPreference(email=normalise(email), announcements=True, reminders=True)


def wants(email: str, category: str) -> bool:
    """Whether ``email`` receives mail of ``category`` (required mail: always)."""
    if category not in OPTIONAL_CATEGORIES:
        return True
    row = db.session.get(MailPreference, normalise(email))
    return row is None or bool(getattr(row, category))


def opted_out(emails: list[str], category: str) -> set[str]:
    """The addresses among ``emails`` that turned ``category`` off."""
    if category not in OPTIONAL_CATEGORIES or not emails:
        return set()
    column = getattr(MailPreference, category)
    found: set[str] = set()
    wanted = sorted({normalise(e) for e in emails})
    for start in range(0, len(wanted), 500):
        found.update(
            db.session.scalars(
                select(MailPreference.email).where(
                    MailPreference.email.in_(wanted[start : start + 500]), column.is_(False)
                )
            )
        )
    return found


def set_preferences(email: str, **choices: bool) -> MailPreference:
    """Save what ``email`` receives (only the optional categories can be turned off)."""
    row = preference_for(email)
    for category, value in choices.items():
        if category not in OPTIONAL_CATEGORIES:
            raise Invalid(f"Unknown kind of mail: {category}")
        setattr(row, category, bool(value))
    db.session.add(row)
    db.session.flush()
    return row
