from flask import Blueprint

from .logs import install_log_filter

bp = Blueprint("calendar", __name__)
bp.record_once(lambda state: install_log_filter())

from . import routes  # noqa: E402, F401
