"""'Download my data': everything the app holds about an account, as one document.

Read from the schema itself: every row of every table that points at the account or at
one of its participations (by a foreign key), so a table added later is included
without anyone remembering to. Secrets (password and code hashes, feed and session
tokens) are left out: they are the app's locks, not the person's data.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select

from ..dbtypes import utcnow
from ..extensions import db

#: Columns never exported: hashes and tokens that would only help someone break in.
SECRET_COLUMNS = {
    "password_hash",
    "totp_secret",
    "recovery_codes",
    "token_hash",
    "nonce",
    "token",
}
#: Tables whose key itself is a secret (a session's id is the hash of its cookie).
SECRET_TABLES = {"user_sessions", "attempt_counters"}
#: Columns of a row about the account that hold the event's data, not the account's: a
#: solver run the organiser started keeps its figures, but not everyone's schedule.
EVENT_COLUMNS = {"solver_runs": {"result", "progress"}}


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def _rows(table, column, ids) -> list[dict]:
    left_out = SECRET_COLUMNS | EVENT_COLUMNS.get(table.name, set())
    keep = [c for c in table.columns if c.name not in left_out]
    result = db.session.execute(select(*keep).where(column.in_(ids)).order_by(*table.primary_key))
    return [{k: _plain(v) for k, v in row._mapping.items()} for row in result]


def _pointing_at(target: str):
    """(table, column) pairs whose column is a foreign key to ``target``.id."""
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if any(fk.column.table.name == target for fk in column.foreign_keys):
                yield table, column


#: Beyond this many rows the JSON is made by the job worker and mailed to the account.
LARGE_ROWS = 20_000


def row_count(user) -> int:
    """How many rows ``collect`` would read (counted, not loaded)."""
    from sqlalchemy import func

    from ..participants.models import Participant

    places = list(db.session.scalars(select(Participant.id).where(Participant.user_id == user.id)))
    total = 1 + len(places)
    for target, ids in (("users", [user.id]), ("participants", places)):
        for table, column in _pointing_at(target) if ids else ():
            if table.name != "participants":
                total += (
                    db.session.scalar(
                        select(func.count()).select_from(table).where(column.in_(ids))
                    )
                    or 0
                )
    return total


def as_json(user) -> str:
    return json.dumps(collect(user), indent=2, ensure_ascii=False, default=str)


def collect(user) -> dict:
    """The account's data: the account, then each table's rows about it or its places."""
    from ..accounts.models import User
    from ..participants.models import Participant

    account = _rows(User.__table__, User.__table__.c.id, [user.id])[0]
    places = _rows(Participant.__table__, Participant.__table__.c.user_id, [user.id])
    place_ids = [p["id"] for p in places]
    data: dict = {
        "exported_at": utcnow().isoformat(),
        "account": account,
        "participations": places,
    }
    for target, ids in (("users", [user.id]), ("participants", place_ids)):
        if not ids:
            continue
        for table, column in _pointing_at(target):
            if table.name in SECRET_TABLES or table.name == "participants":
                if table.name == "user_sessions":
                    data.setdefault("sessions", []).extend(_session_rows(user))
                continue
            rows = _rows(table, column, ids)
            if rows:
                # A table that points at the account twice (or at it and a place) gives
                # a row once; rows may hold JSON (dicts, lists): compared as text.
                data.setdefault(table.name, [])
                seen = {_row_key(r) for r in data[table.name]}
                for row in rows:
                    if _row_key(row) not in seen:
                        data[table.name].append(row)
    return data


def _row_key(row: dict) -> str:
    return json.dumps(row, sort_keys=True, default=str)


def _session_rows(user) -> list[dict]:
    from ..accounts.models import UserSession

    return [
        {
            "created_at": _plain(s.created_at),
            "last_seen_at": _plain(s.last_seen_at),
            "user_agent": s.user_agent,
        }
        for s in db.session.scalars(select(UserSession).where(UserSession.user_id == user.id))
    ]


def section_title(name: str) -> str:
    return name.replace("_", " ").capitalize()
