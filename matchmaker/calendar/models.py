"""Private calendar feed tokens (stored hashed)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from ..dbtypes import UTCDateTime, utcnow
from ..extensions import Model

EVENT_FEED = "kind = 'event'"


class CalendarFeed(Model):
    """A subscribable feed: a participant's agenda, a whole event, or one table.

    The feed's token is ``HMAC(SECRET_KEY, nonce)``; only its sha256 is stored (see
    ``calendar.services``). One feed per participant, per table and per event.
    """

    __tablename__ = "calendar_feeds"
    __table_args__ = (
        CheckConstraint("kind IN ('participant', 'event', 'table')", name="kind"),
        UniqueConstraint("participant_id", name="uq_calendar_feeds_participant"),
        UniqueConstraint("table_id", name="uq_calendar_feeds_table"),
        Index(
            "uq_calendar_feeds_event",
            "event_id",
            unique=True,
            sqlite_where=text(EVENT_FEED),
            postgresql_where=text(EVENT_FEED),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    table_id: Mapped[int | None] = mapped_column(ForeignKey("tables.id", ondelete="CASCADE"))
    # sha256 of the secret token; the token itself is never stored or logged.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Random per-feed value (128 bits, hex); useless without SECRET_KEY. New on reset.
    nonce: Mapped[str] = mapped_column(String(32), server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
