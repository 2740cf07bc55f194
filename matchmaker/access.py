"""Who may use a route. Every view declares it; undeclared views fail closed.

``@public`` — anyone; ``@user_required`` — any logged-in user;
``@role_required("organiser")`` — organisers (site admins pass every role check); on an
event's pages (``<slug>``) also the members of that event's team, whatever their account
(a volunteer at the desk need not be a site organiser): the event's loader then decides
by their role in the team (``events.loaders.organised_event_or_404``).
Per-object checks (an organiser acts only on their own events, a participant only on
their own data) live in each domain's loaders and answer 404.
"""

from __future__ import annotations

from functools import wraps

from flask import Flask, abort, current_app, request
from flask_login import current_user

ACCESS_ATTR = "_matchmaker_access"


def public(view):
    setattr(view, ACCESS_ATTR, "public")
    return view


def user_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()
        return view(*args, **kwargs)

    setattr(wrapped, ACCESS_ATTR, "user")
    return wrapped


def role_required(*roles: str):
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            if not current_user.has_role(*roles) and not (
                "organiser" in roles and _on_team(kwargs.get("slug"))
            ):
                abort(403)
            return view(*args, **kwargs)

        setattr(wrapped, ACCESS_ATTR, "role:" + ",".join(roles))
        return wrapped

    return decorator


def _on_team(slug: str | None) -> bool:
    """Whether the current user is on the team of the event ``slug`` (any role)."""
    if not slug:
        return False
    from sqlalchemy import select

    from .events.models import Event, event_organisers
    from .extensions import db

    return (
        db.session.scalar(
            select(event_organisers.c.role)
            .join(Event, Event.id == event_organisers.c.event_id)
            .where(Event.slug == slug, event_organisers.c.user_id == current_user.id)
        )
        is not None
    )


def init_access(app: Flask) -> None:
    @app.before_request
    def refuse_undeclared_views():
        if request.endpoint is None or request.endpoint == "static":
            return None
        view = app.view_functions.get(request.endpoint)
        if getattr(view, ACCESS_ATTR, None) is None:
            abort(403)
        return None
