"""Organisations, their representatives at an event, and what they offer and seek."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..dbtypes import UTCDateTime, utcnow
from ..extensions import Model

if TYPE_CHECKING:
    from ..accounts.models import User
    from ..events.models import Event, Table

ORGANISATION_KINDS = {
    "sme": "SME",
    "large": "Large company",
    "startup": "Start-up",
    "research": "Research",
    "cluster": "Cluster / association",
}
ORGANISATION_SIZES = ("1-9", "10-49", "50-249", "250+")
PARTICIPANT_STATUSES = ("pending", "approved", "rejected")
OPPORTUNITY_KINDS = {"offer": "Offer", "request": "Request", "partnership": "Partnership"}


class Organisation(Model):
    __tablename__ = "organisations"
    __table_args__ = (
        CheckConstraint("kind IN ('sme', 'large', 'startup', 'research', 'cluster')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    country: Mapped[str] = mapped_column(String(2), default="")  # ISO 3166-1 alpha-2
    city: Mapped[str] = mapped_column(String(120), default="")
    website: Mapped[str] = mapped_column(String(300), default="")
    kind: Mapped[str] = mapped_column(String(20), default="sme")
    size: Mapped[str] = mapped_column(String(10), default="")
    # Normalised tags, stored "|a|b|" so "contains tag x" is an indexable LIKE '%|x|%'.
    sectors: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def display_name(person: str, organisation: str) -> str:
    """How a participant is named wherever a meeting is: the person and the organisation.

    One rule for pages, notifications, calendars and exports (``Participant.label``).
    """
    return f"{person} ({organisation})" if organisation else person


class Participant(Model):
    """A representative of an organisation at one event."""

    __tablename__ = "participants"
    __table_args__ = (
        UniqueConstraint("event_id", "user_id"),
        CheckConstraint("status IN ('pending', 'approved', 'rejected')", name="status"),
        CheckConstraint("max_meetings IS NULL OR max_meetings > 0", name="max_meetings_positive"),
        Index("ix_participants_event_status", "event_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    # Null for companies the organiser registers on their behalf and that never log in.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    name: Mapped[str] = mapped_column(String(120))  # the representative's display name
    email: Mapped[str] = mapped_column(String(254), default="")
    role_title: Mapped[str] = mapped_column(String(120), default="")
    bio: Mapped[str] = mapped_column(Text, default="")
    languages: Mapped[str] = mapped_column(String(200), default="")
    fixed_table_id: Mapped[int | None] = mapped_column(ForeignKey("tables.id", ondelete="SET NULL"))
    max_meetings: Mapped[int | None] = mapped_column()  # overrides the event's limit
    # Invitations to claim a place the organiser made: the last one sent and how many.
    invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    invitations_sent: Mapped[int] = mapped_column(default=0, server_default="0")
    # When the person behind ``email`` took the place (``user_id`` set through a proven address).
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The person's choices (``privacy.consent``): in the directory and suggestions or not;
    # e-mail and phone shown to the people they meet or not; when, under which wording.
    listed: Mapped[bool] = mapped_column(default=True, server_default=true())
    share_contact: Mapped[bool] = mapped_column(default=False, server_default=false())
    phone: Mapped[str] = mapped_column(String(40), default="", server_default="")
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    consent_version: Mapped[str] = mapped_column(String(20), default="", server_default="")
    # Personal data erased (account deleted, or the event's retention date passed).
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship()
    user: Mapped[User | None] = relationship()
    organisation: Mapped[Organisation] = relationship()
    fixed_table: Mapped[Table | None] = relationship()
    opportunities: Mapped[list[Opportunity]] = relationship(
        back_populates="participant", cascade="all, delete-orphan", order_by="Opportunity.id"
    )

    @property
    def label(self) -> str:
        """How people see this participant: "Thandi Nkosi (Bell Equipment)"."""
        return display_name(self.name, self.organisation.name)

    @property
    def shared_email(self) -> str:
        """The e-mail address the people this participant meets may see, or ""."""
        return self.email if self.share_contact else ""

    @property
    def shared_phone(self) -> str:
        """The phone number the people this participant meets may see, or ""."""
        return self.phone if self.share_contact else ""


class Opportunity(Model):
    """An offer, request or partnership a participant publishes in the marketplace."""

    __tablename__ = "opportunities"
    __table_args__ = (CheckConstraint("kind IN ('offer', 'request', 'partnership')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(150))
    description: Mapped[str] = mapped_column(Text, default="")
    tags: Mapped[str] = mapped_column(Text, default="")  # "|a|b|", like Organisation.sectors
    target_countries: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    participant: Mapped[Participant] = relationship(back_populates="opportunities")


class Favourite(Model):
    __tablename__ = "favourites"

    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True
    )
    target_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Unavailability(Model):
    """A slot (by its UTC start) in which a participant cannot meet."""

    __tablename__ = "unavailability"

    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True
    )
    slot_start: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
