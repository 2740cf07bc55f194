from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import NumberRange, Optional

from ..participants.models import ORGANISATION_KINDS
from .mailings import AUDIENCES, MAX_BODY, MAX_SUBJECT, PLACEHOLDERS, Draft


class MailingForm(FlaskForm):
    # Lengths are checked by the service (mailings.check_draft), with the figures in the
    # message; the browser's maxlength stops typing beyond them.
    subject = StringField("Subject", render_kw={"maxlength": MAX_SUBJECT})
    body = TextAreaField(
        "Message",
        description="A blank line starts a paragraph; **bold**, *italic*, "
        "[text](https://link), lines starting with “- ” make a list. Placeholders: "
        + ", ".join(f"{{{k}}} ({v})" for k, v in PLACEHOLDERS.items())
        + ".",
        render_kw={"rows": 10, "maxlength": MAX_BODY},
    )
    audience = SelectField("Who gets it", choices=list(AUDIENCES.items()), default="everyone")
    country = StringField("Country (two-letter code)", render_kw={"maxlength": 2})
    kind = SelectField(
        "Type of organisation", choices=list(ORGANISATION_KINDS.items()), validate_choice=False
    )

    def draft(self) -> Draft:
        value = {"country": self.country.data, "kind": self.kind.data}.get(self.audience.data, "")
        return Draft(
            subject=self.subject.data or "",
            # A browser sends a line break as CR LF but counts it once against maxlength.
            body=(self.body.data or "").replace("\r\n", "\n"),
            audience=self.audience.data,
            value=(value or "").strip(),
        )


class ReminderSettingsForm(FlaskForm):
    deadlines = BooleanField("Registration and request deadlines (two days before)")
    pending_requests = BooleanField("Requests waiting for an answer")
    pending_days = IntegerField(
        "… waiting for more than (days)", validators=[Optional(), NumberRange(1, 60)]
    )
    day_before = BooleanField("The day before each event day: that day's agenda, with an .ics file")


class PreferencesForm(FlaskForm):
    announcements = BooleanField("Announcements from the organisers of your events")
    reminders = BooleanField("Reminders (deadlines, requests waiting, tomorrow's agenda)")
