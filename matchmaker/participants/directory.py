"""The event's directory: one card per organisation, searched, filtered and ranked.

Filters are one query narrowed by the (event_id, status) index, giving the matching
organisations; words typed in the search box go to the database's own full-text index
(``search.py``: SQLite FTS5 or PostgreSQL tsvector), which also orders the results by
relevance. Without words, organisations come by name. The viewer's own organisation
is never a result (it is reachable from "My organisation"). The 20-card page, its
representatives and their opportunities come in one more query.

The list of matching organisations (by name, before words) and the filter menus are
kept per process at the directory's data version (``changes``: any change to a
registration, an organisation or an opportunity moves it, on whichever node): on an
event day everybody opens the same unfiltered directory again and again, and those two
queries read every registration of the event (most of a directory view's database time).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import contains_eager, selectinload

from .. import changes
from ..extensions import db
from . import search
from .models import (
    OPPORTUNITY_KINDS,
    ORGANISATION_KINDS,
    Favourite,
    Opportunity,
    Organisation,
    Participant,
)
from .search import query_words, relevance
from .tags import normalise_tag, tag_key, unpack_tags

PER_PAGE = 20
MAX_QUERY = 100

#: Moved by any change to what the list of organisations and the filter menus read.
VERSION = "directory"
changes.watch(VERSION, Participant, Organisation, Opportunity)
_lists = changes.VersionedCache(size=256)


@dataclass
class DirectoryFilters:
    q: str = ""
    sector: str = ""
    country: str = ""
    org_kind: str = ""
    opp_kind: str = ""
    favourites: bool = False
    page: int = 1

    @classmethod
    def from_args(cls, args) -> DirectoryFilters:
        try:
            page = max(1, min(int(args.get("page", 1)), 10_000))
        except (TypeError, ValueError):
            page = 1
        org_kind = args.get("org_kind", "")
        opp_kind = args.get("opp_kind", "")
        return cls(
            q=(args.get("q") or "").strip()[:MAX_QUERY],
            sector=normalise_tag(args.get("sector") or ""),
            country=(args.get("country") or "").strip().upper()[:2],
            org_kind=org_kind if org_kind in ORGANISATION_KINDS else "",
            opp_kind=opp_kind if opp_kind in OPPORTUNITY_KINDS else "",
            favourites=args.get("favourites") in ("1", "on", "true", "y"),
            page=page,
        )

    @property
    def words(self) -> list[str]:
        """The words searched for (stop words dropped; at most five count)."""
        return query_words(self.q)

    def as_args(self, **changes) -> dict:
        values = {
            "q": self.q,
            "sector": self.sector,
            "country": self.country,
            "org_kind": self.org_kind,
            "opp_kind": self.opp_kind,
            "favourites": "1" if self.favourites else "",
            "page": self.page,
        }
        values.update(changes)
        return {k: v for k, v in values.items() if v and not (k == "page" and v == 1)}


@dataclass
class OrganisationCard:
    """One organisation in the directory or the suggestions: its people and offers once."""

    organisation: Organisation
    representatives: list[Participant]
    opportunities: list[Opportunity]
    reasons: list = field(default_factory=list)  # suggestions: why (recommend.Reason)
    score: int = 0  # suggestions: the two-way match strength

    @property
    def id(self) -> int:
        return self.organisation.id


@dataclass
class DirectoryPage:
    items: list[OrganisationCard]
    total: int
    page: int
    per_page: int = PER_PAGE
    filters: DirectoryFilters = field(default_factory=DirectoryFilters)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_") + "%"


def clear_cache() -> None:
    search.clear_cache()
    _lists.clear()


def _cached(key: tuple, compute):
    """``compute()``, kept at the directory's data version under ``key``."""
    return _lists.get_or_compute(key, changes.version(VERSION), compute)


def organisation_cards(event_id: int, organisation_ids: list[int]) -> list[OrganisationCard]:
    """Cards for ``organisation_ids`` in that order: the event's approved representatives
    (by name) and their opportunities, each (kind, title) once: colleagues often publish
    the same ones."""
    people = db.session.scalars(
        select(Participant)
        .join(Participant.organisation)
        .where(
            Participant.organisation_id.in_(organisation_ids),
            Participant.event_id == event_id,
            Participant.status == "approved",
            Participant.listed,
        )
        .options(contains_eager(Participant.organisation), selectinload(Participant.opportunities))
        .order_by(Participant.name, Participant.id)
    ).unique()
    cards: dict[int, OrganisationCard] = {}
    seen: dict[int, set] = {}
    for person in people:
        card = cards.setdefault(
            person.organisation_id, OrganisationCard(person.organisation, [], [])
        )
        card.representatives.append(person)
        keys = seen.setdefault(person.organisation_id, set())
        for opp in person.opportunities:
            key = (opp.kind, opp.title.casefold())
            if key not in keys:
                keys.add(key)
                card.opportunities.append(opp)
    return [cards[i] for i in organisation_ids if i in cards]


def search_directory(
    event, filters: DirectoryFilters, viewer: Participant | None = None
) -> DirectoryPage:
    """Organisations with approved representatives at ``event`` matching ``filters``,
    most relevant first when words are searched, one page of them."""
    conditions = [
        Participant.event_id == event.id,
        Participant.status == "approved",
        Participant.listed,  # the person said yes to the directory (privacy.consent)
    ]
    if viewer is not None:
        conditions.append(Participant.organisation_id != viewer.organisation_id)
    if filters.sector:
        tag = _like(f"|{filters.sector}|")
        conditions.append(
            Organisation.sectors.ilike(tag, escape="\\")
            | Participant.id.in_(
                select(Opportunity.participant_id).where(Opportunity.tags.ilike(tag, escape="\\"))
            )
        )
    if filters.country:
        conditions.append(Organisation.country == filters.country)
    if filters.org_kind:
        conditions.append(Organisation.kind == filters.org_kind)
    if filters.opp_kind:
        conditions.append(
            Participant.id.in_(
                select(Opportunity.participant_id).where(Opportunity.kind == filters.opp_kind)
            )
        )
    if filters.favourites and viewer is not None:
        conditions.append(
            Participant.id.in_(
                select(Favourite.target_id).where(Favourite.participant_id == viewer.id)
            )
        )

    # Every matching organisation by name (at most the event's size); counting and
    # slicing that list saves a second query. Kept at the data version, unless it
    # depends on the viewer's bookmarks.
    def matching() -> list[int]:
        return list(
            db.session.scalars(
                select(Organisation.id)
                .join(Participant, Participant.organisation_id == Organisation.id)
                .where(*conditions)
                .group_by(Organisation.id, Organisation.name)
                .order_by(Organisation.name, Organisation.id)
            )
        )

    if filters.favourites and viewer is not None:
        ids = matching()
    else:
        key = (
            "ids", event.id, viewer.organisation_id if viewer is not None else None,
            filters.sector, filters.country, filters.org_kind, filters.opp_kind,
        )  # fmt: skip
        ids = list(_cached(key, matching))
    words = filters.words
    if filters.q and not words:  # only signs or stop words: nothing is named
        ids = []
    elif words:
        found = relevance(event.id, words)
        position = {org_id: n for n, org_id in enumerate(ids)}  # by name, for ties
        ids = sorted(
            (i for i in ids if i in found), key=lambda i: (_descending(found[i]), position[i])
        )
    total = len(ids)
    pages = max(1, math.ceil(total / PER_PAGE))
    page = min(filters.page, pages)
    items = organisation_cards(event.id, ids[(page - 1) * PER_PAGE : page * PER_PAGE])
    filters.page = page
    return DirectoryPage(items=items, total=total, page=page, filters=filters)


def _descending(rel) -> tuple:
    return (-rel.words, -rel.heavy, -rel.rank)


def filter_choices(event) -> dict:
    """Sectors and countries present in the event, for the filter menus (kept at the
    directory's data version)."""
    return dict(_cached(("choices", event.id), lambda: _choices(event.id)))


def _choices(event_id: int) -> dict:
    rows = db.session.execute(
        select(Organisation.country, Organisation.sectors)
        .join(Participant, Participant.organisation_id == Organisation.id)
        .where(Participant.event_id == event_id, Participant.status == "approved")
        .distinct()
    ).all()
    countries = sorted({c for c, _ in rows if c})
    sectors: dict[str, str] = {}  # one entry per tag whatever its casing
    for _, packed in rows:
        for tag in unpack_tags(packed):
            sectors.setdefault(tag_key(tag), tag)
    return {
        "countries": countries,
        "sectors": [sectors[key] for key in sorted(sectors)],
        "org_kinds": ORGANISATION_KINDS,
        "opp_kinds": OPPORTUNITY_KINDS,
    }
