"""Mailings: who gets one (the audiences), the text with each recipient's data filled in,
and queuing it (one outbox row per recipient, sent by the worker)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import and_, exists, func, insert, or_, select
from sqlalchemy.orm import joinedload

from .. import audit
from ..accounts.models import User
from ..dbtypes import utcnow
from ..errors import Invalid
from ..extensions import db
from ..meetings.models import MeetingParticipant, MeetingRequest
from ..participants.models import Opportunity, Organisation, Participant
from ..web import absolute_url
from . import preferences
from .message import to_html, to_text
from .models import Mailing, OutboxMail

AUDIENCES = {
    "everyone": "Everyone (approved participants)",
    "not_logged_in": "Not yet logged in",
    "profile_incomplete": "Profile incomplete (no offer or request, or no description)",
    "unanswered": "With requests waiting for their answer",
    "without_meetings": "Without meetings",
    "country": "From one country",
    "kind": "One type of organisation",
}
PLACEHOLDERS = {
    "name": "the participant's name",
    "organisation": "their organisation",
    "event": "the event's name",
    "agenda_link": "the link to their agenda",
    "calendar_link": "their personal calendar link",
}
_PLACEHOLDER = re.compile(r"\{([a-z_]{1,30})\}")
MAX_SUBJECT, MAX_BODY = 200, 20_000

CALENDAR_TEMPLATE = (
    "Your calendar link for {event}",
    "Hello {name},\n\n"
    "Your meetings at **{event}** can appear in your own calendar (Google, Outlook, Apple, "
    "Thunderbird) and stay up to date there. Subscribe to this link (keep it to "
    "yourself: it shows your meetings):\n\n{calendar_link}\n\n"
    "Your agenda is also here: {agenda_link}\n",
)


@dataclass
class Draft:
    subject: str
    body: str
    audience: str
    value: str = ""


def recipient_query(event, audience: str, value: str = ""):
    """The approved participants of ``event`` in ``audience``, with an address."""
    if audience not in AUDIENCES:
        raise Invalid("Choose who gets the message.", "audience")
    query = (
        select(Participant)
        .join(Organisation, Participant.organisation_id == Organisation.id)
        .outerjoin(User, Participant.user_id == User.id)
        .where(
            Participant.event_id == event.id,
            Participant.status == "approved",
            or_(Participant.email != "", Participant.user_id.is_not(None)),
        )
    )
    if audience == "not_logged_in":
        query = query.where(or_(Participant.user_id.is_(None), User.last_login_at.is_(None)))
    elif audience == "profile_incomplete":
        has_opportunity = exists().where(Opportunity.participant_id == Participant.id)
        query = query.where(or_(~has_opportunity, Organisation.description == ""))
    elif audience == "unanswered":
        query = query.where(
            exists().where(
                MeetingRequest.recipient_id == Participant.id, MeetingRequest.status == "pending"
            )
        )
    elif audience == "without_meetings":
        query = query.where(
            ~exists().where(
                and_(
                    MeetingParticipant.participant_id == Participant.id,
                    MeetingParticipant.status == "active",
                )
            )
        )
    elif audience == "country":
        if not value:
            raise Invalid("Choose the country.", "value")
        query = query.where(Organisation.country == value.upper())
    elif audience == "kind":
        if not value:
            raise Invalid("Choose the type of organisation.", "value")
        query = query.where(Organisation.kind == value)
    return query


def address_of(participant: Participant) -> str:
    return participant.email or (participant.user.email if participant.user else "")


def count(event, audience: str, value: str = "") -> int:
    query = recipient_query(event, audience, value)
    return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0


def countries(event) -> list[str]:
    return list(
        db.session.scalars(
            select(Organisation.country)
            .join(Participant, Participant.organisation_id == Organisation.id)
            .where(Participant.event_id == event.id, Organisation.country != "")
            .distinct()
            .order_by(Organisation.country)
        )
    )


def check_draft(draft: Draft) -> None:
    """Refuse an empty or oversized text, or a placeholder we do not know."""
    if not draft.subject.strip():
        raise Invalid("Write a subject.", "subject")
    if len(draft.subject) > MAX_SUBJECT:
        raise Invalid(f"The subject is too long: at most {MAX_SUBJECT} characters.", "subject")
    if not draft.body.strip():
        raise Invalid("Write the message.", "body")
    if len(draft.body) > MAX_BODY:
        raise Invalid(
            f"The message is too long ({len(draft.body):,} characters): at most {MAX_BODY:,}.",
            "body",
        )
    for field in ("subject", "body"):
        for name in _PLACEHOLDER.findall(getattr(draft, field)):
            if name not in PLACEHOLDERS:
                known = ", ".join(f"{{{p}}}" for p in PLACEHOLDERS)
                raise Invalid(f"Unknown placeholder {{{name}}}. Use one of: {known}.", field)


def _values(participant: Participant, wanted: str) -> dict[str, str]:
    """The placeholders' values; the calendar link (a feed made if missing) only when
    ``wanted`` (the text) uses it."""
    from ..calendar import services as calendar

    event = participant.event
    values = {
        "name": participant.name,
        "organisation": participant.organisation.name,
        "event": event.name,
        "agenda_link": absolute_url("schedules.agenda", slug=event.slug),
    }
    if "{calendar_link}" in wanted:
        feed = calendar.participant_feed(participant)
        values["calendar_link"] = calendar.feed_urls(feed)["https"]
    return values


def prepare_feeds(mailing_id: int, mail_ids: list[int]) -> None:
    """Make the calendar feeds a batch's {calendar_link} needs, in one commit, before
    its messages go out (filling them in then writes nothing)."""
    from ..calendar import services as calendar

    mailing = db.session.get_one(Mailing, mailing_id)
    if "{calendar_link}" not in mailing.subject + mailing.body:
        return
    participant_ids = db.session.scalars(
        select(OutboxMail.participant_id).where(OutboxMail.id.in_(mail_ids))
    ).all()
    for participant in db.session.scalars(
        select(Participant).where(Participant.id.in_([p for p in participant_ids if p]))
    ):
        calendar.participant_feed(participant)
    db.session.commit()


def fill(template: str, values: dict[str, str]) -> str:
    """Replace each known {placeholder}; anything else stays as written."""
    return _PLACEHOLDER.sub(lambda m: values.get(m[1], m[0]), template)


def render_for(subject: str, body: str, participant: Participant) -> tuple[str, str, str]:
    values = _values(participant, subject + body)
    # Placeholders are filled into the text before formatting, so a name with "*" or
    # "<" in it is escaped in the HTML like everything typed.
    text = fill(body, values)
    return " ".join(fill(subject, values).split()), to_text(text), to_html(text)


def personalise(mailing: Mailing, participant_id: int | None) -> tuple[str, str, str]:
    participant = db.session.get(Participant, participant_id) if participant_id else None
    if participant is None:  # the place was deleted since: the text without the data
        return mailing.subject, to_text(mailing.body), to_html(mailing.body)
    return render_for(mailing.subject, mailing.body, participant)


def preview(event, draft: Draft) -> dict:
    """The count, the opted-out count and the message for the first recipient."""
    check_draft(draft)
    query = recipient_query(event, draft.audience, draft.value)
    total = count(event, draft.audience, draft.value)
    first = db.session.scalar(
        query.options(joinedload(Participant.organisation), joinedload(Participant.user))
        .order_by(Participant.name, Participant.id)
        .limit(1)
    )
    rendered = render_for(draft.subject, draft.body, first) if first else None
    return {"total": total, "first": first, "rendered": rendered}


def create_mailing(event, author, draft: Draft, category: str = "announcements") -> Mailing:
    """Record the mailing and one queued outbox row per recipient (placeholders are
    filled when each is sent, so this is one INSERT however many there are)."""
    check_draft(draft)
    recipients = db.session.execute(
        recipient_query(event, draft.audience, draft.value)
        .with_only_columns(Participant.id, Participant.email, User.email)
        .order_by(Participant.id)
    ).all()
    if not recipients:
        raise Invalid("Nobody is in this audience: nothing to send.", "audience")
    mailing = Mailing(
        event_id=event.id,
        created_by_id=author.id if author else None,
        subject=draft.subject.strip(),
        body=draft.body,
        audience=draft.audience,
        audience_value=draft.value if draft.audience in ("country", "kind") else "",
        category=category,
        total=len(recipients),
    )
    db.session.add(mailing)
    db.session.flush()
    now = utcnow()
    rows = [
        {
            "event_id": event.id,
            "mailing_id": mailing.id,
            "participant_id": pid,
            "to_address": email or user_email,
            "category": category,
            "subject": mailing.subject[:300],
            "status": "queued",
            "attempts": 0,
            "answer": "",
            "created_at": now,
            "next_attempt_at": now,
        }
        for pid, email, user_email in recipients
    ]
    for start in range(0, len(rows), 1000):
        db.session.execute(insert(OutboxMail), rows[start : start + 1000])
    from ..notifications.services import after_commit
    from .tasks import send_mailing

    mailing_id = mailing.id
    after_commit(lambda: send_mailing(mailing_id))
    audit.record(
        event, author, "mailing.sent", {"mailing_id": mailing_id, "recipients": len(recipients)}
    )
    return mailing


def progress(mailing: Mailing) -> dict[str, int]:
    counts = dict(
        db.session.execute(
            select(OutboxMail.status, func.count())
            .where(OutboxMail.mailing_id == mailing.id)
            .group_by(OutboxMail.status)
        )
        .tuples()
        .all()
    )
    delivered = counts.get("sent", 0) + counts.get("logged", 0)
    waiting = counts.get("queued", 0) + counts.get("sending", 0)
    return {
        "total": mailing.total,
        "delivered": delivered,
        "failed": counts.get("failed", 0),
        "skipped": counts.get("skipped", 0),
        "waiting": waiting,
        "percent": round(100 * (mailing.total - waiting) / mailing.total) if mailing.total else 100,
    }


def finish_if_done(mailing_id: int) -> bool:
    """Mark the mailing done when no row waits any more."""
    mailing = db.session.get_one(Mailing, mailing_id)
    waiting = db.session.scalar(
        select(func.count())
        .select_from(OutboxMail)
        .where(OutboxMail.mailing_id == mailing_id, OutboxMail.status.in_(("queued", "sending")))
    )
    if waiting == 0 and mailing.status != "done":
        mailing.status, mailing.finished_at = "done", utcnow()
    db.session.commit()
    return waiting == 0


def history(event) -> list[Mailing]:
    return list(
        db.session.scalars(
            select(Mailing)
            .where(Mailing.event_id == event.id)
            .order_by(Mailing.created_at.desc(), Mailing.id.desc())
        )
    )


def opted_out_count(event, draft: Draft, category: str = "announcements") -> int:
    emails = [
        a or b
        for a, b in db.session.execute(
            recipient_query(event, draft.audience, draft.value).with_only_columns(
                Participant.email, User.email
            )
        )
    ]
    return len(preferences.opted_out(emails, category))
