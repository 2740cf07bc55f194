"""Automatic reminders: to those who have not acted, at most once per person and
occasion however often (or by however many workers) the clock runs them, switchable
per event, and turned off by the person's own choice (they are optional mail)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import icalendar
from sqlalchemy import func, select

from matchmaker.dbtypes import utcnow
from matchmaker.mailings.models import OutboxMail, ReminderSent, ReminderSettings
from matchmaker.mailings.preferences import set_preferences
from matchmaker.mailings.reminders import send_due_reminders
from matchmaker.meetings.models import MeetingRequest
from matchmaker.planning.models import ScheduleRevision
from tests.calendar.helpers import meeting_between, publish_meeting
from tests.mailings.conftest import parts


def _request(db, event, asker, asked, created_at=None):
    low, high = sorted((asker.id, asked.id))
    request = MeetingRequest(
        event_id=event.id,
        requester_id=asker.id,
        recipient_id=asked.id,
        pair_low=low,
        pair_high=high,
        status="pending",
        created_at=created_at or utcnow(),
    )
    db.add(request)
    db.flush()
    return request


def test_the_request_deadline_reminder_goes_once_to_those_who_asked_nobody(
    db, make_event, make_participant, inbox
):
    event = make_event(booking_deadline=utcnow() + timedelta(hours=30))
    active, idle, quiet = (make_participant(event) for _ in range(3))
    _request(db, event, active, idle)
    set_preferences(quiet.email, reminders=False)

    send_due_reminders()
    send_due_reminders()  # the clock again (or a second worker): nothing more

    assert inbox.to(active.email) == []
    (mail,) = inbox.to(idle.email)
    assert "meeting requests close" in mail["Subject"] and mail["List-Unsubscribe"]
    assert "you have not requested any yet" in parts(mail)[0]
    assert inbox.to(quiet.email) == []  # turned reminders off
    assert db.scalar(select(func.count()).select_from(ReminderSent)) == 2  # idle, quiet


def test_requests_waiting_too_long_are_reminded_and_the_event_can_switch_it_off(
    db, make_event, make_participant, inbox
):
    event = make_event()
    asker, slow, fresh = (make_participant(event) for _ in range(3))
    _request(db, event, asker, slow, created_at=utcnow() - timedelta(days=4))
    _request(db, event, fresh, asker)  # just sent: not yet

    db.add(ReminderSettings(event_id=event.id, pending_requests=False, pending_days=3))
    db.flush()
    send_due_reminders()
    assert inbox.messages == []

    db.get(ReminderSettings, event.id).pending_requests = True
    db.flush()
    send_due_reminders()
    send_due_reminders()
    (mail,) = inbox.to(slow.email)
    assert "1 meeting request(s) waiting" in mail["Subject"]
    assert inbox.to(asker.email) == [] and inbox.to(fresh.email) == []


def test_the_day_before_brings_the_days_agenda_with_an_ics_file(
    db, make_event, make_participant, inbox
):
    event = make_event(status="published")
    table = event.tables[0]
    anna, ben, idle = (make_participant(event) for _ in range(3))
    publish_meeting(db, meeting_between(db, event, anna, ben), 2, table)
    db.add(ScheduleRevision(event_id=event.id, number=1, changes=[]))
    db.flush()

    # The event's days are 9 March 2027 (Johannesburg): two days before, nothing yet.
    send_due_reminders(datetime(2027, 3, 7, 10, tzinfo=UTC))
    assert inbox.messages == []
    send_due_reminders(datetime(2027, 3, 8, 10, tzinfo=UTC))  # 12:00 on the eve
    send_due_reminders(datetime(2027, 3, 8, 11, tzinfo=UTC))
    (mail,) = inbox.to(anna.email)
    assert "your agenda for Tuesday 09 March" in mail["Subject"]
    text = parts(mail)[0]
    assert "09:50" in text and ben.name in text and table.name in text
    (attachment,) = list(mail.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    calendar = icalendar.Calendar.from_ical(attachment.get_content())
    (vevent,) = calendar.walk("VEVENT")
    assert ben.name in str(vevent["SUMMARY"]) or ben.name in str(vevent.get("DESCRIPTION"))
    assert len(inbox.to(ben.email)) == 1 and inbox.to(idle.email) == []
    rows = db.scalars(select(OutboxMail).where(OutboxMail.category == "reminders")).all()
    assert len(rows) == 2 and {r.status for r in rows} == {"sent"}
