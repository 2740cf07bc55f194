"""The survey of one event day, for one participant: one answer per meeting of the day
(held, how promising, expected result, follow-up date, private note) and one overall
answer; and the second stage months later. Functions flush and never commit."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..dbtypes import utcnow
from ..errors import Conflict, Invalid
from ..events.models import Event, Table
from ..extensions import db
from ..meetings.models import MeetingParticipant
from ..participants.models import Participant
from ..planning.models import PublishedMeeting
from ..templating import to_zone
from .models import (
    AGREEMENT_KINDS,
    EXPECTED_RESULTS,
    VALUE_BANDS,
    OutcomeSettings,
    SurveyAnswer,
    SurveyResponse,
)

MAX_TEXT = 2000


@dataclass
class Item:
    """One meeting on the survey, with the partners and this side's answer so far."""

    meeting_id: int
    starts_at: datetime
    ends_at: datetime
    table: str
    partners: list[Participant] = field(default_factory=list)
    answer: SurveyAnswer | None = None


def event_days(event: Event) -> list[date]:
    return sorted({s.day for s in event.sessions})


def local_today(event: Event, now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(ZoneInfo(event.timezone)).date()


def settings_of(event: Event) -> OutcomeSettings | None:
    return db.session.get(OutcomeSettings, event.id)


def items(event: Event, participant: Participant, day: date | None = None) -> list[Item]:
    """The participant's confirmed published meetings (of ``day``, or all), in time order."""
    rows = db.session.execute(
        select(PublishedMeeting, Table.name)
        .join(MeetingParticipant, MeetingParticipant.meeting_id == PublishedMeeting.meeting_id)
        .outerjoin(Table, Table.id == PublishedMeeting.table_id)
        .where(
            PublishedMeeting.event_id == event.id,
            PublishedMeeting.status == "confirmed",
            MeetingParticipant.participant_id == participant.id,
        )
        .order_by(PublishedMeeting.starts_at)
    ).all()
    found = [
        Item(pm.meeting_id, pm.starts_at, pm.ends_at, table or "")
        for pm, table in rows
        if day is None or to_zone(pm.starts_at, event.timezone).date() == day
    ]
    by_id = {i.meeting_id: i for i in found}
    if not by_id:
        return []
    # The partners and their organisations in the same query: the page names each.
    for mp in db.session.scalars(
        select(MeetingParticipant)
        .where(
            MeetingParticipant.meeting_id.in_(list(by_id)),
            MeetingParticipant.participant_id != participant.id,
        )
        .options(joinedload(MeetingParticipant.participant).joinedload(Participant.organisation))
    ):
        by_id[mp.meeting_id].partners.append(mp.participant)
    for answer in db.session.scalars(
        select(SurveyAnswer).where(
            SurveyAnswer.participant_id == participant.id,
            SurveyAnswer.meeting_id.in_(list(by_id)),
        )
    ):
        by_id[answer.meeting_id].answer = answer
    return found


def survey_days(event: Event, participant: Participant, now: datetime | None = None) -> list[date]:
    """The event days (up to today, local) on which the participant had meetings."""
    today = local_today(event, now)
    days = {to_zone(i.starts_at, event.timezone).date() for i in items(event, participant)}
    return sorted(d for d in days if d <= today)


def shown_values(day_items: list[Item], posted=None) -> dict[int, dict[str, str]]:
    """What each meeting's fields show: what was just posted (a refused form keeps what
    the person typed), else the stored answer."""
    shown = {}
    for item in day_items:
        mid, a = item.meeting_id, item.answer
        if posted is not None:
            shown[mid] = {
                k: posted.get(f"{k}-{mid}", "")
                for k in ("held", "promising", "result", "follow", "note")
            }
            continue
        shown[mid] = {
            "held": "" if a is None else ("yes" if a.held else "no"),
            "promising": str(a.promising) if a and a.promising else "",
            "result": (a.expected_result or "") if a else "",
            "follow": a.follow_up_on.isoformat() if a and a.follow_up_on else "",
            "note": a.note if a else "",
        }
    return shown


def response_of(participant: Participant, day: date) -> SurveyResponse | None:
    return db.session.get(SurveyResponse, (participant.id, day))


def _choice(value: str, allowed, what: str, meeting: str) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    if value not in allowed:
        raise Invalid(f"Choose {what} from the list ({meeting}).")
    return value


def _score(value: str, what: str) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    if value not in {"1", "2", "3", "4", "5"}:
        raise Invalid(f"Rate {what} from 1 to 5.")
    return int(value)


def _text(value: str, what: str) -> str:
    # A browser sends each line break as CR LF but counts it once against maxlength.
    value = (value or "").replace("\r\n", "\n").strip()
    if len(value) > MAX_TEXT:
        raise Invalid(f"Keep {what} under {MAX_TEXT} characters.")
    return value


def _date(value: str, meeting: str) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Invalid(f"Give the follow-up date as a date ({meeting}).") from None


def _meeting_label(item: Item) -> str:
    return ", ".join(p.organisation.name for p in item.partners) or f"meeting {item.meeting_id}"


def save_survey(
    event: Event, participant: Participant, day: date, form, now: datetime | None = None
) -> int:
    """Record the participant's answers for ``day`` from ``form`` (a mapping); returns
    how many meetings were answered. A meeting left without "held or not" stays
    unanswered; every answer can be changed later."""
    if day > local_today(event, now):
        raise Conflict("The survey of a day opens on that day.")
    day_items = items(event, participant, day)
    if not day_items:
        raise Conflict("You had no meetings on that day.")
    parsed = []
    for item in day_items:
        mid, label = item.meeting_id, _meeting_label(item)
        held = (form.get(f"held-{mid}") or "").strip()
        if not held:
            continue
        if held not in ("yes", "no"):
            raise Invalid(f"Say whether the meeting was held ({label}).")
        values = {"held": held == "yes", "note": _text(form.get(f"note-{mid}"), "the note")}
        if values["held"]:
            values.update(
                promising=_score(form.get(f"promising-{mid}"), "how promising it was"),
                expected_result=_choice(
                    form.get(f"result-{mid}"), EXPECTED_RESULTS, "the expected result", label
                ),
                follow_up_on=_date(form.get(f"follow-{mid}"), label),
            )
        else:
            values.update(promising=None, expected_result=None, follow_up_on=None)
        parsed.append((item, values))
    satisfaction = _score(form.get("satisfaction"), "the event")
    comment = _text(form.get("comment"), "your comment")
    stamp = now or utcnow()
    for item, values in parsed:
        answer = item.answer or SurveyAnswer(
            meeting_id=item.meeting_id,
            participant_id=participant.id,
            event_id=event.id,
            agreement_note="",
        )
        for key, value in values.items():
            setattr(answer, key, value)
        answer.answered_at = stamp
        db.session.add(answer)
        item.answer = answer
    response = response_of(participant, day) or SurveyResponse(
        participant_id=participant.id, day=day, event_id=event.id
    )
    response.satisfaction, response.comment, response.answered_at = satisfaction, comment, stamp
    db.session.add(response)
    db.session.flush()
    return len(parsed)


def second_stage_open(event: Event, now: datetime | None = None) -> bool:
    settings = settings_of(event)
    return bool(
        settings and settings.second_stage_at and settings.second_stage_at <= (now or utcnow())
    )


def save_agreements(
    event: Event, participant: Participant, form, now: datetime | None = None
) -> int:
    """The second stage: for each meeting, did the contact lead to an agreement (kind,
    value band, text)? Returns how many meetings were answered."""
    if not second_stage_open(event, now):
        raise Conflict("The organisers have not opened this question yet.")
    stamp, answered = now or utcnow(), 0
    for item in items(event, participant):
        mid, label = item.meeting_id, _meeting_label(item)
        kind = _choice(form.get(f"agreement-{mid}"), AGREEMENT_KINDS, "the agreement", label)
        if kind is None:
            continue
        value = _choice(form.get(f"value-{mid}"), VALUE_BANDS, "the value", label)
        answer = item.answer or SurveyAnswer(
            meeting_id=mid,
            participant_id=participant.id,
            event_id=event.id,
            held=True,  # a contact that led somewhere was met
            note="",
        )
        answer.agreement = kind
        answer.agreement_value = None if kind == "none" else (value or "unknown")
        answer.agreement_note = _text(form.get(f"agreement-note-{mid}"), "the description")
        answer.agreement_answered_at = stamp
        db.session.add(answer)
        answered += 1
    db.session.flush()
    return answered
