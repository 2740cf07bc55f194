"""The "My meetings" poll, answered from data versions when nothing changed.

Every open "My meetings" page asks for its tab counts every 10 s (and the event menu for
its badge every 20 s): on an event day with 2,000 phones that is 200+ requests a second,
nearly all finding nothing new. Each answer carries an ETag made of two data versions
(``matchmaker.changes``): one for the participant (bumped when a meeting request they
are part of, or their own registration, changes) and one for what every participant's
answer depends on (the event, and bulk statements on requests or registrations). The
browser revalidates with ``If-None-Match`` (``Cache-Control: no-cache``); when both
versions stand the answer is a 304, from one small query after the log-in check, without
loading the event or rendering, as a calendar feed's revalidation. htmx then swaps in the
body the browser kept, which is the same markup.

A per-participant version (rather than one for all requests) keeps the poll cheap while
other people's requests change all day.
"""

from __future__ import annotations

from itertools import chain

from flask import Response, request
from sqlalchemy import event, select, text
from sqlalchemy.orm import InstrumentedAttribute, Session

from .. import changes
from ..events.models import Event
from ..extensions import db
from ..participants.models import Participant
from .models import MeetingRequest

#: Bumped by what every participant's answer reads: the event's settings and state.
SHARED = "my-meetings"
PREFIX = "my-meetings:"
changes.watch(SHARED, Event)


def participant_version(participant_id: int) -> str:
    return f"{PREFIX}{participant_id}"


# Plain SQL, built once: this runs on every poll (see bench/poll.py).
_VERSIONS = text(
    "SELECT p.id,"
    " (SELECT value FROM change_counters WHERE name = :shared),"
    " (SELECT value FROM change_counters"
    "   WHERE name = CAST(:prefix AS VARCHAR) || CAST(p.id AS VARCHAR))"
    " FROM participants p JOIN events e ON e.id = p.event_id"
    " WHERE e.slug = :slug AND p.user_id = :user_id"
)


def etag_for(slug: str, user_id: int, show: str) -> str | None:
    """The ETag of the current user's poll answer in event ``slug``, or None when they
    have no registration there (the full path then answers, with its error)."""
    row = db.session.execute(
        _VERSIONS, {"shared": SHARED, "prefix": PREFIX, "slug": slug, "user_id": user_id}
    ).first()
    if row is None:
        return None
    participant_id, shared_version, own_version = row
    return f"mm{participant_id}.{shared_version or 0}.{own_version or 0}.{show[:10]}"


def revalidate(etag: str | None) -> Response | None:
    """A 304 when the browser holds the answer of ``etag``; None to answer in full."""
    if etag is None or etag not in request.if_none_match:
        return None
    return tag(Response(status=304), etag)


def tag(response: Response, etag: str | None) -> Response:
    """Mark a poll answer so that the browser keeps it and asks again with its ETag."""
    if etag is not None and response.status_code in (200, 304):
        response.set_etag(etag)
        response.cache_control.private = True
        response.cache_control.no_cache = True
    response.vary.add("HX-Request")
    response.vary.add("Cookie")
    return response


@event.listens_for(Session, "after_flush")
def _bump_participants(session: Session, _context) -> None:
    """A changed request moves both sides' versions; a changed registration its own."""
    ids: set[int | None] = set()
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, MeetingRequest):
            ids.update((obj.requester_id, obj.recipient_id))
        elif isinstance(obj, Participant):
            ids.add(obj.id)
    names = {participant_version(i) for i in ids if i is not None}
    # A registration deleted takes its requests with it (foreign keys): the other
    # sides' counts change unseen by the session.
    if any(isinstance(obj, Participant) for obj in session.deleted):
        names.add(SHARED)
    if names:
        changes._bump(session, names)


#: Above this many rows, a bulk statement moves every participant's version at once.
BULK_ROWS = 200


@event.listens_for(Session, "do_orm_execute")
def _bulk_statements(state) -> None:
    """``update()``/``delete()`` statements (a request's accept, decline, withdraw are
    one each): the versions of the participants whose rows they match move."""
    if not (state.is_update or state.is_delete) or state.bind_mapper is None:
        return
    model = state.bind_mapper.class_
    columns: tuple[InstrumentedAttribute[int], ...]
    if model is MeetingRequest:
        columns = (MeetingRequest.requester_id, MeetingRequest.recipient_id)
    elif model is Participant:
        columns = (Participant.id,)
    else:
        return
    where = state.statement.whereclause
    query = select(*columns).limit(BULK_ROWS + 1)
    if where is not None:
        query = query.where(where)
    rows = state.session.connection().execute(query, state.parameters or {}).all()
    if len(rows) > BULK_ROWS:
        names = {SHARED}
    else:
        names = {participant_version(i) for row in rows for i in row if i is not None}
    if names:
        changes._bump(state.session, names)
