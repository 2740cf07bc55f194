from flask import Blueprint

bp = Blueprint("schedules", __name__)

from . import routes  # noqa: E402, F401
