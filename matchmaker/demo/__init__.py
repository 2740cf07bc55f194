from flask import Blueprint

bp = Blueprint("demo", __name__)

from . import routes  # noqa: E402, F401
