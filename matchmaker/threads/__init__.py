"""Message threads on meeting requests, and organisers writing to one participant."""

from flask import Blueprint

bp = Blueprint("threads", __name__)

from . import routes  # noqa: E402, F401
