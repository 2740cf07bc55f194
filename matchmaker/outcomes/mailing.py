"""The outcome mails, sent by a periodic task: the survey after each event day (at the
organiser's time), one reminder to those who have not answered, the second stage, and a
participant's follow-up reminders. An ``OutcomeMail`` row is written with each mail, in
the same transaction, so a mail goes at most once however often the task runs."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from ..accounts.models import User
from ..dbtypes import utcnow
from ..events.models import Event
from ..extensions import db
from ..mailings.outbox import queue_mail
from ..meetings.models import MeetingParticipant
from ..participants.models import Participant
from ..planning.models import PublishedMeeting
from ..templating import to_zone
from ..web import absolute_url
from .models import OutcomeMail, OutcomeSettings, SurveyAnswer, SurveyResponse
from .survey import event_days

#: A survey not sent within this time after its day (the task was down) is not sent late.
SEND_WINDOW = timedelta(days=7)


def _queue(event: Event, participant: Participant, email: str, kind: str, key: str, subject, body):
    db.session.add(
        OutcomeMail(participant_id=participant.id, kind=kind, key=key, event_id=event.id)
    )

    # Optional mail (a survey and its reminders): the person may turn reminders off.
    queue_mail(
        email,
        subject,
        body,
        category="reminders",
        event_id=event.id,
        participant_id=participant.id,
    )


def _sent(event: Event, kind: str) -> set[tuple[int, str]]:
    return set(
        db.session.execute(
            select(OutcomeMail.participant_id, OutcomeMail.key).where(
                OutcomeMail.event_id == event.id, OutcomeMail.kind == kind
            )
        )
        .tuples()
        .all()
    )


def _people_with_meetings(event: Event) -> dict[int, set]:
    """Participant id -> the local days of their confirmed published meetings."""
    days: dict[int, set] = {}
    rows = db.session.execute(
        select(MeetingParticipant.participant_id, PublishedMeeting.starts_at)
        .join(PublishedMeeting, PublishedMeeting.meeting_id == MeetingParticipant.meeting_id)
        .where(PublishedMeeting.event_id == event.id, PublishedMeeting.status == "confirmed")
    )
    for pid, starts in rows:
        days.setdefault(pid, set()).add(to_zone(starts, event.timezone).date())
    return days


def _recipients(ids) -> dict[int, tuple[Participant, str]]:
    """Participants who can log in (the survey is behind the log-in), with their address."""
    if not ids:
        return {}
    rows = db.session.execute(
        select(Participant, User.email)
        .join(User, User.id == Participant.user_id)
        .where(Participant.id.in_(list(ids)), Participant.status == "approved")
    )
    return {p.id: (p, email) for p, email in rows}


def _link(endpoint: str, **values) -> str:
    return absolute_url(endpoint, **values)


def _survey_mails(event: Event, settings: OutcomeSettings, now: datetime, sent: Counter) -> None:
    zone = ZoneInfo(event.timezone)
    people = _people_with_meetings(event)
    surveyed, reminded = _sent(event, "survey"), _sent(event, "reminder")
    answered = set(
        db.session.execute(
            select(SurveyResponse.participant_id, SurveyResponse.day).where(
                SurveyResponse.event_id == event.id
            )
        ).all()
    )
    recipients = _recipients(people)
    for day in event_days(event):
        due = datetime.combine(day, settings.survey_time, zone).astimezone(now.tzinfo)
        if not due <= now < due + SEND_WINDOW:
            continue
        key = day.isoformat()
        link = _link("outcomes.survey", slug=event.slug, day=key)
        for pid, (participant, email) in recipients.items():
            if day not in people.get(pid, ()):
                continue
            if (pid, key) not in surveyed:
                _queue(
                    event,
                    participant,
                    email,
                    "survey",
                    key,
                    f"How were your meetings at {event.name}?",
                    f"Thank you for taking part in {event.name} on {day:%d %B %Y}. Tell us "
                    f"how each meeting went (two minutes, on your phone too):\n\n{link}",
                )
                sent["survey"] += 1
            elif (
                now >= due + timedelta(hours=settings.reminder_hours)
                and (pid, day) not in answered
                and (pid, key) not in reminded
            ):
                _queue(
                    event,
                    participant,
                    email,
                    "reminder",
                    key,
                    f"Reminder: your meetings at {event.name}",
                    f"You have not told us yet how your meetings at {event.name} on "
                    f"{day:%d %B %Y} went. It takes two minutes:\n\n{link}",
                )
                sent["reminder"] += 1


def _second_stage_mails(event: Event, settings: OutcomeSettings, now: datetime, sent: Counter):
    at = settings.second_stage_at
    if at is None or not at <= now < at + SEND_WINDOW:
        return
    done = _sent(event, "second_stage")
    link = _link("outcomes.agreements", slug=event.slug)
    for pid, (participant, email) in _recipients(_people_with_meetings(event)).items():
        if (pid, "1") in done:
            continue
        _queue(
            event,
            participant,
            email,
            "second_stage",
            "1",
            f"Did your contacts from {event.name} lead to business?",
            f"Some months ago you met partners at {event.name}. Did any of these contacts "
            f"lead to an agreement? Your answer helps the organisers keep such events "
            f"going:\n\n{link}",
        )
        sent["second_stage"] += 1


def _follow_up_mails(now: datetime, sent: Counter) -> None:
    """A reminder on each follow-up date a participant set (their local day)."""
    rows = db.session.execute(
        select(SurveyAnswer, Event, User.email)
        .join(Event, Event.id == SurveyAnswer.event_id)
        .join(Participant, Participant.id == SurveyAnswer.participant_id)
        .join(User, User.id == Participant.user_id)
        .where(
            SurveyAnswer.follow_up_on.is_not(None),
            SurveyAnswer.follow_up_on.between(
                (now - timedelta(days=3)).date(), (now + timedelta(days=1)).date()
            ),
        )
    ).all()
    done: dict[int, set] = {}
    for answer, event, email in rows:
        today = now.astimezone(ZoneInfo(event.timezone)).date()
        if not today - timedelta(days=2) <= answer.follow_up_on <= today:
            continue
        if event.id not in done:
            done[event.id] = _sent(event, "follow_up")
        key = f"{answer.meeting_id}:{answer.follow_up_on.isoformat()}"
        if (answer.participant_id, key) in done[event.id]:
            continue
        participant = db.session.get_one(Participant, answer.participant_id)
        link = _link("outcomes.follow_ups", slug=event.slug)
        planned = f"{answer.follow_up_on:%d %B %Y}"
        _queue(
            event,
            participant,
            email,
            "follow_up",
            key,
            f"Follow up your contact from {event.name}",
            # Sent on the day, or up to two days late (the task was down): say which day.
            f"You planned to follow up a contact from {event.name} "
            + (f"today ({planned})" if answer.follow_up_on == today else f"on {planned}")
            + f". Your contacts, notes and their details:\n\n{link}",
        )
        done[event.id].add((answer.participant_id, key))
        sent["follow_up"] += 1


def send_due(now: datetime | None = None) -> Counter:
    """Queue every outcome mail due at ``now``; returns how many of each kind."""
    now, sent = now or utcnow(), Counter[str]()
    rows = db.session.execute(
        select(Event, OutcomeSettings)
        .join(OutcomeSettings, OutcomeSettings.event_id == Event.id)
        .where(Event.status.in_(("published", "finished")))
    ).all()
    for event, settings in rows:
        _survey_mails(event, settings, now, sent)
        _second_stage_mails(event, settings, now, sent)
    _follow_up_mails(now, sent)
    db.session.flush()
    return sent
