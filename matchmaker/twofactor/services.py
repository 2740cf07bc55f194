"""Two-factor log-in: a secret shared with an authenticator app (RFC 6238, pyotp) and ten
single-use recovery codes, stored as SHA-256 hashes (they are random: no slow hash is
needed). Once on, every log-in asks for a code after the password.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime

import pyotp
import segno
from markupsafe import Markup
from pyotp.utils import strings_equal
from sqlalchemy import or_, update
from sqlalchemy.orm.attributes import set_committed_value

from ..dbtypes import utcnow
from ..errors import Conflict, Invalid
from ..extensions import db

ISSUER = "Matchmaker"
RECOVERY_CODES = 10


def _hash(code: str) -> str:
    return hashlib.sha256(code.strip().lower().replace("-", "").encode()).hexdigest()


def pending_secret(user) -> str:
    """The secret the app is to scan, kept on the account but not in force until a code
    confirms it. Opening the page again shows the same one, so a QR code already
    scanned still works; a fresh one only when there is none."""
    if user.totp_enabled_at:
        raise Conflict("Two-factor log-in is on already.")
    if not user.totp_secret:
        user.totp_secret = pyotp.random_base32()
        db.session.flush()
    return user.totp_secret


def provisioning_uri(user) -> str:
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_svg(user) -> Markup:
    """The secret as a QR code for the app to scan (inline SVG: no script, no style)."""
    svg = segno.make(provisioning_uri(user), error="m").svg_inline(scale=4, light="#fff")
    return Markup(svg)


def _accept_code(user, code: str) -> bool:
    """Whether ``code`` is the app's code for the step before, this one or the next (a
    clock a little off, a code typed as it turned), and newer than the last code
    accepted: a code is good once (RFC 6238, 5.2). An accepted step is recorded."""
    code = "".join((code or "").split())
    if not (user.totp_secret and code.isdigit()):
        return False
    totp = pyotp.TOTP(user.totp_secret)
    now = totp.timecode(datetime.now(UTC))
    for step in (now - 1, now, now + 1):
        if strings_equal(code, totp.generate_otp(step)):
            return _record_step(user, step)
    return False


def _record_step(user, step: int) -> bool:
    """Record ``step`` as the last accepted one, unless it is not newer than the one
    recorded: one conditional UPDATE, so two requests racing with one code cannot both
    pass (PostgreSQL re-checks the condition once the first has written)."""
    from ..accounts.models import User

    newer = or_(User.totp_last_step.is_(None), User.totp_last_step < step)
    done = db.session.execute(
        update(User).where(User.id == user.id, newer).values(totp_last_step=step),
        execution_options={"synchronize_session": False},
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        return False  # used already, or older than a code used
    set_committed_value(user, "totp_last_step", step)
    return True


def enable(user, code: str) -> list[str]:
    """Turn two-factor on once ``code`` proves the app holds the secret; the recovery
    codes (shown once)."""
    if user.totp_enabled_at:
        raise Conflict("Two-factor log-in is on already.")
    if not _accept_code(user, code):
        raise Invalid("That code is not right. Type the six digits your app shows now.", "code")
    user.totp_enabled_at = utcnow()
    return new_recovery_codes(user)


def new_recovery_codes(user) -> list[str]:
    codes = [secrets.token_hex(5) for _ in range(RECOVERY_CODES)]
    user.recovery_codes = [_hash(c) for c in codes]
    db.session.flush()
    return [f"{c[:5]}-{c[5:]}" for c in codes]


def verify(user, code: str) -> bool:
    """A code from the app, or an unused recovery code (then used up)."""
    if _accept_code(user, code):
        return True
    hashed = _hash(code or "")
    left = list(user.recovery_codes or [])
    if hashed in left:
        left.remove(hashed)
        user.recovery_codes = left
        db.session.flush()
        return True
    return False


def disable(user, password: str, code: str) -> None:
    if not user.check_password(password or ""):
        raise Invalid("That is not your password.", "password")
    if not verify(user, code):
        raise Invalid("That code is not right.", "code")
    user.totp_secret, user.totp_enabled_at, user.recovery_codes = None, None, None
    user.totp_last_step = None
    db.session.flush()
