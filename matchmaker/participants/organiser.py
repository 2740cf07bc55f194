"""What organisers see of their event's participants: status and request counts."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import contains_eager

from ..extensions import db
from ..meetings.booking import meeting_limit
from ..meetings.models import MeetingRequest
from .models import Participant


@dataclass
class ParticipantRow:
    participant: Participant
    sent: int
    received: int
    accepted: int


def participant_rows(
    event, status: str = "", participant_ids: list[int] | None = None
) -> list[ParticipantRow]:
    """Every participant of ``event`` with requests sent, received and accepted (3 queries)."""
    query = (
        select(Participant)
        .join(Participant.organisation)
        .options(contains_eager(Participant.organisation))
        .where(Participant.event_id == event.id)
    )
    if status in ("pending", "approved", "rejected"):
        query = query.where(Participant.status == status)
    if participant_ids is not None:
        query = query.where(Participant.id.in_(participant_ids))
    people = list(
        db.session.scalars(
            query.order_by(case((Participant.status == "pending", 0), else_=1), Participant.name)
        )
    )
    counts: dict[int, list[int]] = {p.id: [0, 0, 0] for p in people}
    for column, index in ((MeetingRequest.requester_id, 0), (MeetingRequest.recipient_id, 1)):
        rows = db.session.execute(
            select(
                column,
                func.count(MeetingRequest.id),
                func.count(case((MeetingRequest.status == "accepted", 1))),
            )
            .where(MeetingRequest.event_id == event.id)
            .group_by(column)
        )
        for pid, total, accepted in rows:
            if pid in counts:
                counts[pid][index] += total
                counts[pid][2] += accepted
    return [ParticipantRow(p, *counts[p.id]) for p in people]


def status_totals(event) -> dict[str, int]:
    rows = db.session.execute(
        select(Participant.status, func.count(Participant.id))
        .where(Participant.event_id == event.id)
        .group_by(Participant.status)
    )
    totals = {"pending": 0, "approved": 0, "rejected": 0}
    totals.update(dict(rows.tuples().all()))
    return totals


def invitation_state(p: Participant) -> str:
    """What the organiser may know: what they sent and what the person did, never whether
    an address has an account."""
    if p.claimed_at is not None:
        return "claimed"
    if p.user_id is not None:
        return "registered themselves"
    if not p.email:
        return "no e-mail"
    return f"invited ({p.invitations_sent})" if p.invited_at else "not invited"


def participant_list_rows(event) -> tuple[list[str], list[list]]:
    header = [
        "Organisation",
        "Country",
        "Person",
        "Role",
        "E-mail",
        "Status",
        "Invitation",
        "Requests sent",
        "Requests received",
        "Meetings accepted",
        "Meeting limit",
    ]
    rows = []
    for r in participant_rows(event):
        p = r.participant
        limit = meeting_limit(p) or ""
        rows.append(
            [
                p.organisation.name,
                p.organisation.country,
                p.name,
                p.role_title,
                p.email,
                p.status,
                invitation_state(p),
                r.sent,
                r.received,
                r.accepted,
                limit,
            ]
        )
    return header, rows
