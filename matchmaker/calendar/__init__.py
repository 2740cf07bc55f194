from flask import Blueprint

bp = Blueprint("calendar", __name__)

from . import routes  # noqa: E402, F401
