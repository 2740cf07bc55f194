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


# --- one statement per indexed table ---------------------------------------------------------
# One row per organisation comes back to Python: its flags (word k matched anywhere, word
# k matched in a heavy column) and its rank. SQLite looks each word up twice in FTS5
# (anywhere: bit k; in the heavy columns: bit k + 8) and all words once more for the
# rank; PostgreSQL reads the flags off each matching row's tsvector in one scan.


# Only the people the directory lists (approved, and listed by their own choice): a
# search must not find an organisation by the name or the opportunities of someone who
# asked not to be listed (privacy.consent), which would tell that they are there.
def _listed(alias: str = "") -> str:
    """The rule, on a participants row (``alias`` its table's name and a dot)."""
    return f"{alias}event_id = :event AND {alias}status = 'approved' AND {alias}listed"


_LISTED_ORGANISATIONS = f"t.id IN (SELECT organisation_id FROM participants WHERE {_listed()})"
# SQLite's joins (PostgreSQL's are in _PG_SOURCE below).
_OWNER = {
    "organisations": ("JOIN organisations t ON t.id = h.id", "t.id", _LISTED_ORGANISATIONS),
    "participants": ("JOIN participants t ON t.id = h.id", "t.organisation_id", _listed("t.")),
    "opportunities": (
        "JOIN opportunities t ON t.id = h.id JOIN participants p ON p.id = t.participant_id",
        "p.organisation_id",
        _listed("p."),
    ),
}
HEAVY_BIT = 8


def _sqlite_hits(table: str, words: list[str]) -> list[str]:
    heavy, light = SOURCES[table]
    fts = f"{table}_fts"
    parts = []
    for k in range(len(words)):
        parts.append(
            f"SELECT rowid AS id, {1 << k} AS bits, 0.0 AS rank FROM {fts} WHERE {fts} MATCH :p{k}"
        )
        if light:  # with no light columns, anywhere is the heavy columns
            parts.append(
                f"SELECT rowid, {1 << (k + HEAVY_BIT)}, 0.0 FROM {fts} "
                f"WHERE {fts} MATCH '{{{' '.join(heavy)}}} : ' || :p{k}"
            )
    weights = ", ".join([str(HEAVY_WEIGHT)] * len(heavy) + ["1.0"] * len(light))
    # Ranked: the rows matching in their heavy columns (the rank orders within a tier).
    parts.append(
        f"SELECT rowid, 0, -bm25({fts}, {weights}) FROM {fts} "
        f"WHERE {fts} MATCH '{{{' '.join(heavy)}}} : (' || :any || ')'"
    )
    return parts


def _postgres_statement(table: str, words: list[str]) -> str:
    """One scan of the table for any of the words, joined straight to the event's listed
    people and grouped by organisation: each row's flags (word k anywhere, word k in a
    heavy column) and rank are read off its own tsvector, instead of a scan per word and
    per weight (PostgreSQL rechecks weights on the heap: 11 scans of the same rows for
    five words). The people come first as a subquery, so the planner hashes the event's
    2,000 rows instead of looking each matching row's owner up by index (it expects a
    few hundred prefix matches where there are thousands: 31 ms -> 17 ms for three
    words at 8,000 opportunities)."""
    heavy, light = SOURCES[table]

    def word(k: int, weights: str = "") -> str:
        return f"to_tsquery('simple', matchmaker_unaccent(:w{k}) || ':*{weights}')"

    columns = []
    for k in range(len(words)):
        columns.append(f"bool_or(t.search_vector @@ {word(k)})")
        # With no light columns, anywhere is the heavy columns.
        columns.append(f"bool_or(t.search_vector @@ {word(k, 'A' if light else '')})")
    anywhere = " || ".join(word(k) for k in range(len(words)))
    in_heavy = "(" + " || ".join(word(k, "A") for k in range(len(words))) + ")"
    # Normalisation 1 (divided by 1 + the log of the length): a short text above a long
    # one, as bm25 does; only rows matching in their heavy columns are ranked.
    rank = (
        f"sum((CASE WHEN t.search_vector @@ {in_heavy} "
        f"THEN ts_rank(t.search_vector, {in_heavy}, 1) ELSE 0.0 END)::float8)"
    )
    source, scope, org = _PG_SOURCE[table]
    return (
        f"SELECT {org} AS org, {', '.join(columns)}, {rank} FROM {source} "
        f"WHERE t.search_vector @@ ({anywhere}) AND {scope} GROUP BY {org}"
    )


# table -> (the rows searched, as t; the event's listed people only; their organisation)
_PG_SOURCE = {
    "organisations": ("organisations t", _LISTED_ORGANISATIONS, "t.id"),
    "participants": ("participants t", _listed("t."), "t.organisation_id"),
    "opportunities": (
        f"(SELECT id, organisation_id FROM participants WHERE {_listed()}) p "
        "JOIN opportunities t ON t.participant_id = p.id",
        "TRUE",
        "p.organisation_id",
    ),
}


def _statement(table: str, words: list[str], postgres: bool) -> str:
    return _postgres_statement(table, words) if postgres else _sqlite_statement(table, words)


def _sqlite_statement(table: str, words: list[str]) -> str:
    """The hits of every part summed per row (a row has each bit once, so the sum is their
    union), then joined to the event's approved people and grouped by organisation."""
    heavy, light = SOURCES[table]
    parts = _sqlite_hits(table, words)
    join, org, scope = _OWNER[table]
    columns = []
    for k in range(len(words)):
        heavy_bit = 1 << (k + HEAVY_BIT) if light else 1 << k
        columns.append(f"max(h.bits & {1 << k}) > 0, max(h.bits & {heavy_bit}) > 0")
    return (
        f"SELECT {org} AS org, {', '.join(columns)}, sum(h.rank) FROM ("
        f"SELECT id, sum(bits) AS bits, sum(rank) AS rank FROM ("
        + " UNION ALL ".join(parts)
        + f") hits GROUP BY id) h {join} WHERE {scope} GROUP BY {org}"
    )


def clear_cache() -> None:
    """Nothing is cached: the database keeps the index."""


def relevance(event_id: int, words: list[str]) -> dict[int, Relevance]:
    """Organisation id -> its relevance for ``words``, for organisations matching any."""
    if not words:
        return {}
    postgres = db.session.get_bind().dialect.name == "postgresql"
    params: dict[str, object] = {"event": event_id}
    params.update({f"w{k}": w for k, w in enumerate(words)})
    params.update({f"p{k}": f'"{w}"*' for k, w in enumerate(words)})  # a literal prefix
    if not postgres:
        params["any"] = " OR ".join(f'"{w}"*' for w in words)
    matched: dict[int, set[int]] = {}
    heavy: dict[int, set[int]] = {}
    rank: dict[int, float] = {}
    for table in SOURCES:
        for org, *flags, value in db.session.execute(
            text(_statement(table, words, postgres)), params
        ):
            for k in range(len(words)):
                if flags[2 * k]:
                    matched.setdefault(org, set()).add(k)
                if flags[2 * k + 1]:
                    heavy.setdefault(org, set()).add(k)
            rank[org] = rank.get(org, 0.0) + float(value or 0.0)
    return {
        org: Relevance(len(ks), len(heavy.get(org, ())), rank.get(org, 0.0))
        for org, ks in matched.items()
    }
