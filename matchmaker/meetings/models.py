"""Meeting requests between participants, and the meetings they become."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..dbtypes import UTCDateTime, utcnow
from ..extensions import Model

if TYPE_CHECKING:
    from ..events.models import Event, Table
    from ..participants.models import Participant

REQUEST_STATUSES = ("pending", "accepted", "declined", "withdrawn", "cancelled")
OPEN_REQUEST = "status IN ('pending', 'accepted')"
ACTIVE_PLACED = "status = 'active' AND slot_start IS NOT NULL"


class MeetingRequest(Model):
    """One participant asks another for a meeting; the other accepts or declines."""

    __tablename__ = "meeting_requests"
    __table_args__ = (
        CheckConstraint("requester_id <> recipient_id", name="not_self"),
        CheckConstraint("pair_low < pair_high", name="pair_ordered"),
        CheckConstraint(
            "status IN ('pending', 'accepted', 'declined', 'withdrawn', 'cancelled')",
            name="status",
        ),
        # One open request per pair, whoever asked: a double click or a request
        # crossing the other side's request cannot create a second one.
        Index(
            "uq_meeting_requests_open_pair",
            "event_id",
            "pair_low",
            "pair_high",
            unique=True,
            sqlite_where=text(OPEN_REQUEST),
            postgresql_where=text(OPEN_REQUEST),
        ),
        Index("ix_meeting_requests_requester", "requester_id", "status"),
        Index("ix_meeting_requests_recipient", "recipient_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    requester_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    recipient_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    pair_low: Mapped[int] = mapped_column()
    pair_high: Mapped[int] = mapped_column()
    status: Mapped[str] = mapped_column(String(20), default="pending")
    message: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(Text, default="")  # decline / cancel reason
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship()
    requester: Mapped[Participant] = relationship(foreign_keys=[requester_id])
    recipient: Mapped[Participant] = relationship(foreign_keys=[recipient_id])

    def involves(self, participant_id: int) -> bool:
        return participant_id in (self.requester_id, self.recipient_id)


class Meeting(Model):
    """A meeting to hold: from an accepted request or added by an organiser.

    ``slot_start``/``table_id`` are the working (draft) placement; what participants
    see is the published copy in ``schedules.PublishedMeeting``.
    """

    __tablename__ = "meetings"
    __table_args__ = (
        CheckConstraint("status IN ('active', 'cancelled')", name="status"),
        CheckConstraint("slot_end IS NULL OR slot_end > slot_start", name="slot_order"),
        # A table holds one meeting a slot (cancelled meetings free it).
        Index(
            "uq_meetings_table_slot",
            "table_id",
            "slot_start",
            unique=True,
            sqlite_where=text(ACTIVE_PLACED + " AND table_id IS NOT NULL"),
            postgresql_where=text(ACTIVE_PLACED + " AND table_id IS NOT NULL"),
        ),
        Index("ix_meetings_event_status", "event_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("meeting_requests.id", ondelete="SET NULL"), unique=True
    )
    status: Mapped[str] = mapped_column(String(20), default="active")
    slot_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    slot_end: Mapped[datetime | None] = mapped_column(UTCDateTime)
    table_id: Mapped[int | None] = mapped_column(ForeignKey("tables.id", ondelete="SET NULL"))
    locked: Mapped[bool] = mapped_column(default=False)
    priority: Mapped[int] = mapped_column(default=1)
    # Stable calendar UID: never changes across re-runs, moves or cancellation.
    uid: Mapped[str] = mapped_column(String(80), unique=True, default=lambda: str(uuid.uuid4()))
    version: Mapped[int] = mapped_column(default=1)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    # Optimistic concurrency: two organisers moving the same meeting -> one wins.
    __mapper_args__ = {"version_id_col": version}

    event: Mapped[Event] = relationship()
    request: Mapped[MeetingRequest | None] = relationship()
    table: Mapped[Table | None] = relationship()
    attendees: Mapped[list[MeetingParticipant]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan"
    )

    @property
    def participant_ids(self) -> list[int]:
        return [a.participant_id for a in self.attendees]


class MeetingParticipant(Model):
    """A participant in a meeting, with a copy of the slot for the no-double-booking index."""

    __tablename__ = "meeting_participants"
    __table_args__ = (
        # A participant is in at most one active meeting a slot.
        Index(
            "uq_meeting_participants_slot",
            "participant_id",
            "slot_start",
            unique=True,
            sqlite_where=text(ACTIVE_PLACED),
            postgresql_where=text(ACTIVE_PLACED),
        ),
        CheckConstraint("status IN ('active', 'cancelled')", name="status"),
    )

    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True
    )
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    # Kept equal to meetings.slot_start / meetings.status by meetings.services.
    slot_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(20), default="active")

    meeting: Mapped[Meeting] = relationship(back_populates="attendees")
    participant: Mapped[Participant] = relationship()
