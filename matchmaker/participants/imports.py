"""Organisers add participants themselves: one at a time, or a list from a spreadsheet.

Trade missions are often organised for companies that never log in; the organiser then
registers them (and may act on their behalf). A participant with an e-mail address is
invited (``invitations``): the person takes the place through the link, so adding an
address never enrols an account without its owner's consent, and nothing here tells the
organiser whether an address has an account.

A CSV import is all or nothing: every line is checked, and if any is refused nothing is
saved and every refusal is listed with its line number.
"""

from __future__ import annotations

import csv
import io

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select

from .. import audit
from ..errors import Conflict, Invalid
from ..events.models import Event
from ..extensions import db
from . import invitations
from .models import ORGANISATION_KINDS, Organisation, Participant
from .services import register_participant

MAX_ROWS = 5000
#: Accepted column names (lower case) for each field; the first row names the columns.
COLUMNS = {
    "organisation": ("organisation", "organization", "company"),
    "country": ("country", "country code"),
    "name": ("name", "person", "representative", "contact"),
    "email": ("email", "e-mail", "mail"),
    "role": ("role", "title", "role / title"),
    "kind": ("type", "kind", "organisation type", "organization type"),
}
REQUIRED = ("organisation", "country", "name")


class ImportRefused(Invalid):
    """Some lines were refused; ``lines`` says which and why. Nothing was saved."""

    def __init__(self, lines: list[str]):
        super().__init__(
            f"{len(lines)} line{'s' if len(lines) != 1 else ''} could not be imported, "
            "so nothing was imported. Correct the file and send it again.",
            "csv_file",
        )
        self.lines = lines


def add_participant(
    event: Event,
    organiser,
    *,
    organisation: str,
    country: str,
    name: str,
    email: str = "",
    role: str = "",
    kind: str = "",
) -> Participant:
    """Register a company's representative for ``event`` on the organiser's authority
    (approved at once, registration window or not), and invite them if there is an
    e-mail address. Never linked to an account here: the person accepts the invitation."""
    email = (email or "").strip()
    if email:
        try:
            email = validate_email(email, check_deliverability=False).normalized.lower()
        except EmailNotValidError:
            raise Invalid(f"“{email}” is not an e-mail address.", "email") from None
        taken = db.session.scalar(
            select(Participant.id).where(
                Participant.event_id == event.id, Participant.email == email
            )
        )
        if taken is not None:
            raise Conflict(f"{email} is registered for this event already.", "email")
    kind = (kind or "sme").strip().lower()
    if kind not in ORGANISATION_KINDS:
        kinds = ", ".join(ORGANISATION_KINDS)
        raise Invalid(f"Unknown organisation type “{kind}”; use one of {kinds}.", "kind")
    existing = _organisation_named(organisation, country)
    participant = register_participant(
        event,
        None,
        organisation=existing,
        new_organisation=None
        if existing
        else {"name": organisation, "country": country, "kind": kind},
        name=name,
        role_title=role,
        email=email,
        registered_by=organiser,
    )
    if email:
        invitations.invite(participant)
    return participant


def _organisation_named(name: str, country: str) -> Organisation | None:
    """The organisation of that name and country, if one exists (spelling as typed)."""
    name, country = (name or "").strip(), (country or "").strip().upper()
    if not name:
        return None
    return db.session.scalar(
        select(Organisation)
        # lower() on both sides: SQLite's folds ASCII only, so Python's would not match it.
        .where(func.lower(Organisation.name) == func.lower(name), Organisation.country == country)
        .order_by(Organisation.id)
        .limit(1)
    )


def read_rows(data: bytes) -> list[tuple[int, dict[str, str]]]:
    """(line number, field -> value) for every non-empty line after the header.

    UTF-8 (with or without a byte-order mark) or, failing that, Windows-1252 as older
    spreadsheets save it; comma, semicolon or tab separated.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    header = next(reader, None)
    if not header:
        raise Invalid("The file is empty.", "csv_file")
    names = [h.strip().lower() for h in header]
    where: dict[str, int] = {}
    for field, aliases in COLUMNS.items():
        for i, column in enumerate(names):
            if column in aliases:
                where[field] = i
                break
    missing = [f for f in REQUIRED if f not in where]
    if missing:
        raise Invalid(
            "The first line must name the columns; missing: "
            + ", ".join(missing)
            + ". Optional: email, role, type.",
            "csv_file",
        )
    rows = []
    for line, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        rows.append((line, {f: values[i] if i < len(values) else "" for f, i in where.items()}))
        if len(rows) > MAX_ROWS:
            raise Invalid(f"At most {MAX_ROWS} participants per file.", "csv_file")
    if not rows:
        raise Invalid("The file has a header but no participants.", "csv_file")
    return rows


def import_csv(event: Event, organiser, data: bytes, progress=None) -> list[Participant]:
    """Add every participant of the file, or none (``ImportRefused`` lists why).

    ``progress(lines_checked)`` is called after each line (the worker reports it)."""
    added, refused = [], []
    seen: dict[str, int] = {}
    for checked, (line, row) in enumerate(read_rows(data), start=1):
        if progress is not None and checked > 1:
            progress(checked - 1)
        email = row.get("email", "").strip().lower()
        if email and email in seen:
            refused.append(f"Line {line}: {email} is on line {seen[email]} already.")
            continue
        try:
            with db.session.begin_nested():
                added.append(add_participant(event, organiser, **row))
        except (Invalid, Conflict) as error:
            refused.append(f"Line {line}: {error.message}")
        if email:
            seen[email] = line
    if refused:
        raise ImportRefused(refused)
    audit.record(event, organiser, "participants.imported", {"added": len(added)})
    return added
