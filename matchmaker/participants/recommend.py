""" "Suggested for you": other participants ranked by how their offers meet your requests.

Score of a pair (one side's request, the other's offer) = 2 × shared tags + shared
title/description words (crudely stemmed, stop words dropped). A partnership counts as
both offer and request. Shared organisation sectors add a little. The best pair
becomes the reason shown: "they offer hydraulic cylinders, you request cylinders".
"""

from __future__ import annotations

import heapq
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager

from .. import changes
from ..extensions import db
from .models import Opportunity, Participant
from .tags import tag_key, unpack_tags

STOP_WORDS = frozenset(
    "a an and are as at be by for from in into is it of on or our the to we with you your "
    "up per all any new more most other than that this these those their them they".split()
)
WORD = re.compile(r"[^\W\d_]{3,}", re.UNICODE)


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    for suffix in ("ies", "es", "s", "ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def words(text: str) -> frozenset[str]:
    return frozenset(_stem(w) for w in WORD.findall(text.lower()) if w not in STOP_WORDS)


# Opportunities change rarely and are read for every "suggested for you": caching the
# parsed form by text keeps the ranking of 8,000 opportunities cheap.
@lru_cache(maxsize=50_000)
def _words(title: str, description: str) -> frozenset[str]:
    return words(title + " " + description)


@lru_cache(maxsize=50_000)
def _tags(packed: str) -> frozenset[str]:
    return frozenset(tag_key(t) for t in unpack_tags(packed))


@dataclass(frozen=True)
class Need:
    """One opportunity reduced to what matching needs."""

    participant_id: int
    kind: str
    title: str
    tags: frozenset[str]
    words: frozenset[str]

    @classmethod
    def of(cls, opportunity: Opportunity) -> Need:
        return cls.from_row(
            opportunity.participant_id,
            opportunity.kind,
            opportunity.title,
            opportunity.tags,
            opportunity.description,
        )

    @classmethod
    def from_row(cls, participant_id, kind, title, packed_tags, description) -> Need:
        tags = _tags(packed_tags)
        return cls(participant_id, kind, title, tags, _words(title, description[:300]) | tags)

    @property
    def offers(self) -> bool:
        return self.kind in ("offer", "partnership")

    @property
    def requests(self) -> bool:
        return self.kind in ("request", "partnership")


def pair_score(request: Need, offer: Need) -> float:
    return 2.0 * len(request.tags & offer.tags) + len(request.words & offer.words)


@dataclass
class Suggestion:
    participant: Participant
    score: float
    reasons: list[str] = field(default_factory=list)


def _reason(theirs: Need, mine: Need, they_offer: bool) -> str:
    if they_offer:
        return f"they offer {theirs.title}, you request {mine.title}"
    return f"they request {theirs.title}, you offer {mine.title}"


@dataclass
class Market:
    """An event's opportunities, parsed once per change rather than once per request."""

    needs: list[tuple[int, Need]]  # (organisation id, need)
    # Inverted indexes, one per side ("offers", "requests"; a partnership is on both):
    # word (tags included) or tag -> positions in ``needs``. A ranking then counts shared
    # words only for opportunities that share some, and in C (``Counter.update``).
    by_word: dict[str, dict[str, list[int]]] = field(default_factory=dict)
    by_tag: dict[str, dict[str, list[int]]] = field(default_factory=dict)

    of_participant: dict[int, list[int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for i, (_, need) in enumerate(self.needs):
            self.of_participant.setdefault(need.participant_id, []).append(i)
        for side in ("offers", "requests"):
            words_index, tags_index = self.by_word[side], self.by_tag[side] = {}, {}
            for i, (_, need) in enumerate(self.needs):
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
    scope = (Participant.event_id == event_id, Participant.status == "approved")
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
    cached = _markets.get(event_id, key)
    if cached is not None:
        return cached
    rows = db.session.execute(
        select(
            Participant.organisation_id,
            Opportunity.participant_id,
            Opportunity.kind,
            Opportunity.title,
            Opportunity.tags,
            Opportunity.description,
        )
        .join(Opportunity.participant)
        .where(*scope)
    )
    market = Market([(org_id, Need.from_row(*row)) for org_id, *row in rows])
    _markets.put(event_id, key, market)
    return market


def suggestions_for(me: Participant, limit: int = 10) -> list[Suggestion]:
    """The approved participants of ``me``'s event that fit ``me`` best, best first."""
    mine = [Need.of(o) for o in me.opportunities]
    my_sectors = _tags(me.organisation.sectors or "")
    if not mine:
        return []
    market = _market(me.event_id)
    my_requests = [n for n in mine if n.requests]
    my_offers = [n for n in mine if n.offers]
    asks = [(need, True) for need in my_requests] + [(need, False) for need in my_offers]
    hits = [market.scores(need, "offers" if offer else "requests") for need, offer in asks]
    # First each participant's best single pair, in plain ints (no per-pair objects: at
    # 8,000 opportunities those made the garbage collector stall every few requests).
    best_pair: dict[int, int] = {}
    for counter in hits:
        for i, score in counter.items():
            org_id, theirs = market.needs[i]
            pid = theirs.participant_id
            if org_id != me.organisation_id and score > best_pair.get(pid, 0):
                best_pair[pid] = score
    # Then exact scores (sum of the best three pairs) in order of best pair, until nobody
    # left could reach the top: a score is at most three times the best pair.
    kept: list[tuple[int, int, list[str]]] = []  # min-heap of (score, -pid, reasons)
    for pid in sorted(best_pair, key=lambda p: (-best_pair[p], p)):
        if len(kept) == limit and 3 * best_pair[pid] < kept[0][0]:
            break
        pairs = sorted(
            (
                (counter[i], k, i)
                for k, counter in enumerate(hits)
                for i in market.of_participant[pid]
                if counter.get(i)
            ),
            key=lambda t: -t[0],
        )
        reasons = [_reason(market.needs[i][1], asks[k][0], asks[k][1]) for _, k, i in pairs[:2]]
        item = (sum(t[0] for t in pairs[:3]), -pid, reasons)
        if len(kept) < limit:
            heapq.heappush(kept, item)
        elif item[:2] > kept[0][:2]:
            heapq.heapreplace(kept, item)
    top = [(score, -neg_pid, reasons) for score, neg_pid, reasons in sorted(kept, reverse=True)]
    people = {
        p.id: p
        for p in db.session.scalars(
            select(Participant)
            .join(Participant.organisation)
            .options(contains_eager(Participant.organisation))
            .where(Participant.id.in_([pid for _, pid, _ in top]))
        )
    }
    result = []
    for score, pid, reasons in top:
        person = people[pid]
        shared = my_sectors & _tags(person.organisation.sectors or "")
        if shared:
            score += 0.5 * len(shared)
        result.append(Suggestion(person, score, reasons))
    result.sort(key=lambda s: (-s.score, s.participant.id))
    return result
