"""After the event, the participant's side: the survey of each event day, the second
stage ("did it lead to an agreement?") and their follow-ups."""

from flask import Blueprint

bp = Blueprint("outcomes", __name__)

from . import routes  # noqa: E402, F401
