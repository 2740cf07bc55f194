"""Static files fetched once: links carry the file's version, answers a year's max-age.

Without this every page view revalidates each stylesheet and script (``no-cache``: one
conditional request and a 304 per file, five or six per page); on an event day with
2,000 phones opening agendas that is hundreds of requests a second for nothing.
``url_for('static', filename=...)`` adds ``?v=`` (a hash of the file's content, recomputed
when its size or time changes), and an answer to that exact version may be kept for a
year (``immutable``); a changed file gets a new link. Without ``v``, or with an older
one, the answer is revalidated as before.
"""

from __future__ import annotations

import hashlib
import os
import threading

from flask import Flask, Response, request

MAX_AGE = 365 * 24 * 3600

_versions: dict[str, tuple[tuple[int, int], str]] = {}
_lock = threading.Lock()


def static_version(folder: str, filename: str) -> str:
    """A short hash of ``folder/filename``'s content ("" when there is no such file)."""
    path = os.path.join(folder, filename)
    try:
        stat = os.stat(path)
    except OSError:
        return ""
    key = (stat.st_mtime_ns, stat.st_size)
    known = _versions.get(path)
    if known is not None and known[0] == key:
        return known[1]
    with open(path, "rb") as f:
        version = hashlib.sha256(f.read()).hexdigest()[:12]
    with _lock:
        _versions[path] = (key, version)
    return version


def init_static_files(app: Flask) -> None:
    @app.url_defaults
    def add_version(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "filename" in values and "v" not in values:
            version = static_version(app.static_folder or "", values["filename"])
            if version:
                values["v"] = version

    @app.after_request
    def cache_versioned(response: Response) -> Response:
        if (
            request.endpoint == "static"
            and response.status_code in (200, 304)
            and request.args.get("v")
            and request.args["v"]
            == static_version(app.static_folder or "", (request.view_args or {})["filename"])
        ):
            response.cache_control.no_cache = None
            response.cache_control.public = True
            response.cache_control.max_age = MAX_AGE
            response.cache_control.immutable = True
        return response
