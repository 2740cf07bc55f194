"""Taking part in an event: registration, profile, opportunities, favourites, availability.

Services validate, change the session and flush; the route commits once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import and_, delete, false, or_, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from .. import audit
from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..events import states
from ..events.models import Event, Table, event_organisers
from ..events.services import event_slots
from ..extensions import db
from ..web import path_for
from .models import (
    ORGANISATION_KINDS,
    ORGANISATION_SIZES,
    Favourite,
    Organisation,
    Participant,
    Unavailability,
)
from .tags import pack_tags, parse_tag_input

# Length limits, stated on the forms too.
LIMITS = {
    "org_name": 200,
    "city": 120,
    "website": 300,
    "name": 120,
    "role_title": 120,
    "bio": 2000,
    "languages": 200,
    "opp_title": 150,
    "opp_description": 3000,
    "tags": 12,
    "countries": 10,
}
MAX_OPPORTUNITIES = 20
COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value: str | None, limit: int, field: str, label: str) -> str:
    """Strip control characters and surrounding space; refuse text over ``limit``.

    Markup is not removed: every template escapes, so "<b>" shows as typed.
    """
    text = _CONTROL.sub("", (value or "").replace("\r\n", "\n")).strip()
    if len(text) > limit:
        raise Invalid(f"{label} is limited to {limit} characters (you sent {len(text)}).", field)
    return text


def parse_countries(text: str, field: str = "target_countries") -> list[str]:
    codes = [c.strip().upper() for c in re.split(r"[,;\s]+", text or "") if c.strip()]
    for code in codes:
        if not COUNTRY_RE.match(code):
            raise Invalid(f"{code!r} is not a two-letter country code (e.g. ZA, FI).", field)
    if len(codes) > LIMITS["countries"]:
        raise Invalid(f"At most {LIMITS['countries']} target countries.", field)
    return list(dict.fromkeys(codes))


def checked_tags(text: str, field: str) -> str:
    tags = parse_tag_input(text)
    if len(tags) > LIMITS["tags"]:
        raise Invalid(f"At most {LIMITS['tags']} tags.", field)
    return pack_tags(tags)


# --- registration ----------------------------------------------------------------------


def participant_for(event: Event, user, approved: bool = False) -> Participant | None:
    """``user``'s participant record in ``event`` (any status; only an approved one with
    ``approved``), or None: the one loader of "my participation" (views, templates' global
    ``my_participation``, and ``loaders.my_participant`` for a 403 instead of None)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    query = select(Participant).where(
        Participant.event_id == event.id, Participant.user_id == user.id
    )
    if approved:
        query = query.where(Participant.status == "approved")
    return db.session.scalar(query)


def registration_problem(event: Event, now: datetime | None = None) -> str | None:
    """Why registration is closed right now, or None when it is open."""
    return states.registration_problem(event, now)


def visible_organisations(user):
    """The organisations ``user`` may find by name, as a condition on ``Organisation``.

    Those with an approved participant in an event that is out of draft, those of any
    participant in an event ``user`` organises, those ``user`` takes part for, and those
    ``user`` created. Nothing else: not the organisations of other organisers' drafts,
    nor of registrations still pending or rejected elsewhere. Site admins see every one.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return false()
    if user.is_admin:
        return true()
    organised = select(event_organisers.c.event_id).where(event_organisers.c.user_id == user.id)
    seen = (
        select(Participant.organisation_id)
        .join(Event, Event.id == Participant.event_id)
        .where(
            or_(
                and_(Participant.status == "approved", Event.status != "draft"),
                Participant.event_id.in_(organised),
                Participant.user_id == user.id,
            )
        )
    )
    return or_(Organisation.id.in_(seen), Organisation.created_by_id == user.id)


def search_organisations(query: str, user, limit: int = 8) -> list[Organisation]:
    """Organisations ``user`` may see whose name contains ``query`` (for "pick yours")."""
    query = (query or "").strip()
    if len(query) < 2:
        return []
    pattern = "%" + query.replace("%", r"\%").replace("_", r"\_") + "%"
    return list(
        db.session.scalars(
            select(Organisation)
            .where(Organisation.name.ilike(pattern, escape="\\"), visible_organisations(user))
            .order_by(Organisation.name)
            .limit(limit)
        )
    )


def build_organisation(
    *,
    name: str,
    country: str,
    city: str = "",
    website: str = "",
    kind: str = "sme",
    size: str = "",
    sectors: str = "",
    created_by=None,
) -> Organisation:
    name = clean_text(name, LIMITS["org_name"], "org_name", "The organisation's name")
    if not name:
        raise Invalid("Give your organisation's name, or pick an existing one.", "org_name")
    from .countries import country_code  # a name ("Finland") or a code ("FI")
    from .organisations import complete_website  # "bell.co.za" -> "https://bell.co.za"

    country = country_code(country or "")
    if kind not in ORGANISATION_KINDS:
        raise Invalid("Choose the type of organisation.", "kind")
    if size and size not in ORGANISATION_SIZES:
        raise Invalid("Choose a size from the list.", "size")
    website = complete_website(website)
    org = Organisation(
        name=name,
        country=country,
        city=clean_text(city, LIMITS["city"], "city", "The city"),
        website=website,
        kind=kind,
        size=size,
        sectors=checked_tags(sectors, "sectors"),
        created_by_id=created_by.id if created_by else None,
    )
    db.session.add(org)
    return org


def register_participant(
    event: Event,
    user,
    *,
    organisation: Organisation | None = None,
    organisation_id: int | None = None,
    new_organisation: dict | None = None,
    name: str = "",
    role_title: str = "",
    email: str = "",
    registered_by=None,
) -> Participant:
    """Register ``user`` (or, when None, a company that never logs in) for ``event``.

    The organisation is picked (``organisation_id``) or created (``new_organisation``).
    Approved at once unless the event requires approval. Organisers may register
    on someone's behalf outside the registration window.
    """
    if registered_by is None:
        problem = registration_problem(event)
        if problem:
            raise Conflict(problem)
    if user is not None and participant_for(event, user):
        raise Conflict("You are registered for this event already.")
    if organisation is None and organisation_id:
        # Only one the person could have found by searching: an id typed by hand must not
        # attach them to (and show them the name of) an organisation they may not see.
        organisation = db.session.scalar(
            select(Organisation).where(
                Organisation.id == organisation_id, visible_organisations(registered_by or user)
            )
        )
        if organisation is None:
            raise Invalid("That organisation no longer exists; search again.", "organisation_id")
    if organisation is None:
        if not new_organisation:
            raise Invalid("Pick your organisation or create it.", "org_name")
        organisation = build_organisation(**new_organisation, created_by=registered_by or user)
    display = clean_text(name or (user.name if user else ""), LIMITS["name"], "name", "Your name")
    if not display:
        raise Invalid("Give the representative's name.", "name")
    participant = Participant(
        event_id=event.id,
        user_id=user.id if user else None,
        organisation=organisation,
        status="pending" if event.requires_approval and registered_by is None else "approved",
        name=display,
        email=(email or (user.email if user else "")).strip().lower()[:254],
        role_title=clean_text(role_title, LIMITS["role_title"], "role_title", "The role"),
    )
    db.session.add(participant)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        # Two tabs registering at once: the unique (event, user) index says no.
        raise Conflict("You are registered for this event already.") from None
    if event.requires_approval and participant.status == "pending":
        from ..notifications.services import notify
        from ..teams.services import full_organisers  # not the desk or viewers

        for organiser in full_organisers(event):
            notify(
                organiser,
                f"{participant.label} asks to take part in {event.name}.",
                kind="registration",
                link=path_for("participants.organiser_list", slug=event.slug),
                event=event,
            )
    return participant


def set_participant_status(participant: Participant, status: str) -> None:
    """Approve or reject a registration (organisers); the participant is told.

    Rejecting calls off the participant's open requests and meetings; their partners
    are told (``meetings.booking.call_off_for``).
    """
    if status not in ("approved", "rejected", "pending"):
        raise Invalid("Unknown status.", "status")
    if participant.status == status:
        return
    participant.status = status
    db.session.flush()
    audit.record(
        participant.event,
        audit.current_actor(),
        "participant.status",
        {"participant_id": participant.id, "to": status},
    )
    from ..notifications.services import notify

    if status == "rejected":
        # Someone who no longer takes part has no requests or meetings left to act on,
        # and holds no table as their stand.
        from ..meetings.booking import call_off_for

        call_off_for(participant)
        participant.fixed_table_id = None
        db.session.flush()

    event = participant.event
    words = {"approved": "approved", "rejected": "not accepted", "pending": "put on hold"}
    notify(
        participant.user,
        f"Your registration for {event.name} was {words[status]}.",
        kind="registration",
        link=path_for("events.show", slug=event.slug),
        event=event,
    )


MAX_LIMIT = 1000


def set_meeting_limit(participant: Participant, raw: str) -> None:
    """The organiser's limit for one participant; blank means the event's limit.

    A limit below what the participant already has open (pending and accepted) is
    refused: it would leave them over the limit with nothing they could do about it.
    """
    from ..meetings.booking import open_request_count

    raw = (raw or "").strip()
    if not raw:
        participant.max_meetings = None
        db.session.flush()
        return
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_LIMIT:
        raise Invalid(f"Enter a whole number from 1 to {MAX_LIMIT}, or leave it blank.", "limit")
    limit = int(raw)
    open_now = open_request_count(participant.id)
    if limit < open_now:
        raise Conflict(
            f"{participant.label} already has {open_now} pending or accepted meetings; "
            f"set at least {open_now}, or cancel some first.",
            "limit",
        )
    participant.max_meetings = limit
    db.session.flush()


# --- profile ----------------------------------------------------------------------------


def update_profile(
    participant: Participant,
    *,
    name: str,
    role_title: str = "",
    bio: str = "",
    languages: str = "",
) -> None:
    display = clean_text(name, LIMITS["name"], "name", "Your name")
    if not display:
        raise Invalid("Give your name as others should see it.", "name")
    participant.name = display
    participant.role_title = clean_text(role_title, LIMITS["role_title"], "role_title", "The role")
    participant.bio = clean_text(bio, LIMITS["bio"], "bio", "The short bio")
    participant.languages = clean_text(languages, LIMITS["languages"], "languages", "The languages")
    db.session.flush()


# --- favourites -------------------------------------------------------------------------


def is_favourite(participant: Participant, target: Participant) -> bool:
    return db.session.get(Favourite, (participant.id, target.id)) is not None


def favourite_ids(participant: Participant | None) -> set[int]:
    if participant is None:
        return set()
    return set(
        db.session.scalars(
            select(Favourite.target_id).where(Favourite.participant_id == participant.id)
        )
    )


def set_favourite(participant: Participant, target: Participant, on: bool) -> bool:
    """Bookmark (or forget) another participant. Idempotent, so double clicks are harmless."""
    if target.id == participant.id:
        raise Invalid("You cannot bookmark yourself.")
    if target.event_id != participant.event_id:
        raise NotFound("No such participant.")
    existing = db.session.get(Favourite, (participant.id, target.id))
    if on and existing is None:
        try:
            with db.session.begin_nested():
                db.session.add(Favourite(participant_id=participant.id, target_id=target.id))
                db.session.flush()
        except IntegrityError:
            pass  # the other tab bookmarked it a moment ago
    elif not on and existing is not None:
        db.session.delete(existing)
        db.session.flush()
    return on


# --- availability -----------------------------------------------------------------------


def unavailable_starts(participant: Participant) -> set[datetime]:
    return set(
        db.session.scalars(
            select(Unavailability.slot_start).where(Unavailability.participant_id == participant.id)
        )
    )


def set_unavailability(participant: Participant, slot_keys: Iterable[str]) -> set[datetime]:
    """Replace the slots in which ``participant`` cannot meet (by slot key)."""
    slots = {s.key: s.starts_at for s in event_slots(participant.event)}
    wanted = set()
    for key in slot_keys:
        if key not in slots:
            raise Invalid(f"{key} is not a meeting slot of this event.", "slots")
        wanted.add(slots[key])
    db.session.execute(
        delete(Unavailability).where(Unavailability.participant_id == participant.id)
    )
    db.session.add_all(
        Unavailability(participant_id=participant.id, slot_start=start) for start in wanted
    )
    db.session.flush()
    return wanted


def toggle_unavailability(participant: Participant, slot_key: str, unavailable: bool) -> bool:
    """Mark one slot (by key) as unavailable or available again. Idempotent."""
    slot = next((s for s in event_slots(participant.event) if s.key == slot_key), None)
    if slot is None:
        raise NotFound("No such meeting slot.")
    row = db.session.get(Unavailability, (participant.id, slot.starts_at))
    if unavailable and row is None:
        try:
            with db.session.begin_nested():
                db.session.add(
                    Unavailability(participant_id=participant.id, slot_start=slot.starts_at)
                )
                db.session.flush()
        except IntegrityError:
            pass
    elif not unavailable and row is not None:
        db.session.delete(row)
        db.session.flush()
    return unavailable


def set_fixed_table(participant: Participant, table_id: int | None) -> None:
    """ "I have a stand: meet me at Table 4". None removes it."""
    if table_id:
        table = db.session.get(Table, table_id)
        if table is None or table.event_id != participant.event_id:
            raise Invalid("Choose one of this event's tables.", "fixed_table_id")
        taken = db.session.scalar(
            select(Participant)
            .where(Participant.fixed_table_id == table_id, Participant.id != participant.id)
            .limit(1)
        )
        if taken is not None and taken.organisation_id != participant.organisation_id:
            # Named only when its holder is approved: a pending or rejected registration
            # is not for other participants to see, not even through a table.
            if taken.status != "approved":
                raise Conflict(f"{table.name} is taken.", "fixed_table_id")
            raise Conflict(
                f"{table.name} is the stand of {taken.organisation.name}.", "fixed_table_id"
            )
    participant.fixed_table_id = table_id or None
    db.session.flush()


def participant_in_event(event: Event, participant_id: int) -> Participant:
    participant = db.session.get(Participant, participant_id)
    if participant is None or participant.event_id != event.id:
        raise NotFound("No such participant.")
    return participant


def require_approved(participant: Participant | None) -> Participant:
    if participant is None:
        raise Forbidden("Register for this event first.")
    if participant.status != "approved":
        raise Forbidden("Your registration is not approved yet.")
    return participant


def approved_participants(event: Event) -> list[Participant]:
    """The event's approved participants by name, with their organisations (labels,
    badges and the schedule board show them)."""
    return list(
        db.session.scalars(
            select(Participant)
            .where(Participant.event_id == event.id, Participant.status == "approved")
            .options(selectinload(Participant.organisation))
            .order_by(Participant.name)
        )
    )
