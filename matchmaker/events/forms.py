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
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from .models import EVENT_STATUSES

FIRST_YEAR, LAST_YEAR = 2000, 2100


def plausible_date(form, field) -> None:
    """A date (or date and time) from FIRST_YEAR to LAST_YEAR: nothing is planned beyond,
    and a day at the very end of the calendar (9999-12-31 23:00) overflows once moved
    into UTC or another zone, which made every page of the event fail."""
    if field.data is not None and not FIRST_YEAR <= field.data.year <= LAST_YEAR:
        raise ValidationError(f"Choose a date from {FIRST_YEAR} to {LAST_YEAR}.")


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
        "Registration opens", format="%Y-%m-%dT%H:%M", validators=[Optional(), plausible_date]
    )
    registration_closes_at = DateTimeLocalField(
        "Registration closes", format="%Y-%m-%dT%H:%M", validators=[Optional(), plausible_date]
    )
    booking_deadline = DateTimeLocalField(
        "Meeting requests until", format="%Y-%m-%dT%H:%M", validators=[Optional(), plausible_date]
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

    schedule_tie_break = SelectField(
        "Among the schedules with the fewest breaks",
        choices=[("early", "Early and compact"), ("spread", "Spread evenly")],
        default="early",
        description="Early and compact: each day starts with its first slot, no slot stays "
        "empty before a busy one, and everyone's meetings fit in as few days as they can. "
        "Spread evenly: about the same number of meetings in every slot, for a venue where "
        "a full room is a problem. Neither costs a break or a meeting.",
    )

    LOCAL_FIELDS = ("registration_opens_at", "registration_closes_at", "booking_deadline")

    def to_data(self) -> dict:
        """Field values, with local date-times converted to UTC in the event's zone."""
        data = {name: getattr(self, name).data for name in self._fields if name != "csrf_token"}
        for name in ("description", "venue"):  # not sent at all: empty, as when blank
            data[name] = data[name] or ""
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
    day = DateField("Day", validators=[DataRequired(), plausible_date])
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
    day = DateField("Day", validators=[DataRequired(), plausible_date])
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
