"""Talking to participants: mailings, the outbox, reminders and mail preferences."""

from flask import Blueprint

bp = Blueprint("mailings", __name__)

from . import preference_routes, routes  # noqa: E402, F401
