from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.validators import Length, Optional

from .booking import MESSAGE_LIMIT


class RequestForm(FlaskForm):
    message = TextAreaField(
        "Message (optional)",
        description=f"Why you would like to meet. Up to {MESSAGE_LIMIT} characters; only "
        "the two of you and the organisers see it.",
        validators=[Optional(), Length(max=MESSAGE_LIMIT)],
    )


class ReasonForm(FlaskForm):
    reason = TextAreaField(
        "Reason (optional)",
        description=f"Up to {MESSAGE_LIMIT} characters.",
        validators=[Optional(), Length(max=MESSAGE_LIMIT)],
    )


class OnBehalfForm(FlaskForm):
    other_id = SelectField("Meet with", coerce=int)
    message = TextAreaField("Note (optional)", validators=[Optional(), Length(max=MESSAGE_LIMIT)])
