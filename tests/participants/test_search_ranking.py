"""Relevance: the database's full-text search (SQLite FTS5 or PostgreSQL tsvector).

The suite runs on SQLite and, with TEST_DATABASE_URL, on PostgreSQL: each run checks its
own backend against the same expected orders, worked out by hand from a small labelled
fixture, so both backends are held to the same results.
"""

import pytest

from matchmaker.participants.directory import DirectoryFilters, search_directory
from matchmaker.participants.models import Opportunity, Organisation
from matchmaker.participants.search import query_words
from matchmaker.participants.tags import pack_tags


def _org(db, make_participant, event, name, opps=(), sectors=(), description="", people=()):
    org = Organisation(name=name, country="FI", sectors=pack_tags(sectors), description=description)
    first = make_participant(event, organisation=org)
    for person in people:
        make_participant(event, organisation=org, name=person)
    for kind, title, tags, text in opps:
        first.opportunities.append(
            Opportunity(kind=kind, title=title, tags=pack_tags(tags), description=text)
        )
    db.flush()
    return first


@pytest.fixture
def market(db, make_event, make_participant):
    """Labelled: who should come first for each search, and why."""
    event = make_event()
    add = lambda *a, **kw: _org(db, make_participant, event, *a, **kw)  # noqa: E731
    orgs = {
        # "hydraulic cylinders" in titles and tags, twice: the strongest match.
        "twice": add(
            "Alpha Works",
            [
                ("offer", "Hydraulic cylinders", ["hydraulics"], "Chrome bars."),
                ("offer", "Telescopic cylinders for tippers", ["hydraulic cylinders"], ""),
            ],
        ),
        # Both words, once each, in a title.
        "title": add("Beta Oy", [("offer", "Hydraulic cylinders up to 400 mm", [], "")]),
        # Both words, in the description only.
        "description": add(
            "Gamma AB",
            [("offer", "Machining", ["cnc"], "We also repair hydraulic cylinders.")],
        ),
        # One word only, in a title: below every organisation matching both.
        "one word": add("Delta AS", [("offer", "Cylinders for engines", [], "")]),
        # Accents: found by "hudrosilinder".
        "accents": add("HÜDROSILINDER OÜ", [("offer", "Silindrid", ["hüdraulika"], "")]),
        # Found by a representative's name and the organisation's description.
        "person": add("Epsilon Ltd", description="Cabins and seats.", people=["Thandi Zulu"]),
        "unrelated": add("Zeta Catering", [("offer", "Lunches", ["food"], "")]),
    }
    me = add("Bell Equipment", [("request", "Hydraulic cylinders", ["hydraulics"], "")])
    return event, me, {label: p.organisation_id for label, p in orgs.items()}


def _search(event, me, q, **filters):
    page = search_directory(event, DirectoryFilters.from_args({"q": q, **filters}), me)
    return [card.id for card in page.items]


def test_results_come_by_relevance_the_same_on_every_backend(db, market):
    event, me, org = market
    by = {v: k for k, v in org.items()}

    def labels(q, **filters):
        return [by.get(i, i) for i in _search(event, me, q, **filters)]

    # All words above some words; titles and tags above descriptions; then the
    # database's rank: two matching opportunities above one, a short text above a long
    # one (FTS5's bm25 and ts_rank's length normalisation agree on both).
    assert labels("hydraulic cylinders") == ["twice", "title", "description", "one word"]
    assert labels("cylinders") == ["twice", "one word", "title", "description"]
    assert labels("cylind") == labels("cylinders")  # a prefix finds the word
    assert labels("hudrosilinder") == ["accents"]  # accents and case folded
    assert labels("HÜDRAULIKA") == ["accents"]
    assert labels("thandi") == ["person"]  # a representative's name
    assert labels("seats") == ["person"]  # the organisation's description
    assert labels("the cylinders for") == labels("cylinders")  # stop words do not count
    assert labels("%") == [] and labels("lunches") == ["unrelated"]
    # Filters still narrow the ranked list.
    assert labels("hydraulic cylinders", sector="hydraulics") == ["twice"]
    assert labels("cylinders", opp_kind="request") == []
    # The searcher's own organisation (its request says "hydraulic cylinders") never.
    assert me.organisation_id not in _search(event, me, "hydraulic cylinders")


def test_the_index_follows_inserts_updates_and_deletes(db, market):
    """The database keeps the index (triggers on SQLite, generated columns on PostgreSQL):
    every writer is seen, not only the forms."""
    event, me, org = market
    delta = db.get(Organisation, org["one word"])
    opp = db.query(Opportunity).filter_by(title="Cylinders for engines").one()
    assert _search(event, me, "gearboxes") == []
    opp.title = "Gearboxes"
    db.flush()
    assert _search(event, me, "gearboxes") == [delta.id]
    assert delta.id not in _search(event, me, "cylinders")
    delta.name = "Omega Drives"
    db.flush()
    assert _search(event, me, "omega") == [delta.id] and _search(event, me, "delta") == []
    db.delete(opp)
    db.flush()
    assert _search(event, me, "gearboxes") == []


def test_query_words():
    assert query_words("  the Hydraulic  cylinders, for hydraulic TRUCKS!") == [
        "hydraulic",
        "cylinders",
        "trucks",
    ]
    assert query_words("a b c d e f g h") == ["b", "c", "d", "e", "f"]
    assert query_words('"cyl*" OR NEAR(x)') == ["cyl", "near", "x"]
