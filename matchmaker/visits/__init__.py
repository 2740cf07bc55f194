"""Trade visits: hosts offer site visits in groups with places; participants rank them;
the engine allocates the places with the meetings."""

from flask import Blueprint

bp = Blueprint("visits", __name__)


@bp.app_context_processor
def _visits_offered():
    """``visits_offered(event)`` for the participant's navigation."""

    def visits_offered(event) -> bool:
        from sqlalchemy import select

        from ..extensions import db
        from .models import Visit

        return (
            db.session.scalar(select(Visit.id).where(Visit.event_id == event.id).limit(1))
            is not None
        )

    return {"visits_offered": visits_offered}


from . import organiser_routes, routes  # noqa: E402, F401
