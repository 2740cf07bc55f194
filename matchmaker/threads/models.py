"""Message threads: one per meeting request (its two sides and the organisers), and one
per participant for an organiser writing to them directly."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..dbtypes import UTCDateTime, utcnow
from ..extensions import Model

#: The longest post, in characters: a message, not a document.
MAX_POST_LENGTH = 4000


class ThreadPost(Model):
    __tablename__ = "thread_posts"
    __table_args__ = (
        CheckConstraint("(request_id IS NULL) <> (participant_id IS NULL)", name="one_thread"),
        Index("ix_thread_posts_request", "request_id", "id"),
        Index("ix_thread_posts_participant", "participant_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("meeting_requests.id", ondelete="CASCADE")
    )
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE")
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Who wrote, as the thread shows it ("Anna Virtanen (HydroCyl Oy)", "Organiser").
    author_label: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author = relationship("User")


class ThreadMailNotice(Model):
    """When a reader of a thread was last mailed about it, and up to which post: new
    posts are mailed at most once every 15 minutes per thread, in one message."""

    __tablename__ = "thread_mail_notices"

    thread: Mapped[str] = mapped_column(String(40), primary_key=True)  # "r42" or "p7"
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    mailed_up_to: Mapped[int] = mapped_column(default=0, server_default="0")
    last_mailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
