"""Rate limits: how many attempts at something a key (an address, an IP) may make in a window.

One row per key in ``attempt_counters``, counted by ONE SQL statement (an UPSERT that
returns the new count), so parallel requests in any number of workers each get their own
number and can never overwrite each other's count. Windows are fixed: the first attempt
after a window ended starts a new one at 1.

Count an attempt *before* doing what is limited (checking a password, sending a mail):
then with N parallel tries at most ``limit`` ever get through.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import NamedTuple, cast

from sqlalchemy import Table, case, delete, literal, update
from sqlalchemy.dialects import postgresql, sqlite

from .accounts.models import AttemptCounter
from .dbtypes import UTCDateTime, utcnow
from .errors import TooManyAttempts
from .extensions import db

_INSERT = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


class Hit(NamedTuple):
    allowed: bool
    retry_after: int  # seconds until the window ends (0 when allowed)


def hit(key: str, limit: int, window: int) -> Hit:
    """Count one attempt for ``key``; allowed while at most ``limit`` fell in ``window``
    seconds.

    Commits at once: the count must stand even if the request fails later, and the row
    must not stay locked while the slow part (a password hash) runs, or parallel
    attempts would queue behind it. Call it before the request changes anything else.
    """
    now = utcnow()
    count, window_start = _upsert(key[:300], now, now - timedelta(seconds=window))
    db.session.commit()
    if count <= limit:
        return Hit(True, 0)
    left = (window_start + timedelta(seconds=window) - now).total_seconds()
    return Hit(False, max(1, math.ceil(left)))


def check(key: str, limit: int, window: int, message: str, field: str | None = None) -> None:
    """Count one attempt (see ``hit``); over the limit raise ``TooManyAttempts`` with
    ``message`` (``{wait}`` becomes "N minutes") and the ``Retry-After`` seconds."""
    result = hit(key, limit, window)
    if not result.allowed:
        minutes = max(1, math.ceil(result.retry_after / 60))
        wait = f"{minutes} minute{'s' if minutes != 1 else ''}"
        raise TooManyAttempts(message.format(wait=wait), field, retry_after=result.retry_after)


def _upsert(key: str, now: datetime, cutoff: datetime) -> tuple[int, datetime]:
    """INSERT the key at 1, or add 1 to its count (1 again in a new window), and return
    the count and the window's start: one statement, so nothing runs in between."""
    table = cast(Table, AttemptCounter.__table__)  # typed as any FromClause
    stale = table.c.window_start < literal(cutoff, UTCDateTime)
    insert = _INSERT[db.session.get_bind().dialect.name](table).values(
        key=key, window_start=now, hits=1
    )
    # Both dialects' Insert have on_conflict_do_update; the dict's type is their common base.
    statement = insert.on_conflict_do_update(  # type: ignore[attr-defined]
        index_elements=[table.c.key],
        set_={
            "hits": case((stale, 1), else_=table.c.hits + 1),
            "window_start": case((stale, literal(now, UTCDateTime)), else_=table.c.window_start),
        },
    ).returning(table.c.hits, table.c.window_start)
    row = db.session.execute(statement).one()
    return row.hits, row.window_start


def give_back(key: str) -> None:
    """Take one attempt back (a shared key such as an IP should not fill up with logins
    that succeeded). Not committed: part of the caller's transaction."""
    db.session.execute(
        update(AttemptCounter)
        .where(AttemptCounter.key == key[:300], AttemptCounter.hits > 0)
        .values(hits=AttemptCounter.hits - 1)
    )


def forget(key: str) -> None:
    """Start ``key`` afresh (e.g. an address after a successful login)."""
    db.session.execute(delete(AttemptCounter).where(AttemptCounter.key == key[:300]))


def purge(older_than: int = 86400) -> int:
    """Delete counters whose window started more than ``older_than`` seconds ago."""
    cutoff = utcnow() - timedelta(seconds=older_than)
    result = db.session.execute(delete(AttemptCounter).where(AttemptCounter.window_start < cutoff))
    return result.rowcount  # type: ignore[attr-defined]  # DML gives a CursorResult
