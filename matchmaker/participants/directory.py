"""The event's directory: approved participants and their opportunities, searched and filtered.

One query with LIKE/ILIKE over organisation name, participant name and opportunity
title/description/tags, narrowed first by the (event_id, status) index; a count and a
20-row page; the page's opportunities come in one more query.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from sqlalchemy import or_, select
from sqlalchemy.orm import contains_eager, selectinload

from ..extensions import db
from .models import (
    OPPORTUNITY_KINDS,
    ORGANISATION_KINDS,
    Favourite,
    Opportunity,
    Organisation,
    Participant,
)
from .tags import normalise_tag, unpack_tags

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


def search_directory(
    event, filters: DirectoryFilters, viewer: Participant | None = None
) -> DirectoryPage:
    """Approved participants of ``event`` that match ``filters``, one page of them."""
    conditions = [Participant.event_id == event.id, Participant.status == "approved"]
    if filters.q:
        words = filters.q.split()[:5]
        for word in words:
            pattern = _like(word)
            opp_match = (
                select(Opportunity.participant_id)
                .where(
                    or_(
                        Opportunity.title.ilike(pattern, escape="\\"),
                        Opportunity.tags.ilike(pattern, escape="\\"),
                        Opportunity.description.ilike(pattern, escape="\\"),
                    )
                )
                .scalar_subquery()
            )
            conditions.append(
                or_(
                    Organisation.name.ilike(pattern, escape="\\"),
                    Participant.name.ilike(pattern, escape="\\"),
                    Organisation.sectors.ilike(pattern, escape="\\"),
                    Participant.id.in_(opp_match),
                )
            )
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
    sectors = sorted({tag for _, packed in rows for tag in unpack_tags(packed)})
    return {
        "countries": countries,
        "sectors": sectors,
        "org_kinds": ORGANISATION_KINDS,
        "opp_kinds": OPPORTUNITY_KINDS,
    }
