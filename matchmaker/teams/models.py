"""Invitations to an event's team (the team itself is ``events.models.event_organisers``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..dbtypes import UTCDateTime, utcnow
from ..extensions import Model


class TeamInvitation(Model):
    """An address the owner invited to the team in a role; taken once, by its reader."""

    __tablename__ = "team_invitations"
    __table_args__ = (CheckConstraint("role IN ('organiser', 'desk', 'viewer')", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(20))
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Withdrawn by the owner before it was taken: the link no longer works.
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event = relationship("Event")

    @property
    def state(self) -> str:
        if self.accepted_at:
            return "accepted"
        return "withdrawn" if self.revoked_at else "pending"
