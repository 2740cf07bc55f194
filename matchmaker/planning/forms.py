"""Forms of the schedule pages."""

from flask_wtf import FlaskForm
from wtforms import FloatField, IntegerField, SelectField
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional
from wtforms.widgets import HiddenInput

from ..web import bounded_int
from .runs import MAX_TIME_LIMIT, MIN_TIME_LIMIT


class RunForm(FlaskForm):
    time_limit = FloatField(
        "Time limit (seconds)",
        default=30,
        description="The solver stops at this limit with the best schedule found.",
        validators=[
            InputRequired(message="Give a time limit in seconds."),
            NumberRange(
                min=MIN_TIME_LIMIT,
                max=MAX_TIME_LIMIT,
                message=f"Between {MIN_TIME_LIMIT} and {MAX_TIME_LIMIT} seconds.",
            ),
        ],
    )


class MoveForm(FlaskForm):
    target = SelectField(
        "New slot and table",
        choices=[],
        validate_choice=False,  # the service re-checks against the live schedule
        validators=[DataRequired(message="Choose where the meeting should go.")],
    )
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])


class AddMeetingForm(FlaskForm):
    first = SelectField("Participant", coerce=bounded_int, validate_choice=False)
    second = SelectField("Meets", coerce=bounded_int, validate_choice=False)
