"""Invitations: a place an organiser made for someone, taken by the person behind the e-mail.

An organiser registers a company's representative with an e-mail address; that never
links the place to an account (an organiser could otherwise enrol anyone, or learn who
has an account). Instead the address gets an invitation: a signed link that only its
reader has. Opening it, the person sets a password (or logs in) and takes the place.

Places are linked to an account only through a proven address: the invitation link, or
the confirmation link of a sign-up (``link_proven_address``).
"""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from ..dbtypes import utcnow
from ..errors import Conflict, Forbidden, Invalid
from ..extensions import db
from ..web import absolute_url
from .models import Participant

INVITATION_SALT = "matchmaker.invitation"
#: An invitation link works this long; the organiser can re-send one at any time.
INVITATION_MAX_AGE = 60 * 24 * 3600
#: Re-sending stops here: an address is not mailed without end on an organiser's say-so.
MAX_INVITATIONS = 5


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=INVITATION_SALT)


def invitation_link(participant: Participant) -> str:
    # The address is in the token: an invitation dies when the organiser changes it.
    token = _serializer().dumps({"p": participant.id, "e": participant.email})
    return absolute_url("participants.claim", token=token)


def _one_line(text: str) -> str:
    return " ".join((text or "").split())


def invitation_mail(participant: Participant, link: str) -> tuple[str, str]:
    event = participant.event
    subject = _one_line(f"Your place at {event.name}")
    organiser = _organiser_name(event)
    body = (
        f"Hello {_one_line(participant.name)},\n\n"
        f"{_one_line(organiser)} has registered you for {_one_line(event.name)} as a "
        f"representative of {_one_line(participant.organisation.name)}.\n\n"
        "To see your meetings, your agenda and your profile, take your place here "
        "(you set a password, or log in if you have an account already):\n"
        f"{link}\n\n"
        "The link works for 60 days. If you did not expect this message, ignore it: "
        "nothing happens unless you open the link.\n"
    )
    return subject, body


def _organiser_name(event) -> str:
    """Who the invitation names as registering the person: an owner (or organiser) of the
    event, never a desk or viewer member of its team."""
    from ..teams.services import full_organisers

    team = full_organisers(event)
    return team[0].name if team else "The organiser"


def invite(participant: Participant) -> None:
    """Record an invitation and e-mail it (by the worker, once the transaction commits)."""
    if not participant.email:
        raise Invalid("This participant has no e-mail address to invite.", "email")
    if participant.user_id is not None:
        raise Conflict("This place has been taken already.")
    if participant.invitations_sent >= MAX_INVITATIONS:
        raise Conflict(f"The invitation has been sent {MAX_INVITATIONS} times already.")
    participant.invited_at = utcnow()
    participant.invitations_sent = (participant.invitations_sent or 0) + 1
    db.session.flush()
    subject, body = invitation_mail(participant, invitation_link(participant))

    from ..mailings.outbox import queue_mail

    # Required mail (it ignores the address's choices), in the event's outbox.
    queue_mail(
        participant.email,
        subject,
        body,
        event_id=participant.event_id,
        participant_id=participant.id,
    )


def participant_from_invitation(token: str, user=None) -> Participant:
    """The place an invitation link offers; ``Invalid`` when it is forged, expired, void
    or used. A place ``user`` holds already is returned (the caller tells them so)."""
    try:
        data = _serializer().loads(token, max_age=INVITATION_MAX_AGE)
    except SignatureExpired:
        raise Invalid("This invitation has expired. Ask the organiser to send it again.") from None
    except BadSignature:
        raise Invalid("This invitation link is not valid. Check that it is complete.") from None
    participant = db.session.get(Participant, data.get("p")) if isinstance(data, dict) else None
    if participant is None or not participant.email or participant.email != data.get("e"):
        raise Invalid("This invitation is no longer valid. Ask the organiser for a new one.")
    if participant.user_id is not None and (user is None or participant.user_id != user.id):
        raise Invalid("This invitation has been used already.")
    return participant


def claim(participant: Participant, user) -> None:
    """Give the place to ``user``, whose address the invitation link has just proven."""
    if user.email != participant.email:
        raise Forbidden(
            f"This invitation is for {participant.email}, and you are logged in as "
            f"{user.email}. Log out, then open the link again."
        )
    if participant.user_id == user.id:
        return
    _take(participant, user)
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
    link_proven_address(user)


def _take(participant: Participant, user) -> None:
    taken = db.session.scalar(
        select(Participant.id).where(
            Participant.event_id == participant.event_id, Participant.user_id == user.id
        )
    )
    if taken is not None:
        raise Conflict("You are registered for this event already, as another participant.")
    participant.user_id, participant.claimed_at = user.id, utcnow()
    db.session.flush()


def link_proven_address(user) -> list[Participant]:
    """Link every unclaimed place made for ``user``'s address, in every event, to the
    account. Only for a proven address: the record gives access to a company's meetings."""
    if user.email_confirmed_at is None:
        return []
    places = db.session.scalars(
        select(Participant)
        .where(Participant.email == user.email, Participant.user_id.is_(None))
        .order_by(Participant.id)
    )
    linked = []
    held = set(
        db.session.scalars(select(Participant.event_id).where(Participant.user_id == user.id))
    )
    for participant in places:
        if participant.event_id in held:
            continue  # one place per person and event: the one they hold stays
        participant.user_id, participant.claimed_at = user.id, utcnow()
        held.add(participant.event_id)
        linked.append(participant)
    db.session.flush()
    return linked
