from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..privacy.consent import LISTED_QUESTION, SHARE_QUESTION
from ..web import parse_id
from .models import OPPORTUNITY_KINDS, ORGANISATION_KINDS, ORGANISATION_SIZES
from .services import LIMITS


class RegistrationForm(FlaskForm):
    """Pick an existing organisation (``organisation_id``) or describe a new one."""

    organisation_id = HiddenField()
    org_query = StringField("Find your organisation", validators=[Optional(), Length(max=200)])
    org_name = StringField(
        "Organisation name",
        description=f"Up to {LIMITS['org_name']} characters.",
        validators=[Optional(), Length(max=LIMITS["org_name"])],
    )
    country = StringField(
        "Country",
        description="Its name or two-letter code, e.g. Finland or FI.",
        validators=[Optional(), Length(max=60)],
    )
    city = StringField("City", validators=[Optional(), Length(max=LIMITS["city"])])
    website = StringField(
        "Website", description="e.g. https://example.com", validators=[Optional(), Length(max=300)]
    )
    kind = SelectField(
        "Type", choices=list(ORGANISATION_KINDS.items()), default="sme", validate_choice=False
    )
    size = SelectField(
        "Size (employees)",
        choices=[("", "—")] + [(s, s) for s in ORGANISATION_SIZES],
        default="",
        validate_choice=False,
    )
    sectors = StringField(
        "Sectors",
        description=f"Comma-separated, at most {LIMITS['tags']}, e.g. hydraulics, welding.",
        validators=[Optional(), Length(max=600)],
    )
    name = StringField(
        "Your name (as others see it)",
        validators=[DataRequired(), Length(max=LIMITS["name"])],
    )
    role_title = StringField(
        "Your role or title", validators=[Optional(), Length(max=LIMITS["role_title"])]
    )
    # What others see (``privacy.consent``). Being listed is what one registers for, so
    # it starts at yes; sharing contact details is never assumed: it starts at no.
    listed = RadioField(LISTED_QUESTION, choices=[("yes", "Yes"), ("no", "No")], default="yes")
    share_contact = RadioField(SHARE_QUESTION, choices=[("yes", "Yes"), ("no", "No")], default="no")
    phone = StringField(
        "Phone (optional)",
        description="Shown only to the people you meet, and only if you say yes above.",
        validators=[Optional(), Length(max=40)],
    )

    def consent(self) -> dict:
        return {
            "listed": self.listed.data == "yes",
            "share_contact": self.share_contact.data == "yes",
            "phone": self.phone.data or "",
        }

    def new_organisation(self) -> dict | None:
        if not (self.org_name.data or "").strip():
            return None
        return {
            "name": self.org_name.data,
            "country": self.country.data or "",
            "city": self.city.data or "",
            "website": self.website.data or "",
            "kind": self.kind.data,
            "size": self.size.data or "",
            "sectors": self.sectors.data or "",
        }

    def picked_organisation_id(self) -> int | None:
        return parse_id(self.organisation_id.data)


class ProfileForm(FlaskForm):
    name = StringField(
        "Your name",
        validators=[DataRequired(), Length(max=LIMITS["name"])],
        description=f"Up to {LIMITS['name']} characters.",
    )
    role_title = StringField(
        "Role / title",
        description=f"Up to {LIMITS['role_title']} characters.",
        validators=[Optional(), Length(max=LIMITS["role_title"])],
    )
    bio = TextAreaField(
        "Short bio",
        description=f"Up to {LIMITS['bio']} characters. Plain text.",
        validators=[Optional(), Length(max=LIMITS["bio"])],
    )
    languages = StringField(
        "Languages",
        description="e.g. English, Finnish, German.",
        validators=[Optional(), Length(max=LIMITS["languages"])],
    )


class OpportunityForm(FlaskForm):
    kind = SelectField(
        "Kind", choices=list(OPPORTUNITY_KINDS.items()), default="offer", validate_choice=False
    )
    title = StringField(
        "Title",
        description=f"Up to {LIMITS['opp_title']} characters.",
        validators=[DataRequired(), Length(max=LIMITS["opp_title"])],
    )
    description = TextAreaField(
        "Description",
        description=f"Up to {LIMITS['opp_description']} characters. Plain text.",
        validators=[Optional(), Length(max=LIMITS["opp_description"])],
    )
    tags = StringField(
        "Sectors / technologies",
        description=f"Comma-separated, at most {LIMITS['tags']}.",
        validators=[Optional(), Length(max=600)],
    )
    target_countries = StringField(
        "Target countries (optional)",
        description="Two-letter codes, e.g. ZA, DE.",
        validators=[Optional(), Length(max=200)],
    )


class AddParticipantForm(FlaskForm):
    """An organiser registers one company representative."""

    org_name = StringField(
        "Organisation", validators=[DataRequired(), Length(max=LIMITS["org_name"])]
    )
    country = StringField(
        "Country", description="Two-letter code, e.g. FI.", validators=[DataRequired()]
    )
    kind = SelectField(
        "Type", choices=list(ORGANISATION_KINDS.items()), default="sme", validate_choice=False
    )
    name = StringField("Person", validators=[DataRequired(), Length(max=LIMITS["name"])])
    email = StringField(
        "E-mail (optional)",
        description="If it belongs to an account, the person sees the event when they log in.",
        validators=[Optional(), Length(max=254)],
    )
    role_title = StringField(
        "Role (optional)", validators=[Optional(), Length(max=LIMITS["role_title"])]
    )


class ImportForm(FlaskForm):
    csv_file = FileField(
        "CSV file",
        description=(
            "First line: organisation, country, name, and optionally email, role, type. "
            "Comma or semicolon separated, UTF-8."
        ),
        validators=[FileRequired("Choose a CSV file.")],
    )
