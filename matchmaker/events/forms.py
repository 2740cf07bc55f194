from datetime import datetime
from zoneinfo import ZoneInfo

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from .models import EVENT_STATUSES


class EventForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    slug = StringField(
        "Web address",
        description="Lowercase letters, digits and hyphens, e.g. bell-mission-2026.",
        validators=[DataRequired(), Length(max=80)],
    )
    description = TextAreaField("Description", validators=[Optional(), Length(max=10000)])
    venue = StringField("Venue", validators=[Optional(), Length(max=200)])
    timezone = StringField(
        "Time zone",
        description="IANA name, e.g. Africa/Johannesburg. All times of the event are in this zone.",
        validators=[DataRequired(), Length(max=64)],
    )
    registration_opens_at = DateTimeLocalField(
        "Registration opens", format="%Y-%m-%dT%H:%M", validators=[Optional()]
    )
    registration_closes_at = DateTimeLocalField(
        "Registration closes", format="%Y-%m-%dT%H:%M", validators=[Optional()]
    )
    booking_deadline = DateTimeLocalField(
        "Meeting requests until", format="%Y-%m-%dT%H:%M", validators=[Optional()]
    )
    requires_approval = BooleanField("Registrations need my approval", default=True)
    max_meetings_per_participant = IntegerField(
        "Most meetings per participant",
        description="Leave empty for no limit.",
        validators=[Optional(), NumberRange(min=1, max=500)],
    )
    late_registration = BooleanField(
        "Allow late registration after the schedule is published",
        description="New participants can then register and request meetings; their "
        "meetings are placed when you re-plan the schedule and publish the changes.",
        default=False,
    )

    LOCAL_FIELDS = ("registration_opens_at", "registration_closes_at", "booking_deadline")

    def to_data(self) -> dict:
        """Field values, with local date-times converted to UTC in the event's zone."""
        data = {name: getattr(self, name).data for name in self._fields if name != "csrf_token"}
        data["slug"] = (data["slug"] or "").strip().lower()
        data["timezone"] = (data["timezone"] or "").strip()
        try:
            tz = ZoneInfo(data["timezone"])
        except (KeyError, ValueError):
            tz = None
        for name in self.LOCAL_FIELDS:
            value: datetime | None = data[name]
            data[name] = (
                value.replace(tzinfo=tz).astimezone(ZoneInfo("UTC")) if value and tz else None
            )
        return data

    def fill_from(self, event) -> None:
        for name in self._fields:
            if name == "csrf_token":
                continue
            value = getattr(event, name)
            if name in self.LOCAL_FIELDS and value is not None:
                value = value.astimezone(ZoneInfo(event.timezone)).replace(tzinfo=None)
            getattr(self, name).data = value


class SessionForm(FlaskForm):
    name = StringField(
        "Label", validators=[Optional(), Length(max=120)], description="e.g. Tuesday morning"
    )
    day = DateField("Day", validators=[DataRequired()])
    start_time = TimeField("Starts", validators=[DataRequired()])
    end_time = TimeField("Ends", validators=[DataRequired()])
    slot_minutes = IntegerField(
        "Slot length (minutes)",
        default=20,
        validators=[DataRequired(), NumberRange(min=5, max=240)],
    )
    pause_minutes = IntegerField(
        "Pause between slots (minutes)",
        default=5,
        validators=[Optional(), NumberRange(min=0, max=120)],
    )


class TablesForm(FlaskForm):
    count = IntegerField(
        "How many", default=10, validators=[DataRequired(), NumberRange(min=1, max=1000)]
    )
    prefix = StringField("Name", default="Table", validators=[Optional(), Length(max=60)])
    capacity_note = StringField(
        "Note", validators=[Optional(), Length(max=200)], description="e.g. seats 4"
    )


class ProgrammeForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    day = DateField("Day", validators=[DataRequired()])
    start_time = TimeField("Starts", validators=[DataRequired()])
    end_time = TimeField("Ends", validators=[DataRequired()])
    place = StringField("Place", validators=[Optional(), Length(max=200)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=5000)])
    attendance = SelectField(
        "Who attends",
        choices=[("all", "Everyone"), ("opt_in", "Participants who sign up")],
        default="all",
    )


class StatusForm(FlaskForm):
    status = SelectField("Status", choices=[(s, s) for s in EVENT_STATUSES])
