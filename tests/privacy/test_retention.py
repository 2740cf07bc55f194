"""Retention: owners warned 30 days before the day, then the participants anonymised."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from matchmaker.audit.models import AuditEntry
from matchmaker.extensions import huey
from matchmaker.meetings.models import Meeting
from matchmaker.meetings.services import create_meeting
from matchmaker.notifications.models import Notification
from matchmaker.participants.models import Participant
from matchmaker.privacy import retention


def test_a_year_after_the_last_meeting_day_unless_the_owner_chose_a_day(db, make_event):
    event = make_event()  # its meeting sessions are on 2027-03-09
    assert retention.retention_date(event) == date(2028, 3, 8)
    event.retain_until = date(2027, 6, 1)
    assert retention.retention_date(event) == date(2027, 6, 1)


def test_owners_are_warned_once_then_the_participants_are_anonymised(
    db, make_event, make_participant, add_member
):
    event = make_event()
    event.retain_until = date(2027, 6, 1)
    owner = event.organisers[0]
    desk = add_member(event, "desk")
    anna = make_participant(event, name="Anna Virtanen", phone="+358 40 1", share_contact=True)
    thandi = make_participant(event, name="Thandi Nkosi")
    meeting = create_meeting(event, [anna, thandi])
    db.flush()

    assert retention.apply_retention(date(2027, 5, 1)) == {"warned": 0, "anonymised": 0}
    assert retention.apply_retention(date(2027, 5, 2)) == {"warned": 1, "anonymised": 0}
    assert retention.apply_retention(date(2027, 5, 3)) == {"warned": 0, "anonymised": 0}
    notes = db.scalars(select(Notification).where(Notification.kind == "retention")).all()
    assert [n.user_id for n in notes] == [owner.id]  # the owners, not the desk
    assert "2027-06-01" in notes[0].message and desk.id not in [n.user_id for n in notes]
    assert db.get(Participant, anna.id).name == "Anna Virtanen"

    assert retention.apply_retention(date(2027, 6, 1)) == {"warned": 0, "anonymised": 1}
    db.expire_all()
    for p in (db.get(Participant, anna.id), db.get(Participant, thandi.id)):
        assert (p.name, p.email, p.phone, p.user_id) == ("Former participant", "", "", None)
    assert db.get(Meeting, meeting.id).status == "active"  # the figures stay
    from matchmaker.mailings.models import OutboxMail

    addresses = db.scalars(select(OutboxMail.to_address).where(OutboxMail.event_id == event.id))
    assert set(addresses) <= {""}  # the outbox keeps no addresses of the event's mail
    assert db.scalar(
        select(AuditEntry.details).where(AuditEntry.action == "retention.anonymised")
    ) == {"participants": 2}
    assert retention.apply_retention(date(2027, 6, 2)) == {"warned": 0, "anonymised": 0}


def test_the_owner_sets_the_day_on_the_team_page(client, db, make_event, auth):
    event = make_event()
    auth.login(event.organisers[0])
    client.post(f"/events/{event.slug}/team/settings", data={"retain_until": "2030-01-31"})
    db.expire_all()
    assert event.retain_until == date(2030, 1, 31)
    past = (date.today() - timedelta(days=2)).isoformat()
    client.post(f"/events/{event.slug}/team/settings", data={"retain_until": past})
    db.expire_all()
    assert event.retain_until == date(2030, 1, 31)


def test_the_worker_runs_retention_every_day():
    names = {task.__name__ for task in huey._registry._periodic_tasks}
    assert any(name.endswith("apply_retention") for name in names)
