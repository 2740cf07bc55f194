"""``INSERT ... ON CONFLICT`` for the database in use (SQLite and PostgreSQL both have it):
one statement, so concurrent writers of the same row never lose each other's answer."""

from __future__ import annotations

from ..extensions import db


def insert_for(model):
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(model)
