""" "Suggested for you": other participants ranked by how their offers meet your requests.

Score of a pair (one side's request, the other's offer) = 2 × shared tags + shared
title/description words (crudely stemmed, stop words dropped). A partnership counts as
both offer and request. Shared organisation sectors add a little. The best pair
becomes the reason shown: "they offer hydraulic cylinders, you request cylinders".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from ..extensions import db
from .models import Opportunity, Participant
from .tags import unpack_tags

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
        tags = frozenset(unpack_tags(opportunity.tags))
        text = " ".join([opportunity.title, opportunity.description[:500], *tags])
        return cls(
            opportunity.participant_id, opportunity.kind, opportunity.title, tags, words(text)
        )

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


def suggestions_for(me: Participant, limit: int = 10) -> list[Suggestion]:
    """The approved participants of ``me``'s event that fit ``me`` best, best first."""
    mine = [Need.of(o) for o in me.opportunities]
    my_requests = [n for n in mine if n.requests]
    my_offers = [n for n in mine if n.offers]
    my_sectors = set(unpack_tags(me.organisation.sectors))
    if not mine and not my_sectors:
        return []
    rows = db.session.execute(
        select(Opportunity)
        .join(Opportunity.participant)
        .where(
            Participant.event_id == me.event_id,
            Participant.status == "approved",
            Participant.id != me.id,
            Participant.organisation_id != me.organisation_id,
        )
        .options(contains_eager(Opportunity.participant))
    ).scalars()
    best: dict[int, list[tuple[float, str]]] = {}
    for opportunity in rows:
        theirs = Need.of(opportunity)
        found = best.setdefault(theirs.participant_id, [])
        if theirs.offers:
            for need in my_requests:
                score = pair_score(need, theirs)
                if score:
                    found.append((score, _reason(theirs, need, True)))
        if theirs.requests:
            for offer in my_offers:
                score = pair_score(theirs, offer)
                if score:
                    found.append((score, _reason(theirs, offer, False)))
    scored: list[tuple[float, int, list[str]]] = []
    for pid, pairs in best.items():
        if not pairs:
            continue
        pairs.sort(key=lambda p: -p[0])
        scored.append((sum(s for s, _ in pairs[:3]), pid, [r for _, r in pairs[:2]]))
    scored.sort(key=lambda t: (-t[0], t[1]))
    top = scored[:limit]
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
        shared = my_sectors & set(unpack_tags(person.organisation.sectors))
        if shared:
            score += 0.5 * len(shared)
        result.append(Suggestion(person, score, reasons))
    result.sort(key=lambda s: (-s.score, s.participant.id))
    return result
