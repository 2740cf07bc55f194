"""Who may use a route. Every view declares it; undeclared views fail closed.

``@public`` — anyone; ``@user_required`` — any logged-in user;
``@role_required("organiser")`` — organisers (site admins pass every role check).
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
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        setattr(wrapped, ACCESS_ATTR, "role:" + ",".join(roles))
        return wrapped

    return decorator


def init_access(app: Flask) -> None:
    @app.before_request
    def refuse_undeclared_views():
        if request.endpoint is None or request.endpoint == "static":
            return None
        view = app.view_functions.get(request.endpoint)
        if getattr(view, ACCESS_ATTR, None) is None:
            abort(403)
        return None
