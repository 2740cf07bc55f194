"""A participant's contacts from an event: each partner met, with their own notes,
follow-up dates and the partner's details; as CSV and as vCards (``vobject``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import vobject

from ..events.models import Event
from ..participants.countries import country_name
from ..participants.models import ORGANISATION_KINDS, Participant
from .models import EXPECTED_RESULTS
from .survey import items


@dataclass
class Contact:
    partner: Participant
    met_on: date
    held: bool | None
    promising: int | None
    expected: str
    follow_up_on: date | None
    note: str


def contacts(event: Event, participant: Participant) -> list[Contact]:
    """One line per partner met (their first meeting's answers), follow-up dates first."""
    from ..templating import to_zone

    found: dict[int, Contact] = {}
    for item in items(event, participant):
        a = item.answer
        for partner in item.partners:
            if partner.id in found:
                continue
            found[partner.id] = Contact(
                partner=partner,
                met_on=to_zone(item.starts_at, event.timezone).date(),
                held=a.held if a else None,
                promising=a.promising if a else None,
                expected=EXPECTED_RESULTS.get(a.expected_result or "", "") if a else "",
                follow_up_on=a.follow_up_on if a else None,
                note=a.note if a else "",
            )
    return sorted(
        found.values(), key=lambda c: (c.follow_up_on is None, c.follow_up_on or c.met_on)
    )


CSV_HEADER = (
    "Name",
    "Role",
    "Organisation",
    "Country",
    "Type",
    "Website",
    "E-mail",
    "Met on",
    "Held",
    "Promising (1-5)",
    "Expected result",
    "Follow up on",
    "My note",
)


def csv_rows(found: list[Contact]):
    for c in found:
        org = c.partner.organisation
        yield (
            c.partner.name,
            c.partner.role_title,
            org.name,
            country_name(org.country),
            ORGANISATION_KINDS.get(org.kind, org.kind),
            org.website,
            c.partner.shared_email,  # only if the partner said so (privacy.consent)
            c.met_on.isoformat(),
            "" if c.held is None else "yes" if c.held else "no",
            c.promising or "",
            c.expected,
            c.follow_up_on.isoformat() if c.follow_up_on else "",
            c.note,
        )


def vcards(event: Event, found: list[Contact]) -> str:
    """Every contact as a vCard 3.0, one after the other (one .vcf file)."""
    cards = []
    for c in found:
        card = vobject.vCard()
        card.add("fn").value = c.partner.name
        parts = c.partner.name.rsplit(" ", 1)
        card.add("n").value = vobject.vcard.Name(
            family=parts[-1], given=parts[0] if len(parts) > 1 else ""
        )
        card.add("org").value = [c.partner.organisation.name]
        if c.partner.role_title:
            card.add("title").value = c.partner.role_title
        if c.partner.shared_email:  # only if the partner said so (privacy.consent)
            mail = card.add("email")
            mail.value, mail.type_param = c.partner.shared_email, "INTERNET"
        if c.partner.shared_phone:
            card.add("tel").value = c.partner.shared_phone
        if c.partner.organisation.website:
            card.add("url").value = c.partner.organisation.website
        note = f"Met at {event.name} on {c.met_on.isoformat()}."
        if c.follow_up_on:
            note += f" Follow up on {c.follow_up_on.isoformat()}."
        if c.note:
            note += " " + c.note
        card.add("note").value = note
        cards.append(card.serialize())
    return "".join(cards)
