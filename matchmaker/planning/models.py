"""Solver runs, published revisions and the published copy of each meeting."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..dbtypes import UTCDateTime, utcnow
from ..extensions import Model

if TYPE_CHECKING:
    from ..events.models import Table
    from ..meetings.models import Meeting

RUN_STATUSES = ("queued", "running", "succeeded", "failed", "cancelled")
ACTIVE_RUN = "status IN ('queued', 'running')"


class SolverRun(Model):
    """One run of the scheduling engine for an event, with its live progress."""

    __tablename__ = "solver_runs"
    __table_args__ = (
        CheckConstraint(
            "status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')", name="status"
        ),
        # One active run per event.
        Index(
            "uq_solver_runs_active",
            "event_id",
            unique=True,
            sqlite_where=text(ACTIVE_RUN),
            postgresql_where=text(ACTIVE_RUN),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="queued")
    time_limit: Mapped[float] = mapped_column(default=30.0)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_requested: Mapped[bool] = mapped_column(default=False)
    placed: Mapped[int | None] = mapped_column()
    total: Mapped[int | None] = mapped_column()
    breaks: Mapped[int | None] = mapped_column()
    bound: Mapped[int | None] = mapped_column()
    solver_status: Mapped[str | None] = mapped_column(String(20))
    # What the run solved (engine_input.problem_key): its proof holds for a draft of the
    # same problem.
    problem_key: Mapped[str | None] = mapped_column(String(64))
    # [[elapsed, breaks, bound], ...] for the progress chart.
    progress: Mapped[list[Any]] = mapped_column(JSON, default=list)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str] = mapped_column(Text, default="")


class ScheduleRevision(Model):
    """A published version of an event's schedule: who, when, what changed."""

    __tablename__ = "schedule_revisions"
    __table_args__ = (UniqueConstraint("event_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column()
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # [{"meeting": id, "change": "added|moved|cancelled", "from": ..., "to": ...}]
    changes: Mapped[list[Any]] = mapped_column(JSON, default=list)


class AgendaView(Model):
    """The schedule revision a participant last saw on their agenda: the agenda marks
    what changed since."""

    __tablename__ = "agenda_views"

    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True
    )
    revision: Mapped[int] = mapped_column()
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class PublishedMeeting(Model):
    """What participants and calendars see of a meeting, as of the last publication."""

    __tablename__ = "published_meetings"
    __table_args__ = (
        CheckConstraint("status IN ('confirmed', 'cancelled')", name="status"),
        Index("ix_published_meetings_event", "event_id", "status"),
    )

    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True
    )
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(20), default="confirmed")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    table_id: Mapped[int | None] = mapped_column(ForeignKey("tables.id", ondelete="SET NULL"))
    # Calendar SEQUENCE: 0 at first publication, +1 on every change of time, table, status.
    sequence: Mapped[int] = mapped_column(default=0)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)  # DTSTAMP
    revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("schedule_revisions.id", ondelete="SET NULL")
    )

    meeting: Mapped[Meeting] = relationship()
    table: Mapped[Table | None] = relationship()
