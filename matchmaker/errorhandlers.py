"""One place that turns errors into responses: a page, or a fragment for htmx."""

from __future__ import annotations

from flask import Flask, current_app, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException

from .errors import JOB_QUEUE_ERRORS, JOBS_UNAVAILABLE, DomainError
from .extensions import db
from .web import wants_fragment

TITLES = {
    400: "Bad request",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Too large",
    422: "Cannot do that",
    429: "Too many requests",
    500: "Something went wrong",
    503: "Unavailable for a moment",
}


def _error_response(status: int, message: str, headers=()):
    """The error page (or fragment) with ``headers`` the error came with: ``Allow`` on a
    405, ``Retry-After`` on a 429... (only the body and its content type are ours)."""
    try:
        db.session.rollback()
    except DBAPIError:  # the connection died with the database server: drop it
        db.session.remove()
    template = "errors/_message.html" if wants_fragment() else "errors/error.html"
    html = render_template(
        template, status=status, title=TITLES.get(status, "Error"), message=message
    )
    kept = [(name, value) for name, value in headers if name.lower() not in _BODY_HEADERS]
    return html, status, kept


# Headers that describe the body werkzeug would have sent; ours replaces it.
_BODY_HEADERS = {"content-type", "content-length"}


def init_errorhandlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        return _error_response(error.status, error.message, error.headers.items())

    def jobs_unavailable(error):
        current_app.logger.warning("job queue unavailable: %s", error)
        return _error_response(503, JOBS_UNAVAILABLE, {"Retry-After": "30"}.items())

    for error_class in JOB_QUEUE_ERRORS:
        app.register_error_handler(error_class, jobs_unavailable)

    @app.errorhandler(OperationalError)
    def database_unavailable(error: OperationalError):
        """The database cannot be reached or written: a page that says so, and the
        transaction rolled back (nothing half-written). Logged with its traceback."""
        current_app.logger.exception("database unavailable", exc_info=error)
        text = str(error.orig).lower()
        if "readonly" in text or "read-only" in text or "disk is full" in text:
            message = (
                "The database cannot be written (its disk is full or read-only), so "
                "nothing was changed. Pages that only show data still work; tell the "
                "organisers."
            )
        else:
            message = "The database is not answering for a moment. Nothing was changed: try again."
        try:
            db.session.rollback()
        except DBAPIError:
            db.session.remove()
        # Rendered without the layout's context (it reads the user and their unread
        # notifications from the very database that failed).
        template = "errors/_message.html" if wants_fragment() else "errors/unavailable.html"
        html = current_app.jinja_env.get_template(template).render(
            status=503, title=TITLES[503], message=message, request=request
        )
        return html, 503, {"Retry-After": "5"}

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return _error_response(
            400, "Your form expired or was sent from elsewhere. Reload the page and try again."
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        headers = error.response.headers if error.response is not None else error.get_headers()
        return _error_response(error.code, error.description or "", headers)
