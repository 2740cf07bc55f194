"""Trade visits: a host's site visit with time options (groups) and places, the
participants' ranked wishes, the places the engine (or the organiser) gave, and the
waitlist of each option."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..dbtypes import UTCDateTime, utcnow
from ..extensions import Model

#: Who may apply: everyone, the participants of one country ("country:ZA") or of one
#: kind of organisation ("kind:sme").
ELIGIBILITY_KINDS = ("sme", "large", "startup", "research", "cluster")


class Visit(Model):
    __tablename__ = "visits"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    host: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    meeting_point: Mapped[str] = mapped_column(String(300), default="")
    map_url: Mapped[str] = mapped_column(String(500), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    eligibility: Mapped[str] = mapped_column(String(40), default="all")
    wishes_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When the organiser last published the places (the schedule's publication does too).
    places_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    options: Mapped[list[VisitOption]] = relationship(
        back_populates="visit", cascade="all, delete-orphan", order_by="VisitOption.starts_at"
    )


class VisitOption(Model):
    """One group: its time at the site, the travel before and after (the span blocked
    for meetings) and its places."""

    __tablename__ = "visit_options"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("places >= 0", name="places"),
        CheckConstraint("travel_before >= 0 AND travel_after >= 0", name="travel"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(100), default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    travel_before: Mapped[int] = mapped_column(Integer, default=0)  # minutes
    travel_after: Mapped[int] = mapped_column(Integer, default=0)  # minutes
    places: Mapped[int] = mapped_column(Integer, default=15)

    visit: Mapped[Visit] = relationship(back_populates="options")


class VisitWish(Model):
    """A participant's interest: ``rank`` 1 is the first choice; ``option_id`` the group
    they want (None: any group is fine)."""

    __tablename__ = "visit_wishes"
    __table_args__ = (
        UniqueConstraint("visit_id", "participant_id"),
        CheckConstraint("rank >= 1", name="rank"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    rank: Mapped[int] = mapped_column(Integer)
    option_id: Mapped[int | None] = mapped_column(
        ForeignKey("visit_options.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class VisitPlace(Model):
    """A place given in a group (by the engine, or by hand: ``locked``)."""

    __tablename__ = "visit_places"
    __table_args__ = (UniqueConstraint("visit_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"), index=True)
    option_id: Mapped[int] = mapped_column(
        ForeignKey("visit_options.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Given by a run: a draft until the schedule is published after it (``visible``).
    from_run: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    option: Mapped[VisitOption] = relationship()


class VisitWaitlist(Model):
    """A participant waiting for a place in a group, ``position`` 1 first."""

    __tablename__ = "visit_waitlist"

    option_id: Mapped[int] = mapped_column(
        ForeignKey("visit_options.id", ondelete="CASCADE"), primary_key=True
    )
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer)


class VisitCancellation(Model):
    """A place given up (or whose visit was deleted, or that a re-run no longer gives), as
    the participant's calendar saw it: its feed shows it STATUS:CANCELLED under the same
    UID until its end."""

    __tablename__ = "visit_cancellations"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    uid: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    summary: Mapped[str] = mapped_column(String(300))
    location: Mapped[str] = mapped_column(String(300), default="")
    sequence: Mapped[int] = mapped_column(Integer, default=1)
    cancelled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
