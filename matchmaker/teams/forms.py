from flask_wtf import FlaskForm
from wtforms import EmailField, RadioField
from wtforms.validators import DataRequired, Length

from .services import INVITED_ROLES, ROLE_LABELS


class InviteForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254)])
    role = RadioField(
        "Role",
        choices=[(role, ROLE_LABELS[role]) for role in INVITED_ROLES],
        default="organiser",
    )
