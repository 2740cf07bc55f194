"""Forms of the organisation page: its details, and a meeting request to its people."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..meetings.booking import MESSAGE_LIMIT
from ..web import parse_id
from .countries import country_name
from .models import ORGANISATION_KINDS, ORGANISATION_SIZES
from .organisations import DESCRIPTION_LIMIT
from .services import LIMITS
from .tags import unpack_tags


class OrganisationForm(FlaskForm):
    name = StringField(
        "Organisation name", validators=[DataRequired(), Length(max=LIMITS["org_name"])]
    )
    description = TextAreaField(
        "What the organisation does",
        description=f"Up to {DESCRIPTION_LIMIT} characters.",
        validators=[Optional(), Length(max=DESCRIPTION_LIMIT)],
    )
    website = StringField(
        "Website", description="e.g. bell.co.za", validators=[Optional(), Length(max=300)]
    )
    country = StringField(
        "Country",
        description="Type to find it in the list.",
        validators=[DataRequired(), Length(max=80)],
    )
    city = StringField("City", validators=[Optional(), Length(max=LIMITS["city"])])
    kind = SelectField("Type", choices=list(ORGANISATION_KINDS.items()), validate_choice=False)
    size = SelectField(
        "Size (employees)",
        choices=[("", "—")] + [(s, s) for s in ORGANISATION_SIZES],
        validate_choice=False,
    )
    sectors = StringField(
        "Sectors",
        description=f"Comma-separated, at most {LIMITS['tags']}, e.g. hydraulics, welding.",
        validators=[Optional(), Length(max=600)],
    )

    @classmethod
    def of(cls, org) -> OrganisationForm:
        form = cls(formdata=None, obj=org)
        form.country.data = country_name(org.country)
        form.sectors.data = ", ".join(unpack_tags(org.sectors))
        return form

    def fields(self) -> dict[str, str]:
        return {
            name: getattr(self, name).data or ""
            for name in (
                "name",
                "description",
                "website",
                "country",
                "city",
                "kind",
                "size",
                "sectors",
            )
        }


class OrganisationRequestForm(FlaskForm):
    """A meeting request from an organisation's card: to a named person or to anyone."""

    to = SelectField("With", choices=[], validate_choice=False)
    message = TextAreaField(
        "Message (optional)",
        description=f"Why you would like to meet. Up to {MESSAGE_LIMIT} characters.",
        validators=[Optional(), Length(max=MESSAGE_LIMIT)],
    )

    def for_people(self, org, people) -> OrganisationRequestForm:
        self.to.choices = [("", f"Anyone from {org.name}")] + [
            (str(p.id), f"{p.name}, {p.role_title}" if p.role_title else p.name) for p in people
        ]
        return self

    def representative_id(self) -> int | None:
        if not self.to.data:
            return None
        return parse_id(self.to.data) or -1  # not an id: nobody's, refused by the service
