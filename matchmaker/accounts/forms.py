from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, RadioField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from .services import MAX_PASSWORD, MIN_PASSWORD

PASSWORD_HINT = f"{MIN_PASSWORD} to {MAX_PASSWORD} characters; common passwords are refused."


class RegisterForm(FlaskForm):
    name = StringField("Your name", validators=[DataRequired(), Length(max=120)])
    email = EmailField(
        "E-mail", validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)]
    )
    password = PasswordField(
        "Password",
        description=PASSWORD_HINT,
        validators=[DataRequired()],  # length and commonness: services.check_password_rules
    )
    role = RadioField(
        "I want to",
        choices=[
            ("participant", "take part in events (companies and their representatives)"),
            ("organiser", "organise events (clusters, business networks, chambers)"),
        ],
        default="participant",
    )


class LoginForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=MAX_PASSWORD)])


class ForgotPasswordForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254)])


class ResetPasswordForm(FlaskForm):
    password = PasswordField(
        "New password",
        description=PASSWORD_HINT,
        validators=[DataRequired()],  # length and commonness: services.check_password_rules
    )
    confirm = PasswordField(
        "Repeat the new password",
        validators=[DataRequired(), EqualTo("password", message="The two passwords differ.")],
    )


class ClaimAccountForm(FlaskForm):
    """Taking a place an organiser made: the invitation link proves the address."""

    name = StringField("Your name", validators=[DataRequired(), Length(max=120)])
    password = PasswordField(
        "Choose a password",
        description=PASSWORD_HINT,
        validators=[DataRequired()],  # length and commonness: services.check_password_rules
    )
    confirm = PasswordField(
        "Repeat the password",
        validators=[DataRequired(), EqualTo("password", message="The two passwords differ.")],
    )
