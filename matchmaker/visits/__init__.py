"""Trade visits: hosts offer site visits in groups with places; participants rank them;
the engine allocates the places with the meetings."""

from flask import Blueprint

bp = Blueprint("visits", __name__)

from . import organiser_routes, routes  # noqa: E402, F401
