from flask import Blueprint

bp = Blueprint("participants", __name__)

from . import invitation_routes, organisation_routes, organiser_routes, routes  # noqa: E402, F401


@bp.app_context_processor
def _participation():
    """``my_participation(event)`` for templates of other domains (the event page's buttons)."""
    from flask_login import current_user

    from .services import participant_for

    return {"my_participation": lambda event: participant_for(event, current_user)}
