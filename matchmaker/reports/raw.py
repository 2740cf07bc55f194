"""Every confirmed meeting with both sides' answers side by side (never the private
notes): the XLSX's raw sheet and the organiser's meetings page. ``anonymise`` leaves
the people out and keeps the organisations."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import func, select, true

from ..events.models import Event, Table
from ..extensions import db
from ..meetings.models import MeetingParticipant
from ..outcomes.models import AGREEMENT_KINDS, EXPECTED_RESULTS, VALUE_BANDS, SurveyAnswer
from ..participants.models import Organisation, Participant
from ..planning.models import PublishedMeeting
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


ANSWER_COLUMNS = (
    SurveyAnswer.held,
    SurveyAnswer.promising,
    SurveyAnswer.expected_result,
    SurveyAnswer.follow_up_on,
    SurveyAnswer.agreement,
    SurveyAnswer.agreement_value,
    SurveyAnswer.agreement_note,
)
BLANK = (None,) * 7  # no answer: empty cells, which cost nothing in the XLSX


def _answer(held, promising, expected, follow, agreement, value, note) -> tuple:
    if held is None:  # the outer join found no answer from this side
        return BLANK
    return (
        "yes" if held else "no",
        promising,
        EXPECTED_RESULTS.get(expected) if expected else None,
        follow,
        AGREEMENT_KINDS.get(agreement) if agreement else None,
        VALUE_BANDS.get(value) if value else None,
        note or None,
    )


def _run(query):
    """Core rows straight from the connection: the ORM's loading step cost more than
    the query itself for the XLSX's 20,000 meeting sides."""
    return db.session.connection().execute(query)


def _sides(event: Event, where) -> dict[int, list[tuple]]:
    """Meeting id -> its sides (participant id, person, organisation, country, answers),
    of the confirmed meetings matching ``where``, in one query (each side's answers by
    an outer join)."""
    sides: dict[int, list[tuple]] = {}
    for mid, pid, person, org, country, *answer in _run(
        select(
            MeetingParticipant.meeting_id,
            Participant.id,
            Participant.name,
            Organisation.name,
            Organisation.country,
            *ANSWER_COLUMNS,
        )
        .join(Participant, Participant.id == MeetingParticipant.participant_id)
        .join(Organisation, Organisation.id == Participant.organisation_id)
        .join(PublishedMeeting, PublishedMeeting.meeting_id == MeetingParticipant.meeting_id)
        .outerjoin(
            SurveyAnswer,
            (SurveyAnswer.meeting_id == MeetingParticipant.meeting_id)
            & (SurveyAnswer.participant_id == MeetingParticipant.participant_id),
        )
        .where(PublishedMeeting.event_id == event.id, PublishedMeeting.status == "confirmed")
        .where(where)
    ):
        sides.setdefault(mid, []).append((pid, person, org, country, _answer(*answer)))
    return sides


def _meetings(event: Event):
    return (
        select(PublishedMeeting.meeting_id, PublishedMeeting.starts_at, Table.name)
        .outerjoin(Table, Table.id == PublishedMeeting.table_id)
        .where(PublishedMeeting.event_id == event.id, PublishedMeeting.status == "confirmed")
        .order_by(PublishedMeeting.starts_at, Table.position, PublishedMeeting.meeting_id)
    )


def _assemble(event: Event, meetings, sides, states, anonymise: bool) -> Iterator[list]:
    local_of: dict = {}  # one time zone conversion per slot, not per meeting
    for mid, starts, table in meetings:
        if starts not in local_of:
            local = to_zone(starts, event.timezone)
            local_of[starts] = (local.date(), local.strftime("%H:%M"))
        day, time = local_of[starts]
        row = [mid, day, time, table or "", STATE_LABELS[states.get(mid, "unmarked")]]
        people = sorted(sides.get(mid, []))[:2]
        people += [(None, "", "", "", BLANK)] * (2 - len(people))
        for _pid, person, org, country, answer in people:
            row += [org, country] if anonymise else [org, country, person]
            row += answer
        yield row


def _ids(sides: dict[int, list[tuple]]) -> dict[int, list[int]]:
    return {mid: [side[0] for side in found] for mid, found in sides.items()}


CHUNK = 2000


def _windows(event: Event) -> Iterator[tuple]:
    """Spans of consecutive slot start times holding about ``CHUNK`` meetings each (a
    slot is never split): a span is read with a range on the start time, where reading
    pages by OFFSET and lists of ids made each page slower than the last."""
    counts = _run(
        select(PublishedMeeting.starts_at, func.count())
        .where(PublishedMeeting.event_id == event.id, PublishedMeeting.status == "confirmed")
        .group_by(PublishedMeeting.starts_at)
        .order_by(PublishedMeeting.starts_at)
    ).all()
    first, n = None, 0
    for starts, count in counts:
        first = starts if first is None else first
        n += count
        if n >= CHUNK:
            yield first, starts
            first, n = None, 0
    if first is not None:
        yield first, counts[-1][0]


def all_rows(event: Event, anonymise: bool = False) -> Iterator[list]:
    """Every row, read a span of about ``CHUNK`` meetings at a time: memory stays flat
    as events grow."""
    for first, last in _windows(event):
        span = PublishedMeeting.starts_at.between(first, last)
        meetings = _run(_meetings(event).where(span)).all()
        sides = _sides(event, span)
        states = meeting_states(event, where=span, sides=_ids(sides))
        yield from _assemble(event, meetings, sides, states, anonymise)


def rows(
    event: Event, anonymise: bool = False, offset: int = 0, limit: int | None = None
) -> Iterator[list]:
    """One row per confirmed meeting in time order (``header`` names the columns); a
    page of them with ``offset`` and ``limit``."""
    query = _meetings(event).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    meetings = _run(query).all()
    ids = [m[0] for m in meetings] if limit is not None else None
    where = MeetingParticipant.meeting_id.in_(ids) if ids is not None else true()
    sides = _sides(event, where)
    states = meeting_states(event, ids, sides=_ids(sides))
    yield from _assemble(event, meetings, sides, states, anonymise)
