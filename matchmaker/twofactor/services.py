"""Two-factor log-in: a secret shared with an authenticator app (RFC 6238, pyotp) and ten
single-use recovery codes, stored as SHA-256 hashes (they are random: no slow hash is
needed). Once on, every log-in asks for a code after the password.
"""

from __future__ import annotations

import hashlib
import secrets

import pyotp
import segno
from markupsafe import Markup

from ..dbtypes import utcnow
from ..errors import Conflict, Invalid
from ..extensions import db

ISSUER = "Matchmaker"
RECOVERY_CODES = 10


def _hash(code: str) -> str:
    return hashlib.sha256(code.strip().lower().replace("-", "").encode()).hexdigest()


def new_secret(user) -> str:
    """A fresh secret, kept on the account but not in force until a code confirms it."""
    if user.totp_enabled_at:
        raise Conflict("Two-factor log-in is on already.")
    user.totp_secret = pyotp.random_base32()
    db.session.flush()
    return user.totp_secret


def provisioning_uri(user) -> str:
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_svg(user) -> Markup:
    """The secret as a QR code for the app to scan (inline SVG: no script, no style)."""
    svg = segno.make(provisioning_uri(user), error="m").svg_inline(scale=4, light="#fff")
    return Markup(svg)


def _code_ok(user, code: str) -> bool:
    code = "".join((code or "").split())
    return (
        bool(user.totp_secret)
        and code.isdigit()
        and pyotp.TOTP(user.totp_secret).verify(code, valid_window=1)
    )


def enable(user, code: str) -> list[str]:
    """Turn two-factor on once ``code`` proves the app holds the secret; the recovery
    codes (shown once)."""
    if user.totp_enabled_at:
        raise Conflict("Two-factor log-in is on already.")
    if not _code_ok(user, code):
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
    if _code_ok(user, code):
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
    db.session.flush()
