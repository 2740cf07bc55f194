"""Keep feed tokens out of access logs: a feed's URL is its password.

``RedactFeedTokens`` filters the development server's (werkzeug's) log records;
``GunicornLogger`` does the same for gunicorn's access log
(``gunicorn --logger-class matchmaker.calendar.logs.GunicornLogger``).
"""

from __future__ import annotations

import logging
import re

FEED_PATH = re.compile(r"/feeds/[^/\s?\"]+")
REDACTED = "/feeds/[redacted].ics"


def redact(text: str) -> str:
    return FEED_PATH.sub(REDACTED, text)


class RedactFeedTokens(logging.Filter):
    """Rewrites a record's message with every ``/feeds/<token>`` path redacted."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "/feeds/" in message:
            record.msg, record.args = redact(message), ()
        return True


def install_log_filter() -> None:
    """Attach the filter to werkzeug's logger once per process."""
    logger = logging.getLogger("werkzeug")
    if not any(isinstance(f, RedactFeedTokens) for f in logger.filters):
        logger.addFilter(RedactFeedTokens())


try:  # gunicorn is a deployment dependency; the app runs without it.
    from gunicorn.glogging import Logger as _GunicornLogger
except ImportError:  # pragma: no cover
    _GunicornLogger = None

if _GunicornLogger is not None:

    class GunicornLogger(_GunicornLogger):
        """Gunicorn's logger with feed tokens redacted from every access-log atom."""

        def atoms(self, resp, req, environ, request_time):
            atoms = super().atoms(resp, req, environ, request_time)
            for key, value in atoms.items():
                if isinstance(value, str) and "/feeds/" in value:
                    atoms[key] = redact(value)
            return atoms
