"""Full-text search of an event's organisations: one service, the database's own engine.

The index (migration 0008) is SQLite FTS5 or a PostgreSQL tsvector column with a GIN
index, both accent- and case-folding ("hudrosilinder" finds "Hüdrosilinder"), kept in
step by the database itself (triggers on SQLite, generated columns on PostgreSQL).

Each searched word is a prefix ("cylind" finds "cylinders") looked up twice: in the
heavy columns (organisation name and sectors, representative names, opportunity titles
and tags) and in the light ones (descriptions). An organisation's relevance is then,
in this order:

1. how many of the words it matches anywhere (all words above some words);
2. how many of them it matches in a heavy column (title and tags above description);
3. the database's own rank summed over its matching rows (FTS5 ``bm25`` with the heavy
   columns weighted 10 to 1, PostgreSQL ``ts_rank`` with weights A and C).

The first two are the same on both databases by construction; the third only orders
organisations that tie on both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import text

from ..extensions import db
from .recommend import STOP_WORDS

MAX_WORDS = 5
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)

# source table -> (heavy columns, light columns), as indexed by migration 0008.
SOURCES = {
    "organisations": (("name", "sectors"), ("description",)),
    "participants": (("name",), ()),
    "opportunities": (("title", "tags"), ("description",)),
}
# How each source reaches the organisation and the event (``t`` is the source row).
_SCOPE = {
    "organisations": (
        "t.id",
        "",
        "t.id IN (SELECT organisation_id FROM participants "
        "WHERE event_id = :event AND status = 'approved')",
    ),
    "participants": (
        "t.organisation_id",
        "",
        "t.event_id = :event AND t.status = 'approved'",
    ),
    "opportunities": (
        "p.organisation_id",
        "JOIN participants p ON p.id = t.participant_id",
        "p.event_id = :event AND p.status = 'approved'",
    ),
}
HEAVY_WEIGHT = 10.0


def query_words(q: str) -> list[str]:
    """The words of a search that count: stop words and repeats dropped, at most five."""
    seen: dict[str, None] = {}
    for word in _TOKEN.findall(q or ""):
        if word.casefold() not in STOP_WORDS:
            seen.setdefault(word.casefold(), None)
    return list(seen)[:MAX_WORDS]


@dataclass(frozen=True, order=True)
class Relevance:
    """How well one organisation matches the words; greater is better."""

    words: int  # words matched anywhere
    heavy: int  # words matched in a name, title, tag or sector
    rank: float  # the database's rank, summed over matching rows


def _sqlite_part(table: str, k: int, heavy: bool) -> tuple[str, str]:
    """One FTS5 lookup: (SQL, match expression) for word ``k`` in one column class."""
    heavy_cols, light_cols = SOURCES[table]
    cols = heavy_cols if heavy else light_cols
    weights = ", ".join([str(HEAVY_WEIGHT)] * len(heavy_cols) + ["1.0"] * len(light_cols))
    org, join, scope = _SCOPE[table]
    sql = (
        f"SELECT {k} AS w, {int(heavy)} AS heavy, {org} AS org, "
        f"-bm25({table}_fts, {weights}) AS rank "
        f"FROM {table}_fts JOIN {table} t ON t.id = {table}_fts.rowid {join} "
        f"WHERE {table}_fts MATCH :m{k}{'h' if heavy else 'l'}{table[:3]} AND {scope}"
    )
    return sql, "{" + " ".join(cols) + "}"


def _postgres_part(table: str, k: int, heavy: bool) -> tuple[str, str]:
    org, join, scope = _SCOPE[table]
    query = f"to_tsquery('simple', matchmaker_unaccent(:w{k}) || '{':*A' if heavy else ':*C'}')"
    sql = (
        f"SELECT {k} AS w, {int(heavy)} AS heavy, {org} AS org, "
        f"ts_rank(t.search_vector, {query}, 1) AS rank "
        f"FROM {table} t {join} WHERE t.search_vector @@ {query} AND {scope}"
    )
    return sql, ""


def relevance(event_id: int, words: list[str]) -> dict[int, Relevance]:
    """Organisation id -> its relevance for ``words``, for organisations matching any."""
    if not words:
        return {}
    dialect = db.session.get_bind().dialect.name
    parts: list[str] = []
    params: dict[str, object] = {"event": event_id}
    for k, word in enumerate(words):
        params[f"w{k}"] = word
        for table, (heavy_cols, light_cols) in SOURCES.items():
            for heavy, cols in ((True, heavy_cols), (False, light_cols)):
                if not cols:
                    continue
                if dialect == "postgresql":
                    sql, _ = _postgres_part(table, k, heavy)
                else:
                    sql, columns = _sqlite_part(table, k, heavy)
                    # The word is letters and digits only; quoted, it is a literal prefix.
                    params[f"m{k}{'h' if heavy else 'l'}{table[:3]}"] = f'{columns} : "{word}"*'
                parts.append(sql)
    rows = db.session.execute(
        text(
            "SELECT org, w, max(heavy) AS heavy, sum(rank) AS rank FROM ("
            + " UNION ALL ".join(parts)
            + ") hits GROUP BY org, w"
        ),
        params,
    )
    found: dict[int, list[float]] = {}
    for org, _, heavy, rank in rows:
        tally = found.setdefault(org, [0, 0, 0.0])
        tally[0] += 1
        tally[1] += int(heavy)
        tally[2] += float(rank)
    return {org: Relevance(int(w), int(h), r) for org, (w, h, r) in found.items()}
