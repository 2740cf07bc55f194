"""The audit log of an event: ``record(event, actor, action, details)`` from the services
and routes that change it, and a page for its organisers."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("audit", __name__)

#: What each action means, as the log page says it.
ACTIONS = {
    "event.created": "Created the event",
    "event.edited": "Edited the event",
    "event.status": "Changed the event's status",
    "participant.added": "Added a participant",
    "participant.status": "Approved or rejected a registration",
    "participants.imported": "Imported participants",
    "schedule.run": "Started a solver run",
    "schedule.run_cancelled": "Cancelled a solver run",
    "schedule.moved": "Moved a meeting",
    "schedule.added": "Added a meeting by hand",
    "schedule.published": "Published the schedule",
    "mailing.sent": "Sent a mailing",
    "team.invited": "Invited someone to the team",
    "team.joined": "Joined the team",
    "team.role": "Changed a team member's role",
    "team.removed": "Removed a team member",
    "team.two_factor": "Changed the team's two-factor rule",
    "retention.anonymised": "Anonymised the participants' personal data",
    "retention.date": "Set the day personal data is anonymised",
}


def current_actor():
    """The logged-in user acting in this request, or None (a job, the command line)."""
    from flask import has_request_context
    from flask_login import current_user

    if has_request_context() and current_user.is_authenticated:
        return current_user
    return None


def record(event, actor, action: str, details: dict | None = None) -> None:
    """Add one entry for ``event`` (flushed with the rest of the request's changes, so it
    is kept exactly when they are). ``actor`` is a user, or None for the system."""
    from ..extensions import db
    from .models import AuditEntry

    known = actor is not None and getattr(actor, "is_authenticated", False)
    db.session.add(
        AuditEntry(
            event_id=event.id,
            actor_id=actor.id if known else None,
            actor_name=actor.name if known else "Matchmaker",
            action=action,
            details=details or {},
        )
    )


from . import routes  # noqa: E402,F401
