"""Suggested for you: organisations, two-way, each reason naming the words both sides share."""

import random
import re

import pytest

from matchmaker.meetings.models import MeetingRequest
from matchmaker.participants.models import Opportunity, Organisation, Participant
from matchmaker.participants.recommend import (
    FILLER,
    STOP_WORDS,
    Market,
    Need,
    pair_score,
    suggestions_for,
)
from matchmaker.participants.tags import pack_tags


def _org(db, make_participant, event, name, opps):
    person = make_participant(event, organisation=Organisation(name=name, country="FI"))
    for kind, title, tags in opps:
        person.opportunities.append(Opportunity(kind=kind, title=title, tags=pack_tags(tags)))
    db.flush()
    return person


@pytest.fixture
def market(db, make_event, make_participant):
    """A small market, labelled by hand: who truly meets Bell Equipment's needs, and how."""
    event = make_event()
    add = lambda name, *opps: _org(db, make_participant, event, name, opps)  # noqa: E731
    me = add(
        "Bell Equipment",
        ("request", "Hydraulic cylinders for articulated dump trucks", ["hydraulics"]),
        ("request", "Operator cabins", ["cabins", "ROPS"]),
        ("offer", "Supplier programme for the Eisenach plant", ["supply chain", "Germany"]),
        ("offer", "Electric wheel-hub drives", []),
    )
    colleague = make_participant(event, organisation=me.organisation)
    colleague.opportunities.append(Opportunity(kind="request", title="Welded steel frames"))
    true = {
        # Both ways: offers cylinders, seeks a supply-chain partner in Germany.
        "both ways": add(
            "HydroCyl Oy",
            ("offer", "Custom hydraulic cylinders", ["hydraulics", "hydraulic cylinders"]),
            ("request", "Supply chain partner in Germany", ["supply chain", "Germany"]),
        ),
        "cabins": add("Kabiini Works", ("offer", "ROPS cabins for heavy machines", ["ROPS"])),
        "welding": add("Weld Oy", ("offer", "Steel frames, welded to order", ["welding"])),
    }
    false = {
        # The false reason: they seek cylinders, Bell offers wheel-hub drives.
        "seeks what I seek": add(
            "Brand Hunters", ("request", "European hydraulic cylinder brands", [])
        ),
        # Shares only marketplace filler ("services", "solutions", "supplier").
        "filler": add("Generic Services", ("offer", "Supplier services and solutions", [])),
        "nothing": add("Catering Co", ("offer", "Lunches", ["food"])),
    }
    return event, me, true, false


def test_every_reason_names_a_shared_word_and_true_matches_come_first(db, market):
    event, me, true, false = market
    my_opportunities = (
        db.query(Opportunity)
        .join(Participant)
        .filter(Participant.organisation_id == me.organisation_id)
        .all()
    )
    cards = suggestions_for(me, limit=10)
    names = [c.organisation.name for c in cards]
    got = [c.id for c in cards]
    assert set(got) == {p.organisation_id for p in true.values()}, names
    assert got[0] == true["both ways"].organisation_id  # the two-way match first
    assert me.organisation_id not in got  # never my own organisation
    for card in cards:
        assert card.reasons, card.organisation.name
        for reason in card.reasons:
            assert reason.shared, reason
            for word in reason.shared:
                assert word.casefold() not in STOP_WORDS | FILLER
                stem = word.casefold()[:4]
                # Named by both opportunities (title or tags), not just one side.
                assert stem in _text(card.opportunities, reason.theirs), reason
                assert stem in _text(my_opportunities, reason.mine), reason
    both = next(c for c in cards if c.id == true["both ways"].organisation_id)
    assert {r.they_offer for r in both.reasons} == {True, False}


def _text(opportunities, title):
    opp = next(o for o in opportunities if o.title == title)
    return (opp.title + " " + opp.tags).casefold()


def test_the_page_marks_shared_words_and_hides_organisations_already_asked(
    client, db, market, auth
):
    event, me, true, false = market
    auth.login(me.user)
    html = client.get(f"/events/{event.slug}/suggestions").get_data(as_text=True)
    order = [int(i) for i in re.findall(r'id="organisation-(\d+)"', html)]
    assert order[0] == true["both ways"].organisation_id
    assert "<mark>hydraulic</mark>" in html.casefold() or "<mark>hydraulics</mark>" in html
    assert "Brand Hunters" not in html and "wheel-hub" not in html
    cabins = true["cabins"]
    db.add(
        MeetingRequest(
            event_id=event.id,
            requester_id=cabins.id,
            recipient_id=me.id,
            pair_low=min(me.id, cabins.id),
            pair_high=max(me.id, cabins.id),
        )
    )
    db.flush()
    html = client.get(f"/events/{event.slug}/suggestions").get_data(as_text=True)
    assert f'id="organisation-{cabins.organisation_id}"' not in html


def test_indexed_scores_equal_the_pairwise_definition():
    """The market's inverted index must score exactly like ``pair_score`` pair by pair."""
    texts = [
        ("offer", "Hydraulic cylinders", "|hydraulic cylinders|hydraulics|"),
        ("request", "Cylinders for dump trucks", "|hydraulic cylinders|"),
        ("partnership", "Welding robots", "|welding|automation|"),
        ("offer", "Catering services", "|food|"),
    ]
    needs = [Need.from_row(i, *row) for i, row in enumerate(texts)]
    market = Market(needs)
    for mine in needs:
        for side in ("offers", "requests"):
            expected = {
                i: pair_score(mine, n)
                for i, n in enumerate(needs)
                if pair_score(mine, n) and getattr(n, side)
            }
            assert market.scores(mine, side) == expected


def test_suggestions_equal_the_two_way_definition(db, make_event, make_participant):
    """Over a random market: every organisation sharing a word is scored (best offer for
    each of my requests + best request for each of my offers + the weaker way again), and
    the top ones come in that order."""
    rng = random.Random(5)
    vocab = ["cylinders", "cabins", "wheels", "welding", "robots", "seals", "steel", "rims"]
    event = make_event()
    people = []
    for n in range(30):
        opps = [
            (
                rng.choice(["offer", "request", "partnership"]),
                " ".join(rng.sample(vocab, rng.randint(1, 3))),
                rng.sample(vocab, rng.randint(0, 2)),
            )
            for _ in range(rng.randint(1, 3))
        ]
        people.append(_org(db, make_participant, event, f"Company {n}", opps))
    for me in people[:6]:
        mine = [Need.of(o, me.organisation_id) for o in me.opportunities]
        totals = {}
        for other in people:
            if other.organisation_id == me.organisation_id:
                continue
            theirs = [Need.of(o, other.organisation_id) for o in other.opportunities]
            seek = sum(
                max([pair_score(a, b) for b in theirs if b.offers] or [0])
                for a in mine
                if a.requests
            )
            offer = sum(
                max([pair_score(b, a) for b in theirs if b.requests] or [0])
                for a in mine
                if a.offers
            )
            if seek + offer:
                totals[other.organisation_id] = seek + offer + min(seek, offer)
        expected = sorted(totals, key=lambda org: (-totals[org], org))[:5]
        assert [c.id for c in suggestions_for(me, limit=5)] == expected
