"""Data versions: a counter per kind of derived output, bumped by every change to its inputs.

A cache of something computed from many tables (a calendar feed reads meetings,
programme, organisations, tables...) stays valid while its counter has not moved. The
counter is bumped in the same transaction as the change, by SQLAlchemy session events,
so no service has to remember to do it: ORM flushes (new, changed, deleted objects) and
bulk ``update()``/``delete()`` statements on a watched model both count.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import datetime
from itertools import chain
from typing import Any, cast

from sqlalchemy import Engine, String, Table, event, text, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from .extensions import Model, db

_WATCHED: dict[str, tuple[type, ...]] = {}


class ChangeCounter(Model):
    __tablename__ = "change_counters"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(default=0)


def watch(name: str, *models: type) -> None:
    """Bump counter ``name`` whenever a row of any of ``models`` changes."""
    _WATCHED[name] = tuple(dict.fromkeys(_WATCHED.get(name, ()) + models))


_VERSION = text("SELECT value FROM change_counters WHERE name = :name")


def version(name: str) -> int:
    """The counter's current value (0 before its first change).

    This runs on every feed request, so it stays below the ORM. A session with work in
    progress (or bound to one connection, as in tests) is asked on its own connection,
    so it sees its own writes; otherwise a pooled connection of the engine is enough and
    the session is never opened.
    """
    session = db.session()
    if session.in_transaction() or not isinstance(session.get_bind(), Engine):
        return session.connection().execute(_VERSION, {"name": name}).scalar() or 0
    engine = db.engine
    marker = "?" if engine.dialect.paramstyle == "qmark" else "%s"
    raw = engine.raw_connection()  # from the pool; closing gives it back (rolled back)
    try:
        cursor = raw.cursor()
        cursor.execute(f"SELECT value FROM change_counters WHERE name = {marker}", (name,))
        row = cursor.fetchone()
        cursor.close()
    finally:
        raw.close()
    return row[0] if row else 0


class VersionedCache:
    """A small LRU of values computed at a data version, shared by a process's threads."""

    def __init__(self, size: int = 4096):
        self.size = size
        self._items: OrderedDict[Hashable, tuple[Hashable, datetime | None, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, version: Hashable, now: datetime | None = None) -> Any:
        """The value stored for ``key`` at ``version`` and still valid at ``now`` (needed
        only for values stored with ``valid_until``)."""
        with self._lock:
            item = self._items.get(key)
            if (
                item is None
                or item[0] != version
                or (item[1] is not None and (now is None or now >= item[1]))
            ):
                return None
            self._items.move_to_end(key)
            return item[2]

    def get_or_compute(
        self,
        key: Hashable,
        version: Hashable,
        compute: Callable[[], Any],
        now: datetime | None = None,
        valid_until: Callable[[Any], datetime | None] | None = None,
    ) -> Any:
        """The value stored for ``key`` at ``version``, else ``compute()`` stored there
        (until ``valid_until(value)`` when given). Two threads that miss at once both
        compute; the later one's value stays."""
        value = self.get(key, version, now)
        if value is None:
            value = compute()
            self.put(key, version, value, valid_until(value) if valid_until else None)
        return value

    def put(self, key: Hashable, version: Hashable, value: Any, valid_until=None) -> None:
        with self._lock:
            self._items[key] = (version, valid_until, value)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def _bump(session: Session, names: set[str]) -> None:
    connection = session.connection()
    table = cast(Table, ChangeCounter.__table__)  # typed as any FromClause
    for name in sorted(names):
        bumped = connection.execute(
            update(table).where(table.c.name == name).values(value=table.c.value + 1)
        )
        if bumped.rowcount == 0:
            connection.execute(table.insert().values(name=name, value=1))


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context) -> None:
    changed = {type(obj) for obj in chain(session.new, session.dirty, session.deleted)}
    if not changed:
        return
    names = {name for name, models in _WATCHED.items() if changed.intersection(models)}
    if names:
        _bump(session, names)


@event.listens_for(Session, "do_orm_execute")
def _bulk_statements(state) -> None:
    if not (state.is_update or state.is_delete) or state.bind_mapper is None:
        return
    model = state.bind_mapper.class_
    names = {name for name, models in _WATCHED.items() if model in models}
    if names:
        _bump(state.session, names)
