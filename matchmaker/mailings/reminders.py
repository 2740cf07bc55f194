"""Automatic reminders, sent by the worker's clock (``tasks.send_due_reminders``).

Each is given at most once per participant and occasion: a ``reminders_sent`` row is
inserted (``ON CONFLICT DO NOTHING``) in the transaction that queues the mail, so a
second worker, or the same run twice, finds it and sends nothing.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

from sqlalchemy import exists, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..dbtypes import utcnow
from ..events.models import Event
from ..extensions import db
from ..meetings.models import MeetingRequest
from ..participants.models import Participant
from ..templating import to_zone
from ..web import absolute_url
from .models import ReminderSent, ReminderSettings
from .outbox import queue_mail

#: Deadlines are announced this long before.
DEADLINE_NOTICE = timedelta(hours=48)
#: The day-before mail goes from this local hour on the eve of each event day.
EVE_HOUR = 8
ACTIVE_STATES = ("open", "closed", "published")


def settings_for(event: Event) -> ReminderSettings:
    row = db.session.get(ReminderSettings, event.id)
    return row or ReminderSettings(
        event_id=event.id, deadlines=True, pending_requests=True, pending_days=3, day_before=True
    )


def save_settings(event: Event, form) -> ReminderSettings:
    row = settings_for(event)
    row.deadlines = bool(form.deadlines.data)
    row.pending_requests = bool(form.pending_requests.data)
    row.pending_days = form.pending_days.data or row.pending_days or 3
    row.day_before = bool(form.day_before.data)
    db.session.add(row)
    db.session.flush()
    return row


def _record(event_id: int, participant_id: int, kind: str, occasion: str) -> bool:
    """Record the reminder; False when it was given already (by us or another worker)."""
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(ReminderSent)
        .values(
            event_id=event_id,
            participant_id=participant_id,
            kind=kind,
            occasion=occasion,
            sent_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["kind", "participant_id", "occasion"])
        .returning(ReminderSent.id)
    )
    return db.session.execute(statement).scalar() is not None


def _address(p: Participant) -> str:
    return p.email or (p.user.email if p.user else "")


def _remind(event, p, kind, occasion, subject, text, attachment=None) -> bool:
    if not _address(p) or not _record(event.id, p.id, kind, occasion):
        return False
    queue_mail(
        _address(p),
        subject,
        text,
        category="reminders",
        event_id=event.id,
        participant_id=p.id,
        attachment=attachment,
    )
    return True


def _approved(event):
    return select(Participant).where(
        Participant.event_id == event.id, Participant.status == "approved"
    )


def _local(event, moment: datetime) -> str:
    return f"{to_zone(moment, event.timezone):%A %d %B at %H:%M} ({event.timezone})"


def deadline_reminders(event: Event, now: datetime) -> int:
    sent = 0
    closes = event.registration_closes_at
    if closes and now < closes <= now + DEADLINE_NOTICE:
        # Those who have not acted: places an organiser made, invited, never taken.
        invited = _approved(event).where(
            Participant.user_id.is_(None), Participant.invited_at.is_not(None)
        )
        for p in db.session.scalars(invited):
            sent += _remind(
                event,
                p,
                "registration_deadline",
                closes.isoformat(),
                f"{event.name}: registration closes {_local(event, closes)}",
                f"Hello {p.name},\n\nRegistration for **{event.name}** closes "
                f"{_local(event, closes)}. Your place is waiting: open the invitation we "
                "sent you to take it.\n",
            )
    deadline = event.booking_deadline
    if deadline and now < deadline <= now + DEADLINE_NOTICE:
        asked = exists().where(MeetingRequest.requester_id == Participant.id)
        for p in db.session.scalars(_approved(event).where(~asked)):
            sent += _remind(
                event,
                p,
                "request_deadline",
                deadline.isoformat(),
                f"{event.name}: meeting requests close {_local(event, deadline)}",
                f"Hello {p.name},\n\nYou can request meetings at **{event.name}** until "
                f"{_local(event, deadline)}, and you have not requested any yet. See who "
                f"is there: {absolute_url('participants.directory_page', slug=event.slug)}\n",
            )
    return sent


def pending_reminders(event: Event, now: datetime, days: int) -> int:
    """To each participant with requests waiting for their answer for over ``days``
    days: once per newest such request (a later one brings a new reminder)."""
    overdue = (
        select(MeetingRequest.recipient_id, func.max(MeetingRequest.id), func.count())
        .where(
            MeetingRequest.event_id == event.id,
            MeetingRequest.status == "pending",
            MeetingRequest.created_at < now - timedelta(days=days),
        )
        .group_by(MeetingRequest.recipient_id)
    )
    sent = 0
    for recipient_id, newest, waiting in db.session.execute(overdue).all():
        p = db.session.get(Participant, recipient_id)
        if p is None or p.status != "approved":
            continue
        link = absolute_url("meetings.mine", slug=event.slug)
        sent += _remind(
            event,
            p,
            "pending_requests",
            f"r{newest}",
            f"{event.name}: {waiting} meeting request(s) waiting for your answer",
            f"Hello {p.name},\n\n{waiting} meeting request(s) at **{event.name}** have been "
            f"waiting for your answer for more than {days} days. Accept or decline them "
            f"here: {link}\n",
        )
    return sent


def day_before_reminders(event: Event, now: datetime) -> int:
    """On the eve of each event day (from EVE_HOUR local time): that day's agenda, with
    the day's meetings as an .ics attachment, to each participant meeting someone."""
    from ..calendar import ical
    from ..calendar.feeds import participant_calendar
    from ..planning import agenda

    if event.status != "published" or not agenda.is_published(event):
        return 0
    local_now = to_zone(now, event.timezone)
    tomorrow = local_now.date() + timedelta(days=1)
    if local_now.hour < EVE_HOUR or tomorrow not in {s.day for s in event.sessions}:
        return 0
    sent = 0
    for p in db.session.scalars(_approved(event).order_by(Participant.id)):
        days = [d for d in agenda.agenda(event, p) if d.day == tomorrow]
        entries = [e for d in days for e in d.entries if e.kind in ("meeting", "programme")]
        if not any(e.kind == "meeting" for e in entries):
            continue
        lines = []
        for e in entries:
            start = to_zone(e.starts_at, event.timezone)
            with_whom = ", ".join(o.label for o in e.others) if e.kind == "meeting" else e.title
            place = f", {e.place}" if e.place else ""
            lines.append(f"- {start:%H:%M}: {with_whom}{place}")
        calendar = participant_calendar(event, p, now)
        day_entries = tuple(
            x for x in calendar.entries if to_zone(x.starts_at, event.timezone).date() == tomorrow
        )
        ics = ical.serialize(dataclasses.replace(calendar, entries=day_entries)).decode("utf-8")
        sent += _remind(
            event,
            p,
            "day_before",
            tomorrow.isoformat(),
            f"{event.name}: your agenda for {tomorrow:%A %d %B}",
            f"Hello {p.name},\n\nSee you tomorrow at **{event.name}**"
            f"{', ' + event.venue if event.venue else ''}. Your agenda for "
            f"{tomorrow:%A %d %B} (times in {event.timezone}):\n\n"
            + "\n".join(lines)
            + f"\n\nThe whole agenda: {absolute_url('schedules.agenda', slug=event.slug)}\n",
            attachment=(f"{event.slug}-{tomorrow.isoformat()}.ics", ics),
        )
    return sent


def send_due_reminders(now: datetime | None = None) -> dict[str, int]:
    """Every reminder due now, in every active event; committed per event."""
    now = now or utcnow()
    counts = {"deadlines": 0, "pending": 0, "day_before": 0}
    event_ids = list(db.session.scalars(select(Event.id).where(Event.status.in_(ACTIVE_STATES))))
    for event_id in event_ids:
        event = db.session.get_one(Event, event_id)
        settings = settings_for(event)
        if settings.deadlines:
            counts["deadlines"] += deadline_reminders(event, now)
        if settings.pending_requests:
            counts["pending"] += pending_reminders(event, now, settings.pending_days)
        if settings.day_before:
            counts["day_before"] += day_before_reminders(event, now)
        db.session.commit()
    return counts
