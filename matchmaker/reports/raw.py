"""Every confirmed meeting with both sides' answers side by side (never the private
notes): the XLSX's raw sheet and the organiser's meetings page. ``anonymise`` leaves
the people out and keeps the organisations."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select, true

from ..events.models import Event, Table
from ..extensions import db
from ..meetings.models import MeetingParticipant
from ..outcomes.models import AGREEMENT_KINDS, EXPECTED_RESULTS, VALUE_BANDS, SurveyAnswer
from ..participants.models import Organisation, Participant
from ..schedules.models import PublishedMeeting
from ..templating import to_zone
from .figures import meeting_states

SIDE = (
    "Organisation",
    "Country",
    "Person",
    "Held",
    "Promising",
    "Expected result",
    "Follow up on",
    "Agreement",
    "Value",
    "What was agreed",
)
STATE_LABELS = {"held": "held", "no_show": "no-show", "unmarked": "not marked"}


def header(anonymise: bool) -> list[str]:
    side = [c for c in SIDE if not (anonymise and c == "Person")]
    return ["Meeting", "Day", "Time", "Table", "Held?"] + [
        f"{who}: {c}" for who in ("A", "B") for c in side
    ]


def _answers(event: Event, ids: list[int] | None) -> dict[tuple[int, int], tuple]:
    rows = db.session.execute(
        select(
            SurveyAnswer.meeting_id,
            SurveyAnswer.participant_id,
            SurveyAnswer.held,
            SurveyAnswer.promising,
            SurveyAnswer.expected_result,
            SurveyAnswer.follow_up_on,
            SurveyAnswer.agreement,
            SurveyAnswer.agreement_value,
            SurveyAnswer.agreement_note,
        ).where(
            SurveyAnswer.event_id == event.id,
            SurveyAnswer.meeting_id.in_(ids) if ids is not None else true(),
        )
    )
    found = {}
    for mid, pid, held, promising, expected, follow, agreement, value, note in rows:
        found[(mid, pid)] = (
            "yes" if held else "no",
            promising,
            EXPECTED_RESULTS.get(expected) if expected else None,
            follow,
            AGREEMENT_KINDS.get(agreement) if agreement else None,
            VALUE_BANDS.get(value) if value else None,
            note or None,
        )
    return found


CHUNK = 2000


def all_rows(event: Event, anonymise: bool = False) -> Iterator[list]:
    """Every row, read ``CHUNK`` meetings at a time: memory stays flat as events grow."""
    offset = 0
    while True:
        chunk = list(rows(event, anonymise, offset=offset, limit=CHUNK))
        yield from chunk
        if len(chunk) < CHUNK:
            return
        offset += CHUNK


def rows(
    event: Event, anonymise: bool = False, offset: int = 0, limit: int | None = None
) -> Iterator[list]:
    """One row per confirmed meeting in time order (``header`` names the columns)."""
    query = (
        select(PublishedMeeting.meeting_id, PublishedMeeting.starts_at, Table.name)
        .outerjoin(Table, Table.id == PublishedMeeting.table_id)
        .where(PublishedMeeting.event_id == event.id, PublishedMeeting.status == "confirmed")
        .order_by(PublishedMeeting.starts_at, Table.position, PublishedMeeting.meeting_id)
        .offset(offset)
    )
    if limit is not None:
        query = query.limit(limit)
    meetings = db.session.execute(query).all()
    ids = [m[0] for m in meetings]
    sides: dict[int, list[tuple]] = {}
    side_query = (
        select(
            MeetingParticipant.meeting_id,
            Participant.id,
            Participant.name,
            Organisation.name,
            Organisation.country,
        )
        .join(Participant, Participant.id == MeetingParticipant.participant_id)
        .join(Organisation, Organisation.id == Participant.organisation_id)
        .join(PublishedMeeting, PublishedMeeting.meeting_id == MeetingParticipant.meeting_id)
        .where(PublishedMeeting.event_id == event.id, PublishedMeeting.status == "confirmed")
    )
    if limit is not None:
        side_query = side_query.where(MeetingParticipant.meeting_id.in_(ids))
    for mid, pid, person, org, country in db.session.execute(side_query):
        sides.setdefault(mid, []).append((pid, person, org, country))
    page = ids if limit is not None else None
    answers = _answers(event, page)
    states = meeting_states(event, page)
    blank = (None,) * 7  # an empty cell costs nothing in the XLSX
    for mid, starts, table in meetings:
        local = to_zone(starts, event.timezone)
        row = [
            mid,
            local.date(),
            local.strftime("%H:%M"),
            table or "",
            STATE_LABELS[states.get(mid, "unmarked")],
        ]
        people = sorted(sides.get(mid, []))[:2]
        people += [(None, "", "", "")] * (2 - len(people))
        for pid, person, org, country in people:
            row += [org, country] if anonymise else [org, country, person]
            row += list(answers.get((mid, pid), blank))
        yield row
