from flask import Blueprint

bp = Blueprint("participants", __name__)

from . import routes  # noqa: E402, F401
