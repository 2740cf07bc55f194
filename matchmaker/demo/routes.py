"""The demo has no pages of its own; see cli.py."""

from . import bp  # noqa: F401
