"""The event day: who checked in (per day), what each side says about a meeting, the live
board's secret link, and who is absent for the rest of a day."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..dbtypes import UTCDateTime, utcnow
from ..extensions import Model

if TYPE_CHECKING:
    from ..participants.models import Participant

CHECKIN_METHODS = ("desk", "qr")
OUTCOMES = ("held", "partner_absent")


class CheckIn(Model):
    """A participant checked in on one day of the event (local day, in its time zone).

    Unique per participant and day: two desks checking in the same person at once give
    one row (the second insert does nothing). Undo deletes the row.
    """

    __tablename__ = "checkins"
    __table_args__ = (
        UniqueConstraint("participant_id", "day"),
        CheckConstraint("method IN ('desk', 'qr')", name="method"),
        Index("ix_checkins_event_day", "event_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    checked_in_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    checked_in_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    method: Mapped[str] = mapped_column(String(10), default="desk")

    participant: Mapped[Participant] = relationship()


class MeetingReport(Model):
    """What one side of a meeting says happened: ``held``, or ``partner_absent`` (the
    others did not come). One row per meeting and reporting side, so both sides marking
    at the same moment write two rows and neither answer is lost; an organiser writes
    the rows on someone's behalf."""

    __tablename__ = "meeting_reports"
    __table_args__ = (CheckConstraint("outcome IN ('held', 'partner_absent')", name="outcome"),)

    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True
    )
    reporter_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True
    )
    outcome: Mapped[str] = mapped_column(String(20))
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class EventBoard(Model):
    """An event's day settings: the secret link of its live board (a screen in the room,
    no log-in) and the local time after which someone not checked in is flagged late."""

    __tablename__ = "event_boards"

    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )
    token: Mapped[str] = mapped_column(String(64), unique=True)
    late_after: Mapped[time | None] = mapped_column(Time)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Absence(Model):
    """A participant the organiser marked absent for the rest of a day, from ``from_at``."""

    __tablename__ = "absences"

    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    from_at: Mapped[datetime] = mapped_column(UTCDateTime)
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
