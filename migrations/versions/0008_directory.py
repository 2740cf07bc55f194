"""finding partners (organisation pages, full-text search)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 01:40:00

The directory's full-text search is the database's own (matchmaker/participants/search.py):

- SQLite: FTS5 tables over organisations (name, sectors, description), participants
  (name) and opportunities (title, tags, description), external-content tables kept in
  step by triggers on insert, update and delete, tokenised with ``unicode61
  remove_diacritics 2`` so "hudrosilinder" finds "Hüdrosilinder".
- PostgreSQL: a stored generated ``search_vector`` tsvector column on each of those
  tables (the heavy columns weighted 'A', descriptions 'C'), GIN-indexed, built with
  ``unaccent`` through an IMMUTABLE wrapper (generated columns accept only immutable
  functions; ``unaccent(regdictionary, text)`` with its dictionary named is stable in
  practice, the documented way to index it).

Either way the database keeps the index in step with every writer (forms, imports,
the demo loader, plain SQL). A later batch_alter_table on one of these tables in SQLite
recreates the table and drops its triggers: such a migration must call
``create_sqlite_triggers`` again.
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# table -> (heavy columns, light columns): heavy ones (names, titles, tags) rank above light.
INDEXED = {
    "organisations": (("name", "sectors"), ("description",)),
    "participants": (("name",), ()),
    "opportunities": (("title", "tags"), ("description",)),
}
TOKENIZER = "unicode61 remove_diacritics 2"


def _sqlite_fts(table: str) -> None:
    heavy, light = INDEXED[table]
    cols = ", ".join(heavy + light)
    op.execute(
        f"CREATE VIRTUAL TABLE {table}_fts USING fts5({cols}, content='{table}', "
        f"content_rowid='id', tokenize='{TOKENIZER}')"
    )
    op.execute(f"INSERT INTO {table}_fts({table}_fts) VALUES ('rebuild')")
    create_sqlite_triggers(table)


def create_sqlite_triggers(table: str) -> None:
    """The three triggers keeping ``<table>_fts`` in step with ``table``."""
    heavy, light = INDEXED[table]
    columns = heavy + light
    cols = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    fts = f"{table}_fts"
    insert = f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.id, {new});"
    delete = f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.id, {old});"
    op.execute(f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN {insert} END")
    op.execute(f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN {delete} END")
    # Only edits of indexed columns: a participant's status or timestamps change often.
    op.execute(
        f"CREATE TRIGGER {fts}_au AFTER UPDATE OF {cols} ON {table} BEGIN {delete} {insert} END"
    )


def _postgres_vector(table: str) -> None:
    heavy, light = INDEXED[table]
    parts = [
        f"setweight(to_tsvector('simple', matchmaker_unaccent(coalesce({c}, ''))), '{w}')"
        for cols, w in ((heavy, "A"), (light, "C"))
        for c in cols
    ]
    op.execute(
        f"ALTER TABLE {table} ADD COLUMN search_vector tsvector "
        f"GENERATED ALWAYS AS ({' || '.join(parts)}) STORED"
    )
    op.execute(f"CREATE INDEX ix_{table}_search_vector ON {table} USING gin (search_vector)")


def upgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for table in INDEXED:
            _sqlite_fts(table)
    elif dialect == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        op.execute(
            "CREATE OR REPLACE FUNCTION matchmaker_unaccent(text) RETURNS text "
            "LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT "
            "AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$"
        )
        for table in INDEXED:
            _postgres_vector(table)


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for table in INDEXED:
            for suffix in ("ai", "ad", "au"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_fts_{suffix}")
            op.execute(f"DROP TABLE IF EXISTS {table}_fts")
    elif dialect == "postgresql":
        for table in INDEXED:
            op.execute(f"DROP INDEX IF EXISTS ix_{table}_search_vector")
            op.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_vector")
        op.execute("DROP FUNCTION IF EXISTS matchmaker_unaccent(text)")
