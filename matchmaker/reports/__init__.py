"""After the event, the organiser's side: the report page (figures and SVG charts), its
XLSX download and command, and the survey settings."""

from flask import Blueprint

bp = Blueprint("reports", __name__)

from . import routes  # noqa: E402, F401
