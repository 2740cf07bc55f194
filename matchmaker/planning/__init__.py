"""The app's side of scheduling: solver runs, the draft, publishing, agendas.

The engine itself is ``matchmaker.scheduling`` (no database); this package builds its
problem from the event (``engine_input``) and stores its answers.  The blueprint keeps
the name ``schedules``: endpoints and URLs are about the event's schedule.
"""

from flask import Blueprint

bp = Blueprint("schedules", __name__)

from . import organiser_routes, routes  # noqa: E402, F401
