"""Import every module that defines Huey tasks, so the worker knows them all."""

from .notifications import mail  # noqa: F401
