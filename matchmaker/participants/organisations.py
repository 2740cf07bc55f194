"""Organisations as others meet them: their page, its edits, and requests to "anyone there".

A meeting request always goes to one person (the engine schedules people). Asking an
organisation's "anyone" picks, at request time, its representative with the fewest open
requests (pending and accepted) - the one most likely to have room - lowest id on a tie.
"""

from __future__ import annotations

import re

from sqlalchemy import func, or_, select

from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..events.models import FULL_ORGANISERS, event_organisers
from ..extensions import db
from ..meetings.booking import OPEN_STATUSES, request_meeting
from ..meetings.models import Meeting, MeetingParticipant, MeetingRequest
from .countries import country_code
from .models import ORGANISATION_KINDS, ORGANISATION_SIZES, Organisation, Participant
from .services import LIMITS, checked_tags, clean_text

DESCRIPTION_LIMIT = 3000
_HOST = re.compile(r"^[^\s/@:]+\.[^\s/@:.]{2,}(:\d+)?(/\S*)?$")


def complete_website(text: str, field: str = "website") -> str:
    """A website as typed ("bell.co.za", "www.bell.co.za/en") made a full address."""
    website = clean_text(text, LIMITS["website"], field, "The website")
    if not website:
        return ""
    if not re.match(r"^https?://", website, re.IGNORECASE):
        if "://" in website:
            raise Invalid("Give a web address, e.g. bell.co.za or https://bell.co.za.", field)
        website = "https://" + website
    scheme, rest = website.split("://", 1)
    if not _HOST.match(rest):
        raise Invalid("Give a web address, e.g. bell.co.za or https://bell.co.za.", field)
    return scheme.lower() + "://" + rest


def representatives(
    event_id: int, organisation_id: int, approved: bool = True
) -> list[Participant]:
    """The organisation's people at the event, by name."""
    query = select(Participant).where(
        Participant.event_id == event_id, Participant.organisation_id == organisation_id
    )
    if approved:  # as others see them: approved, and listed by their own choice
        query = query.where(Participant.status == "approved", Participant.listed)
    return list(db.session.scalars(query.order_by(Participant.name, Participant.id)))


def organisation_in_event(event, organisation_id: int, viewer: Participant | None) -> Organisation:
    """The organisation if it has approved people at ``event`` or is the viewer's own."""
    org = db.session.get(Organisation, organisation_id)
    if org is None:
        raise NotFound("No such organisation.")
    if viewer is not None and viewer.organisation_id == org.id:
        return org
    if not representatives(event.id, org.id):
        raise NotFound("No such organisation.")
    return org


EDIT_REFUSED = (
    "Only the organisation's approved representatives and the organisers of its events "
    "may edit its details."
)


def may_edit(user, org: Organisation) -> bool:
    """Whether ``user`` may change ``org``'s details, which every event shares: a site
    admin, someone APPROVED as its representative (in any event), or a full organiser of
    an event it takes part in. A pending or rejected registration - which anyone can make
    by picking an existing organisation - gives no such right."""
    if not (user and user.is_authenticated):
        return False
    if user.is_admin:
        return True
    its_people = select(Participant).where(Participant.organisation_id == org.id)
    represents = its_people.where(
        Participant.user_id == user.id, Participant.status == "approved"
    ).exists()
    organises = (
        select(event_organisers.c.event_id)
        .where(
            event_organisers.c.user_id == user.id,
            event_organisers.c.role.in_(FULL_ORGANISERS),
            event_organisers.c.event_id.in_(its_people.with_only_columns(Participant.event_id)),
        )
        .exists()
    )
    return bool(db.session.scalar(select(represents | organises)))


def check_may_edit(user, org: Organisation) -> None:
    """Forbidden unless ``user`` may edit ``org`` (see ``may_edit``)."""
    if not may_edit(user, org):
        raise Forbidden(EDIT_REFUSED)


def update_organisation(
    org: Organisation,
    *,
    name: str,
    description: str,
    website: str,
    country: str,
    city: str,
    kind: str,
    size: str,
    sectors: str,
) -> Organisation:
    """A representative edits their organisation's details (flushes, never commits)."""
    name = clean_text(name, LIMITS["org_name"], "name", "The organisation's name")
    if not name:
        raise Invalid("Give the organisation's name.", "name")
    if kind not in ORGANISATION_KINDS:
        raise Invalid("Choose the type of organisation.", "kind")
    if size and size not in ORGANISATION_SIZES:
        raise Invalid("Choose a size from the list.", "size")
    org.name = name
    org.description = clean_text(description, DESCRIPTION_LIMIT, "description", "The description")
    org.website = complete_website(website)
    org.country = country_code(country)
    org.city = clean_text(city, LIMITS["city"], "city", "The city")
    org.kind = kind
    org.size = size
    org.sectors = checked_tags(sectors, "sectors")
    db.session.flush()
    return org


def request_states(me: Participant | None, organisation_ids: list[int]) -> dict[int, str]:
    """Organisation id -> the status ("pending"/"accepted") of ``me``'s open request with
    one of its people, for the organisations among ``organisation_ids`` that have one."""
    if me is None or not organisation_ids:
        return {}
    other = Participant.id
    rows = db.session.execute(
        select(Participant.organisation_id, MeetingRequest.status)
        .join(
            MeetingRequest,
            or_(
                (MeetingRequest.requester_id == me.id) & (MeetingRequest.recipient_id == other),
                (MeetingRequest.recipient_id == me.id) & (MeetingRequest.requester_id == other),
            ),
        )
        .where(
            Participant.organisation_id.in_(organisation_ids),
            MeetingRequest.status.in_(OPEN_STATUSES),
        )
    )
    states: dict[int, str] = {}
    for org_id, status in rows:
        if states.get(org_id) != "accepted":
            states[org_id] = status
    return states


def contacted_organisations(me: Participant) -> set[int]:
    """Organisations ``me`` has a request with (open or declined) or a meeting with."""
    asked = select(MeetingRequest.recipient_id.label("pid")).where(
        MeetingRequest.requester_id == me.id,
        MeetingRequest.status.in_(OPEN_STATUSES + ("declined",)),
    )
    asked_by = select(MeetingRequest.requester_id.label("pid")).where(
        MeetingRequest.recipient_id == me.id,
        MeetingRequest.status.in_(OPEN_STATUSES + ("declined",)),
    )
    my_meetings = select(MeetingParticipant.meeting_id).where(
        MeetingParticipant.participant_id == me.id
    )
    met = (
        select(MeetingParticipant.participant_id.label("pid"))
        .join(Meeting, Meeting.id == MeetingParticipant.meeting_id)
        .where(Meeting.id.in_(my_meetings), Meeting.status == "active")
    )
    people = asked.union(asked_by, met).subquery()
    return set(
        db.session.scalars(
            select(Participant.organisation_id).where(Participant.id.in_(select(people.c.pid)))
        )
    ) - {me.organisation_id}


def fewest_meetings(people: list[Participant]) -> Participant:
    """Of ``people``, the one with the fewest open requests (lowest id on a tie)."""
    ids = [p.id for p in people]
    load = dict.fromkeys(ids, 0)
    for pid, requester_count in db.session.execute(
        select(MeetingRequest.requester_id, func.count())
        .where(MeetingRequest.requester_id.in_(ids), MeetingRequest.status.in_(OPEN_STATUSES))
        .group_by(MeetingRequest.requester_id)
    ):
        load[pid] += requester_count
    for pid, recipient_count in db.session.execute(
        select(MeetingRequest.recipient_id, func.count())
        .where(MeetingRequest.recipient_id.in_(ids), MeetingRequest.status.in_(OPEN_STATUSES))
        .group_by(MeetingRequest.recipient_id)
    ):
        load[pid] += recipient_count
    return min(people, key=lambda p: (load[p.id], p.id))


def request_organisation(
    me: Participant, org: Organisation, representative_id: int | None, message: str, *, by=None
) -> MeetingRequest:
    """``me`` asks a named representative of ``org``, or anyone there (None), to meet."""
    if org.id == me.organisation_id:
        raise Invalid("This is your own organisation.")
    people = representatives(me.event_id, org.id)
    if not people:
        raise NotFound("No such organisation.")
    if request_states(me, [org.id]):
        raise Conflict(f"You already have an open request with {org.name}.")
    if representative_id is None:
        recipient: Participant | None = fewest_meetings(people)
    else:
        recipient = next((p for p in people if p.id == representative_id), None)
    if recipient is None:
        raise Invalid(f"Choose one of the people of {org.name}.", "to")
    return request_meeting(me, recipient, message, created_by=by)
