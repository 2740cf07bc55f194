"""Load an event for the current user, or answer 404 (never reveal what exists)."""

from __future__ import annotations

from flask import abort, flash, g, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ..extensions import db
from .models import FULL_ORGANISERS, TEAM_ROLES, Event

#: The pages a team's ``desk`` members use on the event day: check-in and attendance.
DESK_ENDPOINTS = frozenset(
    {
        "desk.checkin_page",
        "desk.check_in",
        "desk.undo",
        "desk.scan",
        "desk.counts",
        "desk.attendance_page",
        "desk.mark",
    }
)
#: The read-only figures and report a team's ``viewer`` members may open (GET only).
VIEWER_ENDPOINTS = frozenset(
    {"events.stats", "reports.report", "reports.meetings", "reports.download"}
)


def _by_slug(slug: str) -> Event:
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    if event is None:
        abort(404)
    return event


def visible_event_or_404(slug: str) -> Event:
    """Events are public once out of draft; drafts only for their organisers."""
    event = _by_slug(slug)
    if not event.state.public and not event.is_organised_by(current_user, allow=TEAM_ROLES):
        abort(404)
    return event


def allowed_roles(endpoint: str | None, method: str) -> tuple[str, ...]:
    """The team roles that may use ``endpoint``: owners and organisers everywhere, the
    desk on check-in and attendance, viewers on read-only figures (never a POST)."""
    roles: tuple[str, ...] = FULL_ORGANISERS
    if endpoint in DESK_ENDPOINTS:
        roles += ("desk",)
    if endpoint in VIEWER_ENDPOINTS and method in ("GET", "HEAD"):
        roles += ("viewer",)
    return roles


def organised_event_or_404(slug: str, allow: tuple[str, ...] | None = None) -> Event:
    """The event, if the current user is on its team in a role this page allows (site
    admins always are); others get 404, as for an event that does not exist.

    ``allow`` names the roles; by default they come from ``allowed_roles`` for the
    request's endpoint (owners and organisers, plus desk or viewer where listed above).
    """
    event = _by_slug(slug)
    if allow is None:
        allow = allowed_roles(request.endpoint, request.method)
    role = event.team_role(current_user)
    # Kept for templates (which links to show) and for the test that walks every page.
    g.team_role, g.team_allowed = role, role in allow
    if role not in allow:
        abort(404)
    if event.require_two_factor and not current_user.is_admin and not current_user.totp_enabled_at:
        # The owner requires it of the team: turn it on first, then come back.
        flash(f"The team of {event.name} requires two-factor log-in: turn it on first.", "info")
        abort(redirect(url_for("twofactor.setup")))
    return event
