"""Who is looking: the current user's participant record in an event, and what they may see."""

from __future__ import annotations

from dataclasses import dataclass

from flask_login import current_user

from ..errors import Forbidden, NotFound
from .models import Participant
from .services import participant_for, participant_in_event


@dataclass
class Viewer:
    """The current user in one event: their participant record and/or organiser rights."""

    participant: Participant | None
    is_organiser: bool

    @property
    def approved(self) -> bool:
        return self.participant is not None and self.participant.status == "approved"


def viewer_of(event) -> Viewer:
    return Viewer(participant_for(event, current_user), event.is_organised_by(current_user))


def directory_viewer(event) -> Viewer:
    """The directory and profiles are for approved participants and the event's organisers."""
    viewer = viewer_of(event)
    if not (viewer.approved or viewer.is_organiser):
        if viewer.participant is None:
            raise Forbidden("Register for this event to see its participants.")
        raise Forbidden("You can see the other participants once your registration is approved.")
    return viewer


def my_participant(event, approved: bool = False) -> Participant:
    """The current user's participant record in ``event`` (403 when they have none)."""
    participant = participant_for(event, current_user)
    if participant is None:
        raise Forbidden("Register for this event first.")
    if approved and participant.status != "approved":
        raise Forbidden("Your registration is not approved yet.")
    return participant


def visible_participant(event, participant_id: int) -> Participant:
    """Participant ``participant_id`` of ``event`` if the current user may see them, else 404.

    Approved participants are seen by everyone who gets this far; pending and rejected
    registrations only by the event's organisers and by the person themselves. To anyone
    else every route answers exactly as for an id that does not exist, so neither the
    name nor the existence of a registration leaks through ids (which are sequential).
    Every route addressed to another participant loads them through here.
    """
    other = participant_in_event(event, participant_id)
    if other.status == "approved" or event.is_organised_by(current_user):
        return other
    if current_user.is_authenticated and other.user_id == current_user.id:
        return other
    raise NotFound("No such participant.")
