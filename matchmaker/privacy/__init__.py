"""Personal data: consent at registration, download my data, delete my account, retention."""

from flask import Blueprint

bp = Blueprint("privacy", __name__)

from . import routes  # noqa: E402,F401
