from flask import Blueprint

bp = Blueprint("meetings", __name__)

from . import organiser_routes, routes  # noqa: E402, F401


@bp.app_context_processor
def _limits() -> dict:
    """``MESSAGE_LIMIT`` for the forms of every domain that ask for a message or a reason."""
    from .booking import MESSAGE_LIMIT

    return {"MESSAGE_LIMIT": MESSAGE_LIMIT}
