"""Events, their meeting sessions, tables and programme."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
    false,
    select,
)
from sqlalchemy import (
    Table as SATable,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..dbtypes import UTCDateTime, utcnow
from ..extensions import Model, db

if TYPE_CHECKING:
    from ..accounts.models import User

EVENT_STATUSES = ("draft", "open", "closed", "published", "finished")

#: An event's team. ``owner``: everything (the team too); ``organiser``: everything but
#: the team; ``desk``: check-in and attendance; ``viewer``: read-only figures and report.
TEAM_ROLES = ("owner", "organiser", "desk", "viewer")
#: Who manages an event unless a page says otherwise (``events.loaders``).
FULL_ORGANISERS = ("owner", "organiser")

event_organisers = SATable(
    "event_organisers",
    db.metadata,
    Column("event_id", ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    # Whoever creates the event is its owner (the server default keeps that true).
    Column("role", String(20), nullable=False, default="owner", server_default="owner"),
    CheckConstraint("role IN ('owner', 'organiser', 'desk', 'viewer')", name="role"),
)


class Event(Model):
    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint(
            "status IN ('draft', 'open', 'closed', 'published', 'finished')", name="status"
        ),
        CheckConstraint(
            "max_meetings_per_participant IS NULL OR max_meetings_per_participant > 0",
            name="max_meetings_positive",
        ),
        CheckConstraint("schedule_tie_break IN ('early', 'spread')", name="schedule_tie_break"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    venue: Mapped[str] = mapped_column(String(200), default="")
    timezone: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20), default="draft")
    registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    booking_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    requires_approval: Mapped[bool] = mapped_column(default=True)
    max_meetings_per_participant: Mapped[int | None] = mapped_column()
    # Registration after the schedule is published (new meetings go through a re-plan).
    late_registration: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Among the schedules with the fewest breaks: "early" (and compact) or "spread" evenly.
    schedule_tie_break: Mapped[str] = mapped_column(
        String(10), default="early", server_default="early"
    )
    # Personal data kept until this day (``privacy.retention``; None: a year after the
    # last meeting day); the owners are warned 30 days before, once.
    retain_until: Mapped[date | None] = mapped_column()
    retention_warned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The owner requires two-factor log-in of everyone on the team to open its pages.
    require_two_factor: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    organisers: Mapped[list[User]] = relationship(secondary=event_organisers)
    sessions: Mapped[list[MeetingSession]] = relationship(
        back_populates="event",
        cascade="all, delete-orphan",
        order_by="(MeetingSession.day, MeetingSession.start_time)",
    )
    tables: Mapped[list[Table]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="Table.position"
    )
    programme: Mapped[list[ProgrammeItem]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="ProgrammeItem.starts_at"
    )

    @property
    def state(self):
        """What the event's status means and allows (``events.states``)."""
        from .states import state_of

        return state_of(self)

    @property
    def state_label(self) -> str:
        from .states import label

        return label(self)

    @property
    def publish_note(self) -> str:
        """What publishing the schedule does to registration."""
        from .states import publish_note

        return publish_note(self)

    @property
    def registration_problem(self) -> str | None:
        """Why nobody can register right now (state, dates), or None."""
        from .states import registration_problem

        return registration_problem(self)

    @property
    def registration_open(self) -> bool:
        return self.registration_problem is None

    def team_role(self, user) -> str | None:
        """``user``'s role in this event's team (site admins count as owners), or None."""
        if not (user and user.is_authenticated):
            return None
        if user.is_admin:
            return "owner"
        return db.session.scalar(
            select(event_organisers.c.role).where(
                event_organisers.c.event_id == self.id, event_organisers.c.user_id == user.id
            )
        )

    def is_organised_by(self, user, allow: tuple[str, ...] = FULL_ORGANISERS) -> bool:
        """Whether ``user`` manages this event in one of the roles ``allow`` names."""
        return self.team_role(user) in allow

    def __repr__(self) -> str:
        return f"<Event {self.slug}>"


class MeetingSession(Model):
    """A block of meeting slots on one day, in the event's local time."""

    __tablename__ = "meeting_sessions"
    __table_args__ = (
        CheckConstraint("end_time > start_time", name="ends_after_start"),
        CheckConstraint("slot_minutes BETWEEN 5 AND 240", name="slot_minutes_range"),
        CheckConstraint("pause_minutes BETWEEN 0 AND 120", name="pause_minutes_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    day: Mapped[date] = mapped_column()
    start_time: Mapped[time] = mapped_column()
    end_time: Mapped[time] = mapped_column()
    slot_minutes: Mapped[int] = mapped_column(default=20)
    pause_minutes: Mapped[int] = mapped_column(default=5)

    event: Mapped[Event] = relationship(back_populates="sessions")


class Table(Model):
    """A meeting table or room."""

    __tablename__ = "tables"
    __table_args__ = (UniqueConstraint("event_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    capacity_note: Mapped[str] = mapped_column(String(200), default="")
    position: Mapped[int] = mapped_column(default=0)

    event: Mapped[Event] = relationship(back_populates="tables")


class ProgrammeItem(Model):
    """Seminar, factory tour, dinner: time the attendees cannot spend in meetings."""

    __tablename__ = "programme_items"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("attendance IN ('all', 'opt_in')", name="attendance"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    place: Mapped[str] = mapped_column(String(200), default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attendance: Mapped[str] = mapped_column(String(10), default="all")
    # Bumped on every change of time, place or status, for calendar SEQUENCE.
    sequence: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[Event] = relationship(back_populates="programme")
    attendees: Mapped[list[ProgrammeAttendance]] = relationship(
        back_populates="item", cascade="all, delete-orphan"
    )


class ProgrammeAttendance(Model):
    """A participant who opted in to an opt-in programme item."""

    __tablename__ = "programme_attendance"

    item_id: Mapped[int] = mapped_column(
        ForeignKey("programme_items.id", ondelete="CASCADE"), primary_key=True
    )
    # Indexed on its own too: every agenda and feed asks for one participant's items.
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True, index=True
    )

    item: Mapped[ProgrammeItem] = relationship(back_populates="attendees")
