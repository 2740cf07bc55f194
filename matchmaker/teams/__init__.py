"""An event's team: its owner invites co-organisers (organiser, desk, viewer) by e-mail."""

from flask import Blueprint

bp = Blueprint("teams", __name__)

from . import routes  # noqa: E402,F401
