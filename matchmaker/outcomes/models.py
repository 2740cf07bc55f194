"""After the event: what each side says about a meeting, the overall answer of each
survey, the organiser's survey settings, and the mails already sent (so each goes once)."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, Time
from sqlalchemy.orm import Mapped, mapped_column

from ..dbtypes import UTCDateTime, utcnow
from ..extensions import Model

EXPECTED_RESULTS = {
    "order": "Order or agreement",
    "quotation": "Quotation",
    "cooperation": "Technical cooperation",
    "joint_project": "Joint project proposal",
    "further_meeting": "Further meeting",
    "none": "None",
}
AGREEMENT_KINDS = {
    "none": "No agreement (yet)",
    "order": "Order or sales contract",
    "distribution": "Distribution or agency",
    "cooperation": "Technical cooperation",
    "joint_project": "Joint project",
    "investment": "Investment or joint venture",
    "other": "Other",
}
VALUE_BANDS = {
    "unknown": "Not known / not said",
    "lt10k": "under €10,000",
    "10k-50k": "€10,000 – 50,000",
    "50k-250k": "€50,000 – 250,000",
    "250k-1m": "€250,000 – 1 million",
    "gt1m": "over €1 million",
}
MAIL_KINDS = ("survey", "reminder", "second_stage", "follow_up")


def _in(column: str, values) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


class OutcomeSettings(Model):
    """When an event's surveys go out: ``survey_time`` (local) after each event day, a
    reminder ``reminder_hours`` later to those who have not answered, and the second
    stage ("did it lead to an agreement?") at ``second_stage_at``. No row: no mails."""

    __tablename__ = "outcome_settings"
    __table_args__ = (CheckConstraint("reminder_hours BETWEEN 1 AND 720", name="reminder_hours"),)

    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )
    survey_time: Mapped[time] = mapped_column(Time, default=time(17, 30))
    reminder_hours: Mapped[int] = mapped_column(default=48)
    second_stage_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class SurveyAnswer(Model):
    """One side's answer about one meeting; the second stage fills the ``agreement``
    columns months later. The ``note`` is private: only its author ever sees it."""

    __tablename__ = "survey_answers"
    __table_args__ = (
        CheckConstraint("promising IS NULL OR promising BETWEEN 1 AND 5", name="promising"),
        CheckConstraint(
            "expected_result IS NULL OR " + _in("expected_result", EXPECTED_RESULTS),
            name="expected_result",
        ),
        CheckConstraint(
            "agreement IS NULL OR " + _in("agreement", AGREEMENT_KINDS), name="agreement"
        ),
        CheckConstraint(
            "agreement_value IS NULL OR " + _in("agreement_value", VALUE_BANDS),
            name="agreement_value",
        ),
        Index("ix_survey_answers_event", "event_id"),
        Index("ix_survey_answers_follow_up_on", "follow_up_on"),
    )

    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True
    )
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True
    )
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    held: Mapped[bool] = mapped_column()
    promising: Mapped[int | None] = mapped_column()
    expected_result: Mapped[str | None] = mapped_column(String(20))
    follow_up_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    agreement: Mapped[str | None] = mapped_column(String(20))
    agreement_value: Mapped[str | None] = mapped_column(String(20))
    agreement_note: Mapped[str] = mapped_column(Text, default="")
    agreement_answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SurveyResponse(Model):
    """A participant answered the survey of one event day: the overall question."""

    __tablename__ = "survey_responses"
    __table_args__ = (
        CheckConstraint(
            "satisfaction IS NULL OR satisfaction BETWEEN 1 AND 5", name="satisfaction"
        ),
        Index("ix_survey_responses_event", "event_id"),
    )

    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    satisfaction: Mapped[int | None] = mapped_column()
    comment: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OutcomeMail(Model):
    """A mail of the outcome machinery that was sent: ``kind`` and ``key`` (the day, or
    the follow-up's meeting) say which, so the periodic task sends each at most once."""

    __tablename__ = "outcome_mails"
    __table_args__ = (
        CheckConstraint(_in("kind", MAIL_KINDS), name="kind"),
        Index("ix_outcome_mails_event", "event_id"),
    )

    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
