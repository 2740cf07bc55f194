"""Mail to participants: the outbox (one row per message and recipient), mailings,
what each address chose to receive, reminders sent, and each event's reminder switches."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..dbtypes import UTCDateTime, utcnow
from ..extensions import Model

#: Mail a person may turn off; everything else (password reset, a moved meeting, an
#: invitation, a message written to them) is "required" and ignores their choice.
OPTIONAL_CATEGORIES = {"announcements": "Announcements", "reminders": "Reminders"}
CATEGORIES = ("required", *OPTIONAL_CATEGORIES)
OUTBOX_STATUSES = ("queued", "sending", "sent", "logged", "failed", "skipped")
DELIVERED = ("sent", "logged")
FINISHED = ("sent", "logged", "failed", "skipped")


class OutboxMail(Model):
    """One message to one recipient, and what became of it."""

    __tablename__ = "outbox_mails"
    __table_args__ = (
        CheckConstraint(
            "status IN ('queued', 'sending', 'sent', 'logged', 'failed', 'skipped')",
            name="status",
        ),
        CheckConstraint("category IN ('required', 'announcements', 'reminders')", name="category"),
        Index("ix_outbox_mails_mailing_status", "mailing_id", "status"),
        Index("ix_outbox_mails_event", "event_id", "id"),
        Index("ix_outbox_mails_status_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    mailing_id: Mapped[int | None] = mapped_column(ForeignKey("mailings.id", ondelete="CASCADE"))
    # A mailing's rows hold only the participant: the text is filled in when it is sent.
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="SET NULL")
    )
    to_address: Mapped[str] = mapped_column(String(254))
    category: Mapped[str] = mapped_column(String(20), default="required")
    subject: Mapped[str] = mapped_column(String(300), default="")
    text_body: Mapped[str | None] = mapped_column(Text)
    html_body: Mapped[str | None] = mapped_column(Text)
    attachment_name: Mapped[str | None] = mapped_column(String(120))
    attachment: Mapped[str | None] = mapped_column(Text)  # text/calendar
    status: Mapped[str] = mapped_column(String(20), default="queued")
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    answer: Mapped[str] = mapped_column(Text, default="")  # the server's reply, or why not
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    mailing: Mapped[Mailing | None] = relationship()


class Mailing(Model):
    """A message an organiser wrote to part of an event's participants."""

    __tablename__ = "mailings"
    __table_args__ = (CheckConstraint("status IN ('sending', 'done')", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    audience: Mapped[str] = mapped_column(String(40))
    audience_value: Mapped[str] = mapped_column(String(40), default="")
    category: Mapped[str] = mapped_column(String(20), default="announcements")
    status: Mapped[str] = mapped_column(String(20), default="sending")
    total: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The sending job's last sign of life: a mailing quiet for long is taken up again.
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    created_by = relationship("User")


class MailPreference(Model):
    """What an address chose to receive (no row: everything)."""

    __tablename__ = "mail_preferences"

    email: Mapped[str] = mapped_column(String(254), primary_key=True)  # lower case
    announcements: Mapped[bool] = mapped_column(default=True, server_default=true())
    reminders: Mapped[bool] = mapped_column(default=True, server_default=true())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ReminderSent(Model):
    """A reminder given to one participant: inserted before the mail is queued, so a
    second worker (or a second run) finds the row and sends nothing."""

    __tablename__ = "reminders_sent"
    __table_args__ = (UniqueConstraint("kind", "participant_id", "occasion"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    occasion: Mapped[str] = mapped_column(String(60))  # the deadline, the day, ...
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReminderSettings(Model):
    """Which automatic reminders an event sends (no row: all, with the defaults)."""

    __tablename__ = "reminder_settings"

    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )
    deadlines: Mapped[bool] = mapped_column(default=True, server_default=true())
    pending_requests: Mapped[bool] = mapped_column(default=True, server_default=true())
    pending_days: Mapped[int] = mapped_column(default=3, server_default="3")
    day_before: Mapped[bool] = mapped_column(default=True, server_default=true())
