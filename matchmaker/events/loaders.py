"""Load an event for the current user, or answer 404 (never reveal what exists)."""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from ..extensions import db
from .models import Event


def _by_slug(slug: str) -> Event:
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    if event is None:
        abort(404)
    return event


def visible_event_or_404(slug: str) -> Event:
    """Events are public once out of draft; drafts only for their organisers."""
    event = _by_slug(slug)
    if not event.state.public and not event.is_organised_by(current_user):
        abort(404)
    return event


def organised_event_or_404(slug: str) -> Event:
    """Only the event's organisers (and site admins) may manage it; others get 404."""
    event = _by_slug(slug)
    if not event.is_organised_by(current_user):
        abort(404)
    return event


def my_participation(event: Event):
    """The current user's participation in ``event`` (any status), or None."""
    from ..participants.models import Participant

    if not current_user.is_authenticated:
        return None
    return db.session.scalar(
        select(Participant).where(
            Participant.event_id == event.id, Participant.user_id == current_user.id
        )
    )
