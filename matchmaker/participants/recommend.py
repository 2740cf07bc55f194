""" "Suggested for you": organisations ranked by how well the two sides meet, with true reasons.

A pair is one side's request and the other side's offer (a partnership is both). They
match only on what both name: their tags and the meaningful words of their titles
(crudely stemmed; stop words and marketplace filler such as "services" or "supplier"
dropped). Descriptions are not compared: a shared word buried in a description made
reasons nobody could see ("they request European hydraulic cylinder brands, you offer
Electric wheel-hub drives"). Score of a pair = 2 x shared tags + shared words.

An organisation's score is two-way: for each of my organisation's requests the best of
their offers, plus for each of my offers the best of their requests; a match both ways
counts its weaker direction once more. Every reason names the two opportunities and the
words they share, so no reason is shown that shares nothing. My own organisation and
organisations I already have a meeting or a request with are not suggested.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Set
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain

from sqlalchemy import func, select

from .. import changes
from ..extensions import db
from .models import Opportunity, Participant
from .tags import tag_key, unpack_tags

STOP_WORDS = frozenset(
    "a an and are as at be by for from in into is it of on or our the to we with you your "
    "up per all any new more most other than that this these those their them they".split()
)
# Words every marketplace repeats: sharing one says nothing about a match.
FILLER = frozenset(
    "service services solution solutions product products supplier suppliers provider "
    "providers partner partners partnership programme program seeking looking offer offers "
    "offering request requests need needs custom company companies high quality based".split()
)
WORD = re.compile(r"[^\W\d_]{3,}", re.UNICODE)


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    for suffix in ("ies", "es", "s", "ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def _meaningful(word: str) -> bool:
    return word not in STOP_WORDS and word not in FILLER


@lru_cache(maxsize=50_000)
def surface_words(text: str) -> dict[str, str]:
    """Stem -> the word as written (first one), for the meaningful words of ``text``."""
    found: dict[str, str] = {}
    for raw in WORD.findall(text):
        low = raw.casefold()
        if _meaningful(low):
            found.setdefault(_stem(low), raw)
    return found


def words(text: str) -> frozenset[str]:
    return frozenset(surface_words(text))


@lru_cache(maxsize=50_000)
def _tags(packed: str) -> frozenset[str]:
    return frozenset(tag_key(t) for t in unpack_tags(packed))


@dataclass(frozen=True)
class Need:
    """One opportunity reduced to what matching needs: tags and the words of title and tags."""

    organisation_id: int
    kind: str
    title: str
    tags: frozenset[str]
    words: frozenset[str]
    tag_names: tuple[str, ...] = ()  # as written

    @property
    def tag_text(self) -> str:
        return " ".join(self.tag_names)

    @classmethod
    def of(cls, opportunity: Opportunity, organisation_id: int) -> Need:
        return cls.from_row(organisation_id, opportunity.kind, opportunity.title, opportunity.tags)

    @classmethod
    def from_row(cls, organisation_id, kind, title, packed_tags) -> Need:
        names = tuple(unpack_tags(packed_tags))
        tags = _tags(packed_tags or "")
        return cls(organisation_id, kind, title, tags, words(title) | words(" ".join(names)), names)

    @property
    def offers(self) -> bool:
        return self.kind in ("offer", "partnership")

    @property
    def requests(self) -> bool:
        return self.kind in ("request", "partnership")

    def key(self) -> tuple[str, str]:
        return (self.kind, self.title.casefold())


def pair_score(request: Need, offer: Need) -> int:
    return 2 * len(request.tags & offer.tags) + len(request.words & offer.words)


@dataclass(frozen=True)
class Reason:
    """Why to meet: their opportunity and mine, and the words both name (as written)."""

    they_offer: bool
    theirs: str
    mine: str
    shared: tuple[str, ...]
    marks: tuple[str, ...] = ()  # the shared words as each title spells them, to highlight


def shared_words(a: Need, b: Need) -> tuple[str, ...]:
    """The words ``a`` and ``b`` both name, as ``a`` writes them: shared tags whole, then
    shared title words no shared tag holds (each once, whatever its case)."""
    shown: dict[str, str] = {}
    for tag in a.tag_names:
        if tag_key(tag) in b.tags:
            shown.setdefault(tag.casefold(), tag)
    covered = words(" ".join(shown.values()))
    spelled = {
        **surface_words(b.title + " " + b.tag_text),
        **surface_words(a.title + " " + a.tag_text),
    }
    for stem in sorted(a.words & b.words):
        if stem not in covered:
            word = spelled.get(stem, stem)
            shown.setdefault(word.casefold(), word)
    return tuple(shown.values())


def title_marks(a: Need, b: Need) -> tuple[str, ...]:
    """The shared words as the two titles spell them ("Hydraulic" for "hydraulics")."""
    stems = a.words & b.words
    found = {
        word for need in (a, b) for stem, word in surface_words(need.title).items() if stem in stems
    }
    return tuple(sorted(found, key=len, reverse=True))


@dataclass
class Market:
    """An event's opportunities, parsed once per change rather than once per request."""

    needs: list[Need]
    # Inverted indexes, one per side ("offers", "requests"; a partnership is on both):
    # word (tags' words included) or tag -> positions in ``needs``.
    by_word: dict[str, dict[str, list[int]]] = field(default_factory=dict)
    by_tag: dict[str, dict[str, list[int]]] = field(default_factory=dict)

    org_of: list[int] = field(default_factory=list)  # position -> organisation id

    def __post_init__(self) -> None:
        self.org_of = [need.organisation_id for need in self.needs]
        for side in ("offers", "requests"):
            words_index: dict[str, list[int]] = {}
            tags_index: dict[str, list[int]] = {}
            self.by_word[side], self.by_tag[side] = words_index, tags_index
            for i, need in enumerate(self.needs):
                if not getattr(need, side):
                    continue
                for w in need.words:
                    words_index.setdefault(w, []).append(i)
                for t in need.tags:
                    tags_index.setdefault(t, []).append(i)

    def scores(self, need: Need, side: str) -> Counter[int]:
        """``pair_score`` of ``need`` with every opportunity on ``side`` ("offers" or
        "requests") that shares a word or tag with it."""
        words_index, tags_index = self.by_word[side], self.by_tag[side]
        hits: Counter[int] = Counter()
        hits.update(chain.from_iterable(words_index.get(w, ()) for w in need.words))
        shared_tags = list(chain.from_iterable(tags_index.get(t, ()) for t in need.tags))
        hits.update(shared_tags)
        hits.update(shared_tags)  # a shared tag counts twice more than a shared word
        return hits


_markets = changes.VersionedCache(size=16)  # event id -> Market
MARKET = "market"
# Edits of an opportunity, approvals and organisation changes all move this version.
changes.watch(MARKET, Opportunity, Participant)


def clear_cache() -> None:
    _markets.clear()


def _market(event_id: int) -> Market:
    """The parsed marketplace, rebuilt only when its opportunities or approvals change:
    the "market" data version moves on every such change (``matchmaker.changes``); count,
    id sum and newest opportunity of the event are checked too.
    """
    scope = (Participant.event_id == event_id, Participant.status == "approved", Participant.listed)
    key = (changes.version(MARKET),) + tuple(
        db.session.execute(
            select(
                func.count(Opportunity.id),
                func.coalesce(func.sum(Opportunity.id), 0),
                func.max(Opportunity.created_at),
            )
            .join(Opportunity.participant)
            .where(*scope)
        ).one()
    )
    return _markets.get_or_compute(event_id, key, lambda: _build_market(scope))


def _build_market(scope) -> Market:
    """The event's needs and offers, once per organisation, from the database."""
    rows = db.session.execute(
        select(Participant.organisation_id, Opportunity.kind, Opportunity.title, Opportunity.tags)
        .join(Opportunity.participant)
        .where(*scope)
        .order_by(Opportunity.id)
    )
    seen: set = set()
    needs = []
    for row in rows:  # colleagues often publish the same opportunity: once per organisation
        need = Need.from_row(*row)
        if (need.organisation_id, need.key()) not in seen:
            seen.add((need.organisation_id, need.key()))
            needs.append(need)
    return Market(needs)


def my_needs(me: Participant) -> list[Need]:
    """What my organisation offers and seeks at the event (all its approved people)."""
    rows = db.session.execute(
        select(Opportunity.kind, Opportunity.title, Opportunity.tags)
        .join(Opportunity.participant)
        .where(
            Participant.event_id == me.event_id,
            Participant.organisation_id == me.organisation_id,
        )
        .order_by(Opportunity.id)
    )
    needs: dict[tuple[str, str], Need] = {}
    for kind, title, tags in rows:
        need = Need.from_row(me.organisation_id, kind, title, tags)
        needs.setdefault(need.key(), need)
    return list(needs.values())


@dataclass
class Match:
    """One organisation's two-way score and its best pair each way."""

    score: int = 0
    seek: int = 0  # sum over my requests of the best of their offers
    offer: int = 0  # sum over my offers of the best of their requests
    # they_offer -> (score, my need's position, their need's position)
    best: dict[bool, tuple[int, int, int]] = field(default_factory=dict)


def rank_organisations(
    me: Participant, exclude: Set[int] = frozenset(), mine=None, market=None
) -> dict[int, Match]:
    """Organisation id -> its match with ``me``'s organisation (those sharing a word)."""
    mine = my_needs(me) if mine is None else mine
    market = _market(me.event_id) if market is None else market
    org_of = market.org_of
    skip = set(exclude) | {me.organisation_id}
    matches: dict[int, Match] = {}
    for k, need in enumerate(mine):
        for they_offer, wanted in ((True, need.requests), (False, need.offers)):
            if not wanted:
                continue
            # Per organisation, the best of its opportunities for this need (plain ints:
            # at 8,000 opportunities this loop is the whole cost of a suggestion page).
            best: dict[int, int] = {}
            where: dict[int, int] = {}
            for i, score in market.scores(need, "offers" if they_offer else "requests").items():
                org = org_of[i]
                if score > best.get(org, 0) and org not in skip:
                    best[org] = score
                    where[org] = i
            for org, score in best.items():
                match = matches.get(org)
                if match is None:
                    match = matches[org] = Match()
                if they_offer:
                    match.seek += score
                else:
                    match.offer += score
                if score > match.best.get(they_offer, (0,))[0]:
                    match.best[they_offer] = (score, k, where[org])
    for match in matches.values():
        match.score = match.seek + match.offer + min(match.seek, match.offer)
    return matches


def suggestions_for(me: Participant, limit: int = 10) -> list:
    """The organisations that fit ``me``'s best, best first, as cards with reasons."""
    from .directory import organisation_cards
    from .organisations import contacted_organisations

    mine = my_needs(me)
    market = _market(me.event_id)
    matches = rank_organisations(me, contacted_organisations(me), mine, market)
    top = sorted(matches, key=lambda org: (-matches[org].score, org))[:limit]
    cards = organisation_cards(me.event_id, top)
    for card in cards:
        match = matches[card.id]
        for they_offer in (True, False):
            if they_offer in match.best:
                _, k, i = match.best[they_offer]
                theirs = market.needs[i]
                shared = shared_words(mine[k], theirs)
                marks = shared + title_marks(mine[k], theirs)
                card.reasons.append(Reason(they_offer, theirs.title, mine[k].title, shared, marks))
        card.score = match.score
    return cards
