"""The outcome mails: each day's survey at the organiser's time, one reminder to those
who have not answered, the second stage, and follow-up reminders; each at most once."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from matchmaker.mailings.models import OutboxMail
from matchmaker.outcomes import mailing
from matchmaker.outcomes.models import OutcomeMail, OutcomeSettings, SurveyAnswer, SurveyResponse


class _Outbox:
    """The outcome mails in the outbox, oldest first, as (to, subject, text): optional
    mail (category "reminders"), unlike the scene's own "your agenda is published"."""

    def __init__(self, db):
        self.db = db

    def _rows(self) -> list[tuple[str, str, str]]:
        rows = self.db.execute(
            select(OutboxMail.to_address, OutboxMail.subject, OutboxMail.text_body)
            .where(OutboxMail.category == "reminders")
            .order_by(OutboxMail.id)
        )
        return [tuple(row) for row in rows]

    def __iter__(self):
        return iter(self._rows())

    def __getitem__(self, index):
        return self._rows()[index]

    def __len__(self) -> int:
        return len(self._rows())

    def __eq__(self, other) -> bool:
        return self._rows() == list(other)


@pytest.fixture
def sent(db):
    return _Outbox(db)


def _at(past, day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), ZoneInfo(past.event.timezone))


def _run(db, now):
    counts = mailing.send_due(now)
    db.commit()
    return counts


def test_no_settings_no_mails(db, past_event, sent):
    past = past_event(days_ago=0)
    assert _run(db, _at(past, past.day, 23)) == {}
    assert sent == []


def test_survey_goes_once_at_the_organisers_time_and_reminds_who_did_not_answer(
    db, past_event, sent
):
    past = past_event(days_ago=0)
    db.add(OutcomeSettings(event_id=past.event.id, survey_time=time(18), reminder_hours=24))
    db.flush()
    assert _run(db, _at(past, past.day, 17, 59)) == {}  # not yet
    assert _run(db, _at(past, past.day, 18, 5)) == {"survey": 4}
    assert {to for to, _, _ in sent} == {p.user.email for p in past.people}
    assert f"/events/{past.event.slug}/survey?day={past.day.isoformat()}" in sent[0][2]
    assert _run(db, _at(past, past.day, 18, 15)) == {}  # once
    db.add(SurveyResponse(participant_id=past.people[0].id, day=past.day, event_id=past.event.id))
    db.flush()
    assert _run(db, _at(past, past.day, 23)) == {}  # the reminder waits 24 hours
    later = _at(past, past.day + timedelta(days=1), 18, 10)
    assert _run(db, later) == {"reminder": 3}  # not Anna: she answered
    assert past.people[0].user.email not in {to for to, s, _ in sent if "Reminder" in s}
    assert _run(db, later + timedelta(hours=1)) == {}
    assert db.query(OutcomeMail).count() == 7


def test_second_stage_goes_once_when_the_organiser_said(db, past_event, sent):
    past = past_event()
    when = _at(past, past.day + timedelta(days=90), 9)
    db.add(
        OutcomeSettings(
            event_id=past.event.id, survey_time=time(18), reminder_hours=48, second_stage_at=when
        )
    )
    db.flush()
    assert _run(db, when - timedelta(minutes=1)).get("second_stage") is None
    assert _run(db, when + timedelta(minutes=5)) == {"second_stage": 4}
    assert f"/events/{past.event.slug}/survey/agreements" in sent[-1][2]
    assert _run(db, when + timedelta(minutes=15)) == {}


def test_a_follow_up_date_brings_one_reminder_on_that_day(db, past_event, sent):
    past = past_event()
    anna, meeting = past.people[0], past.meetings[0]
    follow = date.today() + timedelta(days=30)
    db.add(
        SurveyAnswer(
            meeting_id=meeting.id,
            participant_id=anna.id,
            event_id=past.event.id,
            held=True,
            follow_up_on=follow,
            note="call about hoses",
            agreement_note="",
        )
    )
    db.flush()
    assert _run(db, _at(past, follow - timedelta(days=1), 12)) == {}
    assert _run(db, _at(past, follow, 8)) == {"follow_up": 1}
    assert sent[-1][0] == anna.user.email and f"/events/{past.event.slug}/follow-ups" in sent[-1][2]
    assert _run(db, _at(past, follow, 9)) == {}


def test_a_follow_up_reminder_sent_late_names_the_day_not_today(db, past_event, sent):
    """The worker was down on the day: the reminder goes the next day and says which day
    was planned, not "today"."""
    past = past_event()
    anna, meeting = past.people[0], past.meetings[0]
    follow = date.today() + timedelta(days=30)
    db.add(
        SurveyAnswer(
            meeting_id=meeting.id,
            participant_id=anna.id,
            event_id=past.event.id,
            held=True,
            follow_up_on=follow,
            note="",
            agreement_note="",
        )
    )
    db.flush()
    assert _run(db, _at(past, follow + timedelta(days=1), 9)) == {"follow_up": 1}
    text = sent[-1][2]
    assert f"on {follow:%d %B %Y}." in text and "today" not in text
