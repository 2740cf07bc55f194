"""The event's directory: approved participants and their opportunities, searched and filtered.

Filters are one query narrowed by the (event_id, status) index, giving the matching ids
in display order; words typed in the search box are matched in Python against a
per-process text of each participant (organisation, name, sectors, opportunities),
rebuilt when the "directory" data version moves. The 20-row page and its opportunities
come in one more query.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from sqlalchemy import or_, select
from sqlalchemy.orm import contains_eager, selectinload

from .. import changes
from ..extensions import db
from .models import (
    OPPORTUNITY_KINDS,
    ORGANISATION_KINDS,
    Favourite,
    Opportunity,
    Organisation,
    Participant,
)
from .tags import normalise_tag, tag_key, unpack_tags

PER_PAGE = 20
MAX_QUERY = 100


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
        """The words searched for (all must match; at most five count)."""
        return self.q.split()[:5]

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
class DirectoryPage:
    items: list[Participant]
    total: int
    page: int
    per_page: int = PER_PAGE
    filters: DirectoryFilters = field(default_factory=DirectoryFilters)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_") + "%"


SEARCH = "directory"
# Everything the search reads; any change to it moves the version and rebuilds the text.
changes.watch(SEARCH, Participant, Organisation, Opportunity)
_texts_cache = changes.VersionedCache(size=16)  # event id -> {participant id: text}


def clear_cache() -> None:
    _texts_cache.clear()


def _texts(event_id: int) -> dict[int, str]:
    """Participant id -> everything searchable about them, case-folded, for one event.

    Built once per data version (per process) rather than scanning every opportunity's
    description with LIKE on each keystroke: a search is then a substring test over at
    most the event's participants. Case folding is Unicode's, so "ÜLO" finds "Ülo"
    (SQLite's LIKE folds ASCII only).
    """
    version = changes.version(SEARCH)
    cached = _texts_cache.get(event_id, version)
    if cached is not None:
        return cached
    scope = (Participant.event_id == event_id, Participant.status == "approved")
    parts: dict[int, list[str]] = {}
    for pid, org, person, sectors in db.session.execute(
        select(Participant.id, Organisation.name, Participant.name, Organisation.sectors)
        .join(Participant.organisation)
        .where(*scope)
    ):
        parts[pid] = [org, person, sectors]
    for pid, title, tags, description in db.session.execute(
        select(
            Opportunity.participant_id,
            Opportunity.title,
            Opportunity.tags,
            Opportunity.description,
        )
        .join(Opportunity.participant)
        .where(*scope)
    ):
        parts[pid] += [title, tags, description]
    texts = {pid: "\n".join(fields).casefold() for pid, fields in parts.items()}
    _texts_cache.put(event_id, version, texts)
    return texts


def text_matches(event_id: int, words: list[str]) -> set[int]:
    """Participants whose name, organisation, sectors or opportunities contain every word."""
    folded = [w.casefold() for w in words]
    return {pid for pid, text in _texts(event_id).items() if all(w in text for w in folded)}


def search_directory(
    event, filters: DirectoryFilters, viewer: Participant | None = None
) -> DirectoryPage:
    """Approved participants of ``event`` that match ``filters``, one page of them."""
    conditions = [Participant.event_id == event.id, Participant.status == "approved"]
    if filters.sector:
        tag = _like(f"|{filters.sector}|")
        conditions.append(
            or_(
                Organisation.sectors.ilike(tag, escape="\\"),
                Participant.id.in_(
                    select(Opportunity.participant_id).where(
                        Opportunity.tags.ilike(tag, escape="\\")
                    )
                ),
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

    # One pass finds every matching id in display order (at most the event's size);
    # counting and slicing that list saves running the LIKE scans a second time.
    ids = list(
        db.session.scalars(
            select(Participant.id)
            .join(Participant.organisation)
            .where(*conditions)
            .order_by(Organisation.name, Participant.name, Participant.id)
        )
    )
    if filters.q:
        found = text_matches(event.id, filters.words)
        ids = [i for i in ids if i in found]
    total = len(ids)
    pages = max(1, math.ceil(total / PER_PAGE))
    page = min(filters.page, pages)
    page_ids = ids[(page - 1) * PER_PAGE : page * PER_PAGE]
    loaded = {
        p.id: p
        for p in db.session.scalars(
            select(Participant)
            .join(Participant.organisation)
            .where(Participant.id.in_(page_ids))
            .options(
                contains_eager(Participant.organisation), selectinload(Participant.opportunities)
            )
        )
    }
    items = [loaded[i] for i in page_ids]
    filters.page = page
    return DirectoryPage(items=items, total=total, page=page, filters=filters)


def filter_choices(event) -> dict:
    """Sectors and countries present in the event, for the filter menus."""
    rows = db.session.execute(
        select(Organisation.country, Organisation.sectors)
        .join(Participant, Participant.organisation_id == Organisation.id)
        .where(Participant.event_id == event.id, Participant.status == "approved")
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
