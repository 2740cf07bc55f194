"""Rendering helpers shared by every blueprint."""

from __future__ import annotations

import csv
import io
import os
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from flask import (
    Response,
    abort,
    current_app,
    flash,
    has_request_context,
    make_response,
    render_template,
    request,
    url_for,
)
from werkzeug.routing import IntegerConverter

from .errors import DomainError
from .extensions import db


def init_web(app) -> None:
    from .static_files import init_static_files

    init_static_files(app)  # versioned links, a year's max-age

    @app.before_request
    def refuse_nul_characters():
        """No text anyone types holds a NUL character, and PostgreSQL refuses to store or
        compare one (a 500 where SQLite said nothing): such a request is a bad one."""
        if any("\x00" in key or "\x00" in value for key, value in request.values.items(multi=True)):
            abort(400, "The request holds a NUL character.")


def wants_fragment() -> bool:
    """A fragment for htmx requests, a whole page otherwise (boosted links get pages).

    The one test of "is this htmx?" in the app: views ask it rather than reading
    ``request.htmx`` or the ``HX-Request`` header themselves.
    """
    htmx = getattr(request, "htmx", None)
    if not htmx:
        return False
    return not htmx.boosted and not htmx.history_restore_request


def render(
    page: str,
    fragment: str | None = None,
    status: int = 200,
    headers: dict | None = None,
    **context,
) -> Response:
    """Render ``fragment`` for htmx requests and ``page`` otherwise.

    The page ``{% include %}``s the fragment, so both come from one template file.
    ``headers`` are added to the response (e.g. a refusal's ``Retry-After``).
    """
    template = fragment if fragment and wants_fragment() else page
    response = make_response(render_template(template, **context), status)
    response.vary.add("HX-Request")
    if headers:
        response.headers.update(headers)
    return response


def safe_next(target: str | None, default: str) -> str:
    """``target`` if it is a path on this site, else ``default``: never an open redirect.

    Browsers drop tabs and newlines inside a URL and read a backslash as a slash, so
    "/<tab>/evil.example" or "/<backslash>evil.example" would leave the site; such values,
    any control character, a scheme or a host ("//evil.example") give ``default``.
    """
    if not target or len(target) > 2048 or "\\" in target:
        return default
    if any(unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") for char in target):
        return default
    if not target.startswith("/") or target.startswith("//"):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


#: The largest id a database row can have (PostgreSQL ``integer``); anything beyond names
#: nothing, and SQLite (OverflowError) or PostgreSQL (out of range) would fail on it.
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """``<int:...>`` in every route: ASCII digits from 0 to ``MAX_ID``, else 404."""

    regex = r"[0-9]+"

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def bounded_int(value) -> int:
    """A form's number as ASCII digits from 0 to ``MAX_ID``; ``ValueError`` for anything
    else (a ``coerce`` for WTForms: the field then says "not a valid choice")."""
    text = str(value if value is not None else "").strip()
    if isinstance(value, bool) or not (text.isascii() and text.isdigit() and len(text) <= 10):
        raise ValueError(f"not a number from 0 to {MAX_ID}: {text[:20]!r}")
    number = int(text)
    if number > MAX_ID:
        raise ValueError(f"not a number from 0 to {MAX_ID}: {text[:20]!r}")
    return number


def parse_id(value) -> int | None:
    """A row id sent in a form or query (``"42"``), or None for anything else: empty,
    signs, non-ASCII digits such as ``"²"`` (``isdigit()`` says yes, ``int()`` fails),
    or a number no row can have."""
    try:
        number = bounded_int(value)
    except ValueError:
        return None
    return number or None


# The event an htmx action raises (HX-Trigger) when it changed a number shown elsewhere on
# the page; every counter listens (hx-trigger="counts-changed from:body") and fetches
# itself again. One rule for all counters, so a new action or counter needs no wiring
# between the two: the action announces, whatever counts on the page follows.
COUNTS_CHANGED = "counts-changed"


def counts_changed(response: Response) -> Response:
    """Tell the page that counts changed, on a successful htmx response (see COUNTS_CHANGED)."""
    if response.status_code < 300 and wants_fragment():
        raised = response.headers.get("HX-Trigger", "").split(",")
        events = [e.strip() for e in raised if e.strip()]
        response.headers["HX-Trigger"] = ", ".join([*events, COUNTS_CHANGED])
    return response


def get_or_404(model, ident):
    """Load a row by primary key or answer 404."""
    if isinstance(ident, int) and not 0 <= ident <= MAX_ID:
        abort(404)
    obj = db.session.get(model, ident)
    if obj is None:
        abort(404)
    return obj


def site_url() -> str:
    """The address links in e-mails, feeds and calendars start with.

    ``BASE_URL`` when it is set (production requires it: config refuses to start
    without). In development, unset means "where the app is actually served": the
    request's own address inside a request, else ``http://HOST:PORT`` from the
    environment that ``make run`` (scripts/run.py) exports to the web server and worker.
    """
    configured = current_app.config.get("BASE_URL")
    if configured:
        return configured.rstrip("/")
    if has_request_context():
        return request.host_url.rstrip("/")
    host = os.environ.get("HOST") or "localhost"
    if host in ("0.0.0.0", "::"):  # a wildcard bind: the address scripts/run.py prints
        host = "127.0.0.1"
    return f"http://{host}:{os.environ.get('PORT') or 5000}"


def path_for(endpoint: str, **values) -> str:
    """``url_for``'s path, inside a request or not (a job, the command line): the links
    notifications store, and the path of ``absolute_url``."""
    if has_request_context():
        return url_for(endpoint, **values)
    with current_app.test_request_context("/"):
        return url_for(endpoint, **values)


def absolute_url(endpoint: str, base_url: str | None = None, **values) -> str:
    """An absolute link for e-mails, feeds and the command line (``site_url()`` + path)."""
    return (base_url or site_url()).rstrip("/") + path_for(endpoint, **values)


class Submitted(NamedTuple):
    """What an action (``act``) or a form (``submit``) came to."""

    saved: bool
    status: int
    value: Any = None  # what the action returned, once saved
    refusal: DomainError | None = None  # the service's refusal, when it refused

    @property
    def message(self) -> str | None:
        """The refusal's message, for the fragment or the flash that shows it."""
        return self.refusal.message if self.refusal else None


def act(action: Callable[[], Any], done: str | None = None) -> Submitted:
    """Run ``action()`` and commit: one place for the rule of actions without a form.

    Done: committed, ``(True, 200, result)``, and ``done`` (if given) flashed when a
    whole page follows rather than a fragment. The service refuses (a ``DomainError``):
    rolled back so nothing of it is saved, ``(False, error.status, refusal=error)``;
    the caller shows the refusal (in its fragment, by a flash, or by raising it).
    """
    try:
        value = action()
    except DomainError as error:
        db.session.rollback()
        return Submitted(False, error.status, refusal=error)
    db.session.commit()
    if done and not wants_fragment():
        flash(done, "success")
    return Submitted(True, 200, value)


def submit(form, action: Callable[[], Any]) -> Submitted:
    """Validate ``form``, then ``act(action)``: one place for the form rule.

    Saved: ``(True, 200, result)``. Nothing submitted: ``(False, 200)``. The form itself
    invalid: ``(False, 422)``. The service refuses: its message goes to the field it
    names, nothing is saved, the status is the domain error's (409, 422...), and the
    error itself is kept as ``refusal`` (for details beyond one field's message).
    """
    if not form.validate_on_submit():
        return Submitted(False, 422 if form.is_submitted() else 200)
    outcome = act(action)
    if outcome.refusal is not None:
        outcome.refusal.apply_to(form)
    return outcome


# --- CSV downloads ------------------------------------------------------------------------
# For a spreadsheet: UTF-8 with a byte-order mark (so Excel reads "Hüdrosilinder OÜ" right),
# and cells that a spreadsheet would take for a formula (starting with =, +, -, @, tab or
# carriage return) get a leading apostrophe: a company name never runs on the organiser's
# machine.

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence]) -> Response:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([_cell(v) for v in row] for row in rows)
    response = Response(out.getvalue(), content_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
