from flask import Blueprint

bp = Blueprint("schedules", __name__)

from . import organiser_routes, routes  # noqa: E402, F401
