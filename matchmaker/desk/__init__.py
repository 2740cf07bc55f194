"""The event day: check-in desk, attendance, the live board and printed material."""

from flask import Blueprint

bp = Blueprint("desk", __name__)

from . import participant_routes, routes  # noqa: E402, F401
