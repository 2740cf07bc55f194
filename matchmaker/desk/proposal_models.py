"""A meeting the organisers propose to a partner freed by a same-day absence.

Kept beside ``desk/models.py`` (one model, one concern): the proposal is offered to the
freed partner first; when they accept it becomes an ordinary meeting request on their
behalf (``request_id``), which the other side accepts or declines as any request.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..dbtypes import UTCDateTime, utcnow
from ..extensions import Model

if TYPE_CHECKING:
    from ..meetings.models import MeetingRequest
    from ..participants.models import Participant

PROPOSAL_STATUSES = ("offered", "asked", "declined")


class ReplanProposal(Model):
    """``participant`` (freed by ``absent``'s absence) is offered a meeting with ``other``
    at ``slot_start``, a time both are free, because they name the same things (``reason``).

    ``offered`` until the freed partner answers: ``declined``, or ``asked`` (then
    ``request_id`` is the meeting request made on their behalf, for ``other`` to accept).
    """

    __tablename__ = "replan_proposals"
    __table_args__ = (
        CheckConstraint("status IN ('offered', 'asked', 'declined')", name="status"),
        CheckConstraint("participant_id <> other_id", name="not_self"),
        Index("ix_replan_proposals_participant", "participant_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    other_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    absent_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="SET NULL")
    )
    slot_start: Mapped[datetime] = mapped_column(UTCDateTime)
    slot_end: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="offered")
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("meeting_requests.id", ondelete="SET NULL"), unique=True
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    participant: Mapped[Participant] = relationship(foreign_keys=[participant_id])
    other: Mapped[Participant] = relationship(foreign_keys=[other_id])
    request: Mapped[MeetingRequest | None] = relationship()
