"""Two-factor log-in: a TOTP app (pyotp) and single-use recovery codes."""

from flask import Blueprint

bp = Blueprint("twofactor", __name__)

from . import routes  # noqa: E402,F401
