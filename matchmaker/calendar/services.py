"""Calendar feeds: create, reset and look up the secret links. Flush, never commit.

How the secret works (and why):

- Each feed row holds a random ``nonce`` (128 bits from ``secrets``). Its token is
  ``HMAC-SHA256(SECRET_KEY, "calendar-feed:" + nonce)``, base64url — 256 bits that
  nobody can compute without the server's key, even with a copy of the database.
- Only ``sha256(token)`` is stored (``token_hash``) and a request finds its feed by
  that hash: the token itself is never stored, and never logged (see ``logs.py``).
- Because the token can be derived again from the row, "my agenda" can show the
  subscribe link at any time, and ``flask calendar feed-urls`` can print the links
  without breaking subscriptions that already work.
- Reset draws a new nonce: the old token's hash matches no row from that moment.
- Changing ``SECRET_KEY`` invalidates every feed link (lookups re-check the HMAC).
- Unknown token, reset token, unapproved participant, draft event: the same 404.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from typing import Any, Literal, NamedTuple, overload

from flask import current_app
from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError

from ..dbtypes import utcnow
from ..errors import NotFound
from ..events.states import STATES
from ..extensions import db
from ..web import absolute_url
from .models import CalendarFeed

TOKEN_LENGTH = 43  # base64url of 32 bytes, no padding
GONE = "No such calendar feed. It may have been reset: ask for the new link."


def _derive_token(nonce: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, b"calendar-feed:" + nonce.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _issue(feed: CalendarFeed) -> None:
    feed.nonce = secrets.token_hex(16)
    feed.token_hash = _hash(_derive_token(feed.nonce))
    feed.created_at = utcnow()


def feed_token(feed: CalendarFeed) -> str:
    """The secret token of ``feed``: show it to the feed's owner only."""
    return _derive_token(feed.nonce)


def feed_urls(feed: CalendarFeed, base_url: str | None = None) -> dict[str, str]:
    """The feed's ``https://`` (or ``http://``) address and its ``webcal://`` twin."""
    url = absolute_url("calendar.feed", base_url=base_url, token=feed_token(feed))
    return {"https": url, "webcal": "webcal://" + url.split("://", 1)[1]}


def _get_or_create(owner: dict) -> CalendarFeed:
    """The feed for ``owner`` (kind + ids); created when missing, race-safe."""
    query = select(CalendarFeed).filter_by(**owner)
    feed = db.session.scalar(query)
    if feed is not None:
        if not feed.nonce:  # a row from before derived tokens: give it a secret
            _issue(feed)
            db.session.flush()
        return feed
    feed = CalendarFeed(**owner)
    _issue(feed)
    try:
        with db.session.begin_nested():
            db.session.add(feed)
    except IntegrityError:
        # Someone created it between our select and insert: use theirs.
        return db.session.scalars(query).one()
    return feed


@overload
def participant_feed(participant, create: Literal[True] = True) -> CalendarFeed: ...
@overload
def participant_feed(participant, create: bool) -> CalendarFeed | None: ...


def participant_feed(participant, create: bool = True) -> CalendarFeed | None:
    """The participant's own agenda feed (``None`` if missing and ``create`` is false)."""
    owner = {"kind": "participant", "event_id": participant.event_id}
    owner["participant_id"] = participant.id
    if not create:
        return db.session.scalar(select(CalendarFeed).filter_by(**owner))
    return _get_or_create(owner)


def event_feed(event) -> CalendarFeed:
    """The event-wide feed (every published meeting and the programme) for organisers."""
    return _get_or_create({"kind": "event", "event_id": event.id})


def table_feed(table) -> CalendarFeed:
    """One table's meetings, for the venue staff at that table."""
    return _get_or_create({"kind": "table", "event_id": table.event_id, "table_id": table.id})


def reset_feed(feed: CalendarFeed) -> CalendarFeed:
    """A new secret: the old link stops working as soon as this commits."""
    _issue(feed)
    db.session.flush()
    return feed


class LiveFeed(NamedTuple):
    feed: CalendarFeed
    event: Any
    participant: Any  # None for event and table feeds
    organisation: Any  # the participant's


_CHECK = None


def token_hash(token: str) -> str:
    """What a feed row stores of its token (``NotFound`` for a malformed token)."""
    if len(token) != TOKEN_LENGTH:
        raise NotFound(GONE)
    return _hash(token)


def check_token(token: str) -> int:
    """The id of the live feed ``token`` opens: one query of plain columns.

    Every failure raises the same ``NotFound``: unknown or reset token, a token issued
    under another ``SECRET_KEY``, a draft event, a participant no longer approved.
    """
    from ..events.models import Event
    from ..participants.models import Participant

    hashed = token_hash(token)
    global _CHECK
    if _CHECK is None:  # built once (models import lazily here to avoid cycles)
        _CHECK = (
            select(
                CalendarFeed.id,
                CalendarFeed.kind,
                CalendarFeed.nonce,
                Event.status.label("event_status"),
                Participant.status.label("participant_status"),
            )
            .join(Event, Event.id == CalendarFeed.event_id)
            .outerjoin(Participant, Participant.id == CalendarFeed.participant_id)
            .where(CalendarFeed.token_hash == bindparam("token_hash"))
        )
    row = db.session.execute(_CHECK, {"token_hash": hashed}).first()
    if row is None or not row.nonce:
        raise NotFound(GONE)
    if not hmac.compare_digest(_derive_token(row.nonce), token):
        raise NotFound(GONE)  # issued under another SECRET_KEY
    if not STATES[row.event_status].public:
        raise NotFound(GONE)
    if row.kind == "participant" and row.participant_status != "approved":
        raise NotFound(GONE)
    return row.id


def feed_by_token(token: str) -> LiveFeed:
    """The live feed a token opens with its event, participant and organisation.

    Checked by ``check_token``; the objects are held by the returned tuple (the
    session's identity map only keeps objects someone references).
    """
    from ..events.models import Event
    from ..participants.models import Organisation, Participant

    feed_id = check_token(token)
    row = db.session.execute(
        select(CalendarFeed, Event, Participant, Organisation)
        .join(Event, Event.id == CalendarFeed.event_id)
        .outerjoin(Participant, Participant.id == CalendarFeed.participant_id)
        .outerjoin(Organisation, Organisation.id == Participant.organisation_id)
        .where(CalendarFeed.id == feed_id)
    ).one()
    return LiveFeed(row.CalendarFeed, row.Event, row.Participant, row.Organisation)
