"""One place that turns errors into responses: a page, or a fragment for htmx."""

from __future__ import annotations

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .errors import DomainError
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
}


def _error_response(status: int, message: str, headers=()):
    """The error page (or fragment) with ``headers`` the error came with: ``Allow`` on a
    405, ``Retry-After`` on a 429... (only the body and its content type are ours)."""
    db.session.rollback()
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
