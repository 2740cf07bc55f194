"""Retention: an event keeps its participants' personal data until a day, then a periodic
task anonymises them (as a deleted account's places, ``erase.anonymise_participant``).

The day is the event's ``retain_until``, or a year after its last meeting day when the
organisers set none. The owners are told 30 days before, once (in the app and by mail).
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from .. import audit
from ..dbtypes import utcnow
from ..extensions import db
from ..web import path_for
from .erase import anonymise_participant

DEFAULT_KEEP = timedelta(days=365)
WARN_BEFORE = timedelta(days=30)


def retention_date(event) -> date | None:
    """The day from which the event's participants' personal data is anonymised."""
    if event.retain_until:
        return event.retain_until
    days = [s.day for s in event.sessions]
    return max(days) + DEFAULT_KEEP if days else None


def anonymise_event(event) -> int:
    """Anonymise every participant of ``event`` not anonymised yet; how many there were."""
    from ..participants.models import Participant

    people = db.session.scalars(
        select(Participant).where(
            Participant.event_id == event.id, Participant.anonymised_at.is_(None)
        )
    ).all()
    for participant in people:
        anonymise_participant(participant)
    _scrub_event_outbox(event)
    event.anonymised_at = utcnow()
    audit.record(event, None, "retention.anonymised", {"participants": len(people)})
    return len(people)


def _scrub_event_outbox(event) -> None:
    """The event's outbox keeps its lines (what went, when) without addresses or text."""
    from sqlalchemy import update

    from ..mailings.models import OutboxMail

    db.session.execute(
        update(OutboxMail)
        .where(OutboxMail.event_id == event.id, OutboxMail.status == "queued")
        .values(status="skipped", answer="Personal data anonymised.")
    )
    db.session.execute(
        update(OutboxMail)
        .where(OutboxMail.event_id == event.id)
        .values(to_address="", text_body="", html_body="", attachment=None, attachment_name=None)
    )


def _warn(event, when: date) -> None:
    from ..events.models import event_organisers
    from ..notifications.services import notify

    for user, role in db.session.execute(
        select(event_organisers.c.user_id, event_organisers.c.role).where(
            event_organisers.c.event_id == event.id
        )
    ).all():
        if role != "owner":
            continue
        from ..accounts.models import User

        notify(
            db.session.get(User, user),
            f"The participants' personal data of {event.name} will be anonymised on "
            f"{when.isoformat()}. Download what you need to keep before then, or change the "
            "date on the event's team page.",
            kind="retention",
            link=path_for("teams.team", slug=event.slug),
            event=event,
        )
    event.retention_warned_at = utcnow()


def apply_retention(today: date | None = None) -> dict[str, int]:
    """Warn the owners of events 30 days from their date; anonymise those past it."""
    from ..events.models import Event

    today = today or utcnow().date()
    warned = anonymised = 0
    for event in db.session.scalars(select(Event).where(Event.anonymised_at.is_(None))).all():
        when = retention_date(event)
        if when is None:
            continue
        if today >= when:
            anonymise_event(event)
            anonymised += 1
        elif today >= when - WARN_BEFORE and event.retention_warned_at is None:
            _warn(event, when)
            warned += 1
    db.session.flush()
    return {"warned": warned, "anonymised": anonymised}


def set_retain_until(event, actor, value: date | None) -> None:
    from ..errors import Invalid

    if value is not None and value < utcnow().date():
        raise Invalid("Choose a day from today on.", "retain_until")
    event.retain_until = value
    event.retention_warned_at = None  # a new date gets its own warning
    audit.record(event, actor, "retention.date", {"until": value.isoformat() if value else ""})
