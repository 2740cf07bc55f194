"""Signing up: neutral answers, proven addresses, and who may organise.

- Sign-up answers the same whether or not the address has an account: the owner of an
  existing account is told by e-mail instead (no "exists already" for anyone to probe).
- A new account's address is unproven until its owner opens the confirmation link. Only
  a proven address links the account to places organisers made for it
  (``participants.invitations.link_proven_address``).
- Organiser accounts are open to anyone, or approved by a site admin
  (``ORGANISER_SIGNUP``: "open" or "approval").
"""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from .. import ratelimit
from ..dbtypes import utcnow
from ..errors import Conflict, Invalid, TooManyAttempts
from ..extensions import db
from ..web import absolute_url
from .models import User, user_by_email
from .services import SELF_SERVICE_ROLES, check_password_rules, register_user

CONFIRM_SALT = "matchmaker.email-confirmation"
CONFIRM_MAX_AGE = 7 * 24 * 3600
#: Mails about one address that anyone can trigger (a sign-up with it, a re-send): at most
#: this many in the window, so nobody can flood a stranger's inbox through us.
MAILS_PER_ADDRESS = (3, 3600)


def _mail(to: str, subject: str, body: str) -> None:
    """Through the outbox (text and HTML; sent by the worker after commit; without
    MAIL_SERVER logged and shown on the outbox page). Required mail: no opting out."""
    from ..mailings.outbox import queue_mail

    queue_mail(to, subject, body)


def _mail_allowed(kind: str, email: str) -> bool:
    limit, window = MAILS_PER_ADDRESS
    return ratelimit.hit(f"mail:{kind}:{email}", limit, window).allowed


def organiser_signup() -> str:
    return current_app.config.get("ORGANISER_SIGNUP", "open")


def sign_up(name: str, email: str, password: str, role: str = "participant") -> User | None:
    """Create an account with an unproven address and mail the confirmation link.

    When the address has an account already, nothing is created: its owner is e-mailed
    and None is returned. The caller answers the same in both cases.
    """
    email = email.strip().lower()
    if role not in SELF_SERVICE_ROLES:
        raise Invalid(f"Unknown role {role!r}.", "role")
    if not name.strip():
        raise Invalid("Enter your name.", "name")
    check_password_rules(password)
    existing = user_by_email(email)
    if existing is not None:
        # As slow as making an account (the hash is the slow part): the time tells nothing.
        generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])
        if _mail_allowed("signup-attempt", email):
            _mail_existing_owner(existing)
        return None
    _mail_allowed("confirmation", email)  # counts towards the re-sends (commits: first)
    asks_to_organise = role == "organiser" and organiser_signup() == "approval"
    user = register_user(name, email, password, "participant" if asks_to_organise else role)
    if asks_to_organise:
        request_organiser_role(user)
    send_confirmation(user)
    return user


def _mail_existing_owner(user: User) -> None:
    body = (
        f"Hello {user.name},\n\n"
        f"Someone tried to create a Matchmaker account with your address ({user.email}).\n"
        "You have an account already. If it was you, log in:\n"
        f"{absolute_url('accounts.login')}\n"
        "or, if you forgot your password, choose a new one:\n"
        f"{absolute_url('accounts.forgot_password')}\n\n"
        "If it was not you, ignore this message: nothing has changed.\n"
    )
    _mail(user.email, "Someone tried to sign up with your address", body)


# --- proving the address -------------------------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=CONFIRM_SALT)


def confirmation_link(user: User) -> str:
    token = _serializer().dumps({"u": user.id, "e": user.email})
    return absolute_url("accounts.confirm_email", token=token)


def send_confirmation(user: User) -> None:
    body = (
        f"Hello {user.name},\n\n"
        "Please confirm that this is your e-mail address, so that organisers' invitations "
        "and your places at events reach your account:\n"
        f"{confirmation_link(user)}\n\n"
        "The link works for 7 days. If you did not sign up for Matchmaker, ignore this "
        "message and do not open the link.\n"
    )
    _mail(user.email, "Confirm your e-mail address for Matchmaker", body)


def resend_confirmation(user: User) -> None:
    if user.email_confirmed_at is not None:
        raise Conflict("Your address is confirmed already.")
    if not _mail_allowed("confirmation", user.email):
        raise TooManyAttempts(
            "We have sent several links in the last hour. Check your spam folder, "
            "or try again later."
        )
    send_confirmation(user)


def user_from_confirmation_token(token: str) -> User:
    """The account a confirmation link is for; ``Invalid`` if forged, expired or void."""
    try:
        data = _serializer().loads(token, max_age=CONFIRM_MAX_AGE)
    except SignatureExpired:
        raise Invalid("This confirmation link has expired. Log in to get a new one.") from None
    except BadSignature:
        raise Invalid("This confirmation link is not valid. Check that it is complete.") from None
    user = db.session.get(User, data.get("u")) if isinstance(data, dict) else None
    if user is None or user.email != data.get("e"):
        raise Invalid("This confirmation link is no longer valid.")
    return user


def confirm_email(user: User) -> list:
    """Mark ``user``'s address proven (once) and link the places organisers made for it.
    Returns the participant records linked now."""
    if user.email_confirmed_at is not None:
        return []
    user.email_confirmed_at = utcnow()
    from ..participants.invitations import link_proven_address

    return link_proven_address(user)


# --- who may organise ---------------------------------------------------------------------


def request_organiser_role(user: User) -> None:
    user.organiser_requested_at = utcnow()
    db.session.flush()
    from ..notifications.services import notify

    for admin in db.session.scalars(select(User).where(User.role == "admin")):
        notify(
            admin,
            f"{user.name} ({user.email}) asks to organise events.",
            kind="organiser-request",
            link="/admin/organisers",
        )


def ask_to_organise(user: User) -> bool:
    """A participant account asks to organise events; True when granted at once
    (``ORGANISER_SIGNUP`` "open"), False when it waits for a site admin."""
    if user.role != "participant":
        raise Conflict("You can organise events already.")
    if user.organiser_requested_at is not None:
        raise Conflict("Your request to organise events is waiting for a site admin.")
    if organiser_signup() == "open":
        user.role = "organiser"
        db.session.flush()
        return True
    request_organiser_role(user)
    return False


def organiser_requests() -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .where(User.organiser_requested_at.is_not(None), User.role == "participant")
            .order_by(User.organiser_requested_at, User.id)
        )
    )


def decide_organiser_request(user: User, approve: bool) -> None:
    """A site admin's answer; the person is told in the app (and by mail if configured)."""
    if user.organiser_requested_at is None or user.role != "participant":
        raise Conflict(f"{user.email} has no open request to organise events.")
    user.organiser_requested_at = None
    if approve:
        user.role = "organiser"
    db.session.flush()
    from ..notifications.services import notify

    notify(
        user,
        "You can now organise events."
        if approve
        else "Your request to organise events was not approved.",
        kind="organiser-request",
        link="/organiser" if approve else "",
    )
