"""An event's team: invitations by signed link, roles, removal.

The owner invites an address in a role; the invitation is a signed link (as for
participants' places, ``participants.invitations``) that only the address's reader has.
Opening it while logged in as an account with that address (or after signing up or
logging in as one) adds the account to the team. Inviting an address never reveals
whether it has an account.
"""

from __future__ import annotations

import re

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import delete, func, select, update

from .. import audit
from ..dbtypes import utcnow
from ..errors import Conflict, Forbidden, Invalid
from ..events.models import FULL_ORGANISERS, Event, event_organisers
from ..extensions import db
from ..web import absolute_url
from .models import TeamInvitation

SALT = "matchmaker.team-invitation"
MAX_AGE = 14 * 24 * 3600
INVITED_ROLES = ("organiser", "desk", "viewer")
MEMBER_ROLES = ("owner", *INVITED_ROLES)
ROLE_LABELS = {
    "owner": "Owner: everything, the team too",
    "organiser": "Organiser: everything but the team",
    "desk": "Desk: check-in and attendance on the event day",
    "viewer": "Viewer: read-only figures and report",
}
#: Pending invitations an event may hold at once (an owner cannot mail without end).
MAX_PENDING = 50
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def members(event: Event) -> list[tuple]:
    """(user, role) of the team, owners first."""
    from ..accounts.models import User

    order = {role: n for n, role in enumerate(MEMBER_ROLES)}
    rows = db.session.execute(
        select(User, event_organisers.c.role)
        .join(event_organisers, event_organisers.c.user_id == User.id)
        .where(event_organisers.c.event_id == event.id)
    ).tuples()
    return sorted(rows, key=lambda row: (order.get(row[1], 9), row[0].name.lower()))


def full_organisers(event: Event) -> list:
    """The team members who run the event (owners, then organisers): who is told of and
    mailed what only its organiser pages show. Never the desk or viewers, who cannot
    open those pages."""
    from ..accounts.models import User

    return list(
        db.session.scalars(
            select(User)
            .join(event_organisers, event_organisers.c.user_id == User.id)
            .where(
                event_organisers.c.event_id == event.id,
                event_organisers.c.role.in_(FULL_ORGANISERS),
            )
            .order_by(event_organisers.c.role != "owner", User.id)
        )
    )


def pending_invitations(event: Event) -> list[TeamInvitation]:
    return list(
        db.session.scalars(
            select(TeamInvitation)
            .where(
                TeamInvitation.event_id == event.id,
                TeamInvitation.accepted_at.is_(None),
                TeamInvitation.revoked_at.is_(None),
            )
            .order_by(TeamInvitation.created_at)
        )
    )


def invite(event: Event, inviter, email: str, role: str) -> TeamInvitation:
    """Invite ``email`` to the team in ``role`` and mail the link (after the commit)."""
    email = (email or "").strip().lower()
    if not _EMAIL.match(email) or len(email) > 254:
        raise Invalid("Enter an e-mail address.", "email")
    if role not in INVITED_ROLES:
        raise Invalid("Choose a role.", "role")
    pending = pending_invitations(event)
    if len(pending) >= MAX_PENDING:
        raise Conflict(f"The team has {MAX_PENDING} invitations waiting: withdraw some first.")
    if any(member.email == email for member, _ in members(event)):
        raise Conflict("This person is on the team already.", "email")
    for old in pending:
        if old.email == email:  # a new invitation replaces the one waiting
            old.revoked_at = utcnow()
    invitation = TeamInvitation(event_id=event.id, email=email, role=role, invited_by_id=inviter.id)
    db.session.add(invitation)
    db.session.flush()
    audit.record(event, inviter, "team.invited", {"email": email, "role": role})
    _mail(invitation, inviter)
    return invitation


def invitation_link(invitation: TeamInvitation) -> str:
    token = _serializer().dumps({"i": invitation.id, "e": invitation.email})
    return absolute_url("teams.accept", token=token)


def _mail(invitation: TeamInvitation, inviter) -> None:
    from ..mailings.outbox import queue_mail
    from ..singleline import one_line

    event = db.session.get_one(Event, invitation.event_id)
    subject = one_line(f"Join the team of {event.name}")
    body = (
        f"{one_line(inviter.name)} invites you to the organisers' team of "
        f"{one_line(event.name)} as {ROLE_LABELS[invitation.role].lower()}.\n\n"
        "Open this link, then log in or sign up with this e-mail address:\n"
        f"{invitation_link(invitation)}\n\n"
        "The link works for 14 days. If you did not expect this message, ignore it.\n"
    )
    queue_mail(invitation.email, subject, body, event_id=event.id)


def invitation_from_token(token: str) -> TeamInvitation:
    """The invitation a link carries; ``Invalid`` when forged, expired, withdrawn or used."""
    try:
        data = _serializer().loads(token, max_age=MAX_AGE)
    except SignatureExpired:
        raise Invalid("This invitation has expired. Ask the event's owner for a new one.") from None
    except BadSignature:
        raise Invalid("This invitation link is not valid. Check that it is complete.") from None
    invitation = db.session.get(TeamInvitation, data.get("i")) if isinstance(data, dict) else None
    if invitation is None or invitation.email != data.get("e") or invitation.revoked_at:
        raise Invalid("This invitation is no longer valid. Ask the event's owner for a new one.")
    if invitation.accepted_at:
        raise Invalid("This invitation has been used already.")
    return invitation


def accept(invitation: TeamInvitation, user) -> Event:
    """Add ``user`` (whose address the link proves) to the team in the invited role."""
    if user.email != invitation.email:
        raise Forbidden(
            f"This invitation is for {invitation.email}, and you are logged in as "
            f"{user.email}. Log out, then open the link again."
        )
    event = db.session.get_one(Event, invitation.event_id)
    current = event.team_role(user) if not user.is_admin else None
    if current is None:
        db.session.execute(
            event_organisers.insert().values(
                event_id=event.id, user_id=user.id, role=invitation.role
            )
        )
    invitation.accepted_at = utcnow()
    if user.email_confirmed_at is None:
        # The link proved the address: the places organisers made for it are theirs now
        # (as after a confirmation link; confirming later would find it proven already).
        from ..participants.invitations import link_proven_address

        user.email_confirmed_at = utcnow()
        link_proven_address(user)
    db.session.expire(event, ["organisers"])
    audit.record(event, user, "team.joined", {"role": current or invitation.role})
    return event


def _owners(event: Event) -> int:
    return (
        db.session.scalar(
            select(func.count()).where(
                event_organisers.c.event_id == event.id, event_organisers.c.role == "owner"
            )
        )
        or 0
    )


def set_role(event: Event, actor, user_id: int, role: str) -> None:
    if role not in MEMBER_ROLES:
        raise Invalid("Choose a role.", "role")
    current = _member_role(event, user_id)
    if current == "owner" and role != "owner" and _owners(event) <= 1:
        raise Conflict("An event keeps at least one owner: make someone else owner first.")
    db.session.execute(
        update(event_organisers)
        .where(event_organisers.c.event_id == event.id, event_organisers.c.user_id == user_id)
        .values(role=role)
    )
    audit.record(event, actor, "team.role", {"user_id": user_id, "from": current, "to": role})


def remove(event: Event, actor, user_id: int) -> None:
    current = _member_role(event, user_id)
    if current == "owner" and _owners(event) <= 1:
        raise Conflict("An event keeps at least one owner: make someone else owner first.")
    db.session.execute(
        delete(event_organisers).where(
            event_organisers.c.event_id == event.id, event_organisers.c.user_id == user_id
        )
    )
    db.session.expire(event, ["organisers"])
    audit.record(event, actor, "team.removed", {"user_id": user_id, "role": current})


def withdraw(event: Event, invitation_id: int) -> None:
    invitation = db.session.get(TeamInvitation, invitation_id)
    if invitation is None or invitation.event_id != event.id or invitation.accepted_at:
        from ..errors import NotFound

        raise NotFound("No such invitation.")
    invitation.revoked_at = utcnow()


def _member_role(event: Event, user_id: int) -> str:
    role = db.session.scalar(
        select(event_organisers.c.role).where(
            event_organisers.c.event_id == event.id, event_organisers.c.user_id == user_id
        )
    )
    if role is None:
        from ..errors import NotFound

        raise NotFound("This person is not on the team.")
    return role


def set_two_factor_rule(event: Event, actor, required: bool) -> None:
    """Require (or not) two-factor log-in of everyone on the team to open its pages."""
    if required and not getattr(actor, "totp_enabled_at", None):
        raise Conflict("Turn on two-factor log-in for your own account first.")
    if event.require_two_factor != required:
        event.require_two_factor = required
        audit.record(event, actor, "team.two_factor", {"required": required})
