"""A participant's opportunities: offers, requests and partnerships in the marketplace."""

from __future__ import annotations

from sqlalchemy import func, select

from ..errors import Conflict, Invalid, NotFound
from ..extensions import db
from .models import OPPORTUNITY_KINDS, Opportunity, Participant
from .services import LIMITS, MAX_OPPORTUNITIES, checked_tags, clean_text, parse_countries


def add_opportunity(participant: Participant, **fields: str) -> Opportunity:
    """Publish an offer, request or partnership in the event's marketplace.

    ``fields``: kind, title and optionally description, tags, target_countries.
    """
    count = (
        db.session.scalar(
            select(func.count(Opportunity.id)).where(Opportunity.participant_id == participant.id)
        )
        or 0
    )
    if count >= MAX_OPPORTUNITIES:
        raise Conflict(f"At most {MAX_OPPORTUNITIES} opportunities each; remove one first.")
    opportunity = Opportunity(participant_id=participant.id)
    _fill_opportunity(opportunity, **fields)
    db.session.add(opportunity)
    db.session.flush()
    return opportunity


def update_opportunity(participant: Participant, opportunity_id: int, **fields: str) -> Opportunity:
    """Change one of the participant's own opportunities (same rules as adding one)."""
    opportunity = own_opportunity(participant, opportunity_id)
    _fill_opportunity(opportunity, **fields)
    db.session.flush()
    return opportunity


def _fill_opportunity(
    opportunity: Opportunity,
    *,
    kind: str,
    title: str,
    description: str = "",
    tags: str = "",
    target_countries: str = "",
) -> None:
    """Check every field first, then set them all: a refusal leaves the row untouched."""
    if kind not in OPPORTUNITY_KINDS:
        raise Invalid("Choose offer, request or partnership.", "kind")
    title = clean_text(title, LIMITS["opp_title"], "title", "The title")
    if not title:
        raise Invalid("Give the opportunity a title.", "title")
    description = clean_text(
        description, LIMITS["opp_description"], "description", "The description"
    )
    tags = checked_tags(tags, "tags")
    countries = ",".join(parse_countries(target_countries))
    opportunity.kind, opportunity.title, opportunity.description = kind, title, description
    opportunity.tags, opportunity.target_countries = tags, countries


def own_opportunity(participant: Participant, opportunity_id: int) -> Opportunity:
    """One of ``participant``'s opportunities; anyone else's is 404, like a missing one."""
    opportunity = db.session.get(Opportunity, opportunity_id)
    if opportunity is None or opportunity.participant_id != participant.id:
        raise NotFound("No such opportunity.")
    return opportunity


def delete_opportunity(participant: Participant, opportunity_id: int) -> None:
    opportunity = own_opportunity(participant, opportunity_id)
    db.session.delete(opportunity)
    db.session.flush()
