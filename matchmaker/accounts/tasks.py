"""Housekeeping of the account tables, run by the job worker every hour."""

from __future__ import annotations

from huey import crontab

from .. import ratelimit
from ..extensions import db, huey
from . import sessions


@huey.periodic_task(crontab(minute="23"))
def purge_counters_and_sessions() -> None:
    """Drop attempt counters a day old and sessions unseen for a cookie's lifetime: every
    address and IP ever tried leaves a row, and closed browsers leave theirs."""
    with huey.flask_app.app_context():
        try:
            ratelimit.purge()
            sessions.purge()
            db.session.commit()
        finally:
            db.session.remove()
