"""Registering, authenticating and resetting passwords."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from .. import ratelimit
from ..dbtypes import utcnow
from ..errors import Conflict, Invalid
from ..extensions import db
from ..web import absolute_url
from . import sessions
from .hashing import hash_slot
from .models import ROLES, User, user_by_email

MIN_PASSWORD, MAX_PASSWORD = 8, 128
RESET_SALT = "matchmaker.password-reset"
# Site admins are made on the command line (``flask users create --role admin``).
SELF_SERVICE_ROLES = ("participant", "organiser")


@cache
def common_passwords() -> frozenset[str]:
    path = Path(__file__).with_name("common_passwords.txt")
    lines = path.read_text().splitlines()
    return frozenset(line.strip() for line in lines if line and not line.startswith("#"))


def check_password_rules(password: str, field: str = "password") -> None:
    """Raise ``Invalid`` at ``field`` when the password is too short, long or common."""
    if len(password) < MIN_PASSWORD:
        raise Invalid(f"Use at least {MIN_PASSWORD} characters.", field)
    if len(password) > MAX_PASSWORD:
        raise Invalid(f"Use at most {MAX_PASSWORD} characters.", field)
    if password.lower() in common_passwords():
        raise Invalid("This password is too common; choose another.", field)


def register_user(
    name: str, email: str, password: str, role: str = "participant", *, allow_admin: bool = False
) -> User:
    """Create an account. E-mail addresses are unique, case-insensitively."""
    email = email.strip().lower()
    if role not in (ROLES if allow_admin else SELF_SERVICE_ROLES):
        raise Invalid(f"Unknown role {role!r}.", "role")
    if not name.strip():
        raise Invalid("Enter your name.", "name")
    check_password_rules(password)
    if user_by_email(email) is not None:
        raise Conflict(
            "An account with this e-mail address exists already. Log in instead.", "email"
        )
    user = User(name=name.strip(), email=email, role=role)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


#: Log-in attempts allowed per e-mail address and per client IP in a window (seconds).
#: Every attempt counts, before the password is checked, whether or not an account has
#: the address: parallel guesses get no further, and a 429 tells nothing about accounts.
#: The window is short, so a stranger can keep nobody out for long; a successful log-in
#: or a password reset starts the address afresh, and an IP gets its successful log-ins
#: back (a venue's Wi-Fi is one IP for everyone at the event).
LOGIN_LIMIT_PER_ADDRESS = (10, 10 * 60)
LOGIN_LIMIT_PER_IP = (50, 10 * 60)


#: Sign-ups and password-reset requests (each may send a mail) per IP and per address.
SIGNUP_LIMIT_PER_IP = (20, 60 * 60)
MAIL_LIMIT_PER_ADDRESS = (5, 60 * 60)
RESET_LIMIT_PER_IP = (20, 60 * 60)


def _limit(setting: str, default: tuple[int, int]) -> tuple[int, int]:
    """``(attempts, window in seconds)``: the configuration's, or the default."""
    return current_app.config.get(setting, default)


def _address_key(email: str) -> str:
    return "login:email:" + email.strip().lower()


def _ip_key(ip: str) -> str:
    return "login:ip:" + ip


def count_login_attempt(email: str, ip: str | None) -> None:
    """Count one log-in attempt (committed at once); ``TooManyAttempts`` over a limit."""
    if ip:
        message = "Too many log-in attempts from your network. Try again in {wait}."
        ratelimit.check(
            _ip_key(ip), *_limit("LOGIN_LIMIT_PER_IP", LOGIN_LIMIT_PER_IP), message, "password"
        )
    message = (
        "Too many attempts to log in with this address. Try again in {wait}, "
        "or reset your password."
    )
    ratelimit.check(
        _address_key(email),
        *_limit("LOGIN_LIMIT_PER_ADDRESS", LOGIN_LIMIT_PER_ADDRESS),
        message,
        "password",
    )


def _count_mail_request(
    kind: str, email: str, ip: str | None, ip_limit: tuple[str, tuple], by_ip: str, by_address: str
) -> None:
    """Count one request that mails an address (committed at once): per IP, when known,
    and per address; refused (429) at the e-mail field past either limit."""
    if ip:
        ratelimit.check(f"{kind}:ip:{ip}", *_limit(*ip_limit), by_ip, "email")
    key = f"{kind}:email:" + email.strip().lower()
    ratelimit.check(
        key, *_limit("MAIL_LIMIT_PER_ADDRESS", MAIL_LIMIT_PER_ADDRESS), by_address, "email"
    )


def count_signup(email: str, ip: str | None) -> None:
    """Count one sign-up: per IP, and per address (each may mail it)."""
    _count_mail_request(
        "signup",
        email,
        ip,
        ("SIGNUP_LIMIT_PER_IP", SIGNUP_LIMIT_PER_IP),
        "Too many sign-ups from your network. Try again in {wait}.",
        "Too many sign-ups with this address. Try again in {wait}.",
    )


def count_reset_request(email: str, ip: str | None) -> None:
    """Count one request for a reset link, per IP and per address."""
    _count_mail_request(
        "reset",
        email,
        ip,
        ("RESET_LIMIT_PER_IP", RESET_LIMIT_PER_IP),
        "Too many reset requests from your network. Try again in {wait}.",
        "Too many reset links asked for this address. Try again in {wait}.",
    )


@cache
def _dummy_hash(method: str) -> str:
    return generate_password_hash("not-a-password", method=method)


def authenticate(email: str, password: str, ip: str | None = None) -> User | None:
    """The user, or None when the e-mail or password is wrong.

    The attempt is counted first (per address and per ``ip``, in one SQL statement each,
    committed): ``TooManyAttempts`` over a limit, the same for unknown addresses."""
    count_login_attempt(email, ip)
    user = user_by_email(email)
    if user is None:
        # As slow as checking a real account's password: the time tells nothing.
        with hash_slot():
            check_password_hash(
                _dummy_hash(current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")), password
            )
        return None
    if not user.check_password(password):
        return None
    ratelimit.forget(_address_key(email))
    if ip:
        ratelimit.give_back(_ip_key(ip))
    user.last_login_at = utcnow()
    return user


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=RESET_SALT)


def reset_token(user: User) -> str:
    # The auth version makes the link single-use: a password change bumps it.
    return _serializer().dumps({"u": user.id, "v": user.auth_version})


def reset_link(user: User) -> str:
    return absolute_url("accounts.reset_password", token=reset_token(user))


def reset_link_lifetime() -> str:
    """How long a reset link works, in words, from ``PASSWORD_RESET_MAX_AGE`` (seconds):
    "one hour", "2 hours", "30 minutes", "one day" - what the mail and the page promise."""
    seconds = max(int(current_app.config["PASSWORD_RESET_MAX_AGE"]), 0)
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute"), (1, "second")):
        if seconds >= size and (seconds % size == 0 or unit == "minute"):
            count = seconds // size
            return f"one {unit}" if count == 1 else f"{count} {unit}s"
    return f"{seconds} seconds"


def user_from_reset_token(token: str) -> User:
    """The user a reset link belongs to; ``Invalid`` if expired, used or forged."""
    max_age = current_app.config["PASSWORD_RESET_MAX_AGE"]
    try:
        data = _serializer().loads(token, max_age=max_age)
    except SignatureExpired:
        raise Invalid("This reset link has expired. Ask for a new one.") from None
    except BadSignature:
        raise Invalid("This reset link is not valid. Ask for a new one.") from None
    user = db.session.get(User, data.get("u"))
    if user is None or user.auth_version != data.get("v"):
        raise Invalid("This reset link has been used already. Ask for a new one.")
    return user


def change_password(user: User, password: str) -> None:
    check_password_rules(password)
    user.set_password(password)
    user.auth_version += 1  # logs out every other session, voids reset links
    ratelimit.forget(_address_key(user.email))  # whoever filled it, the owner may log in
    sessions.end_all(user)  # every browser logs in again (the caller may start a new one)


def users_by_role(role: str) -> list[User]:
    return list(db.session.scalars(select(User).where(User.role == role).order_by(User.email)))
