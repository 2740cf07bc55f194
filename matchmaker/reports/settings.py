"""The organiser's survey settings: when each day's survey goes out, when the reminder
follows, and when the second stage opens. Flushes, never commits."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, TimeField
from wtforms.validators import DataRequired, NumberRange, Optional

from ..events.forms import plausible_date
from ..events.models import Event
from ..extensions import db
from ..outcomes.models import OutcomeSettings

#: The second stage opens at this local time on the day the organiser picks.
SECOND_STAGE_TIME = time(9, 0)


class SurveySettingsForm(FlaskForm):
    survey_time = TimeField("Send each day's survey at", validators=[DataRequired()])
    reminder_hours = IntegerField(
        "Remind those who have not answered after (hours)",
        validators=[DataRequired(), NumberRange(1, 720)],
    )
    second_stage_on = DateField(
        "Ask about agreements on",
        validators=[Optional(), plausible_date],
        description='Months after the event: "did this contact lead to an agreement?"',
    )


def form_for(event: Event, settings: OutcomeSettings | None) -> SurveySettingsForm:
    form = SurveySettingsForm()
    if not form.is_submitted():
        if settings is None:
            form.survey_time.data, form.reminder_hours.data = time(17, 30), 48
        else:
            form.survey_time.data = settings.survey_time
            form.reminder_hours.data = settings.reminder_hours
            if settings.second_stage_at:
                zone = ZoneInfo(event.timezone)
                form.second_stage_on.data = settings.second_stage_at.astimezone(zone).date()
    return form


def save(event: Event, survey_time: time, reminder_hours: int, second_stage_on: date | None):
    """Turn the surveys on (or change when they go) for ``event``."""
    settings = db.session.get(OutcomeSettings, event.id) or OutcomeSettings(event_id=event.id)
    settings.survey_time = survey_time.replace(second=0, microsecond=0)
    settings.reminder_hours = reminder_hours
    settings.second_stage_at = (
        datetime.combine(second_stage_on, SECOND_STAGE_TIME, ZoneInfo(event.timezone))
        if second_stage_on
        else None
    )
    db.session.add(settings)
    db.session.flush()
    return settings
