"""After a same-day absence: new meetings proposed to the partners it freed.

A freed partner's own accepted-but-unplaced meetings come first: the re-plan places them
(``replan``). For the meetings they lost beyond those, the organisers propose new ones:
with participants the suggestions rank for them (``participants.recommend``: a matching
interest, whose shared words are the proposal's reason) who are free at a common time
that has not begun, with a table free then. Both sides must accept: the freed partner
answers the proposal, and accepting it sends an ordinary meeting request on their behalf,
which the other side accepts or declines as any request. Once accepted, the meeting is
placed at the agreed time (or the next free common one) and published for the two of
them alone; when no time is left, it waits for the next re-plan.

Functions flush and never commit; the route commits once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, or_, select, update

from ..dbtypes import utcnow
from ..errors import Conflict, NotFound
from ..events.models import Event, Table
from ..events.services import event_slots
from ..events.slots import Slot
from ..extensions import db
from ..meetings.booking import meeting_limit, open_request_count, request_meeting
from ..meetings.models import Meeting, MeetingParticipant, MeetingRequest
from ..meetings.services import place_meeting
from ..notifications.services import notify
from ..participants.models import Participant
from ..participants.recommend import suggestions_for
from ..planning.agenda import is_published
from ..planning.board import stand_holders, tables_for, unavailable
from ..planning.models import PublishedMeeting, ScheduleRevision
from ..templating import to_zone
from ..web import path_for
from .proposal_models import ReplanProposal

#: At most this many proposals to one freed partner after one absence.
MOST_PER_PARTNER = 3
#: Organisations of the suggestions looked at for one freed partner.
SUGGESTIONS = 20


@dataclass
class FreeTime:
    """Who is busy when from ``now`` on: the slots not begun, each participant's blocked
    and booked slots, and the tables taken per slot. Built once per re-plan or placement."""

    slots: list[Slot]
    tables: list[int]
    busy: dict[int, set[datetime]] = field(default_factory=lambda: defaultdict(set))
    taken: set[tuple[datetime, int]] = field(default_factory=set)
    stands: dict[int, int] = field(default_factory=dict)  # table id -> its participant

    @classmethod
    def load(cls, event: Event, now: datetime) -> FreeTime:
        every = event_slots(event)
        free = cls([s for s in every if s.starts_at > now], [t.id for t in event.tables])
        for pid, starts in unavailable(event, every).items():
            free.busy[pid] |= starts
        placed = db.session.execute(
            select(MeetingParticipant.participant_id, Meeting.slot_start, Meeting.table_id)
            .join(Meeting, Meeting.id == MeetingParticipant.meeting_id)
            .where(
                Meeting.event_id == event.id,
                Meeting.status == "active",
                Meeting.slot_start.is_not(None),
            )
        )
        for pid, start, table_id in placed:
            free.busy[pid].add(start)
            free.taken.add((start, table_id))
        free.stands = stand_holders(event)
        return free

    def place_for(self, pids: list[int], prefer: datetime | None = None):
        """The first (slot, table id) free for all of ``pids`` (``prefer`` first), or None."""
        order = sorted(self.slots, key=lambda s: (s.starts_at != prefer, s.starts_at))
        for slot in order:
            if any(slot.starts_at in self.busy[p] for p in pids):
                continue
            table = self._table(slot.starts_at, pids)
            if table is not None:
                return slot, table
        return None

    def _table(self, start: datetime, pids: list[int]) -> int | None:
        allowed = tables_for(self.tables, self.stands, pids)
        return next((t for t in allowed if (start, t) not in self.taken), None)

    def hold(self, start: datetime, table: int, pids: list[int]) -> None:
        self.taken.add((start, table))
        for p in pids:
            self.busy[p].add(start)


def _unplaced_accepted(participant_id: int) -> int:
    """Active meetings of the participant without a slot: the re-plan places these."""
    return (
        db.session.scalar(
            select(func.count(Meeting.id))
            .join(MeetingParticipant, MeetingParticipant.meeting_id == Meeting.id)
            .where(
                MeetingParticipant.participant_id == participant_id,
                Meeting.status == "active",
                Meeting.slot_start.is_(None),
            )
        )
        or 0
    )


def _room(participant: Participant) -> int:
    """How many more open requests ``participant`` may be part of (their meeting limit)."""
    limit = meeting_limit(participant)
    return MOST_PER_PARTNER if limit is None else limit - open_request_count(participant.id)


def _reason(card) -> str:
    """The suggestion's reasons in one line, naming the words both sides use."""
    parts = []
    for r in card.reasons:
        if r.shared:
            theirs, mine = ("offer", "seek") if r.they_offer else ("seek", "offer")
            parts.append(
                f"they {theirs} “{r.theirs}”, you {mine} “{r.mine}” "
                f"(both name {', '.join(r.shared)})"
            )
    return "; ".join(parts)


def _candidates(partner: Participant, absent_ids: set[int]) -> Iterator[tuple[Participant, str]]:
    """Approved people of the organisations suggested for ``partner``, best match first."""
    for card in suggestions_for(partner, limit=SUGGESTIONS):
        reason = _reason(card)
        if not reason:
            continue
        for person in card.representatives:
            if person.id not in absent_ids and person.id != partner.id:
                yield person, reason


def _offered_already(a: int, b: int) -> bool:
    return (
        db.session.scalar(
            select(ReplanProposal.id)
            .where(
                ReplanProposal.status != "declined",
                or_(
                    (ReplanProposal.participant_id == a) & (ReplanProposal.other_id == b),
                    (ReplanProposal.participant_id == b) & (ReplanProposal.other_id == a),
                ),
            )
            .limit(1)
        )
        is not None
    )


def propose(
    event: Event, absent: Participant, freed: dict[int, int], user, now: datetime | None = None
) -> list[ReplanProposal]:
    """Offer each freed partner (id -> meetings lost) new meetings; tell each of them
    once. Returns the proposals made."""
    now = now or utcnow()
    free = FreeTime.load(event, now)
    made: list[ReplanProposal] = []
    for pid in sorted(freed):
        partner = db.session.get(Participant, pid)
        if partner is None or partner.status != "approved":
            continue
        wanted = min(MOST_PER_PARTNER, freed[pid] - _unplaced_accepted(pid), _room(partner))
        mine: list[ReplanProposal] = []
        for other, reason in _candidates(partner, {absent.id}):
            if len(mine) >= wanted:
                break
            if _room(other) <= 0 or _offered_already(pid, other.id):
                continue
            place = free.place_for([pid, other.id])
            if place is None:
                continue
            slot, table = place
            free.hold(slot.starts_at, table, [pid, other.id])
            proposal = ReplanProposal(
                event_id=event.id,
                participant_id=pid,
                other_id=other.id,
                absent_id=absent.id,
                slot_start=slot.starts_at,
                slot_end=slot.ends_at,
                reason=reason,
                created_by_id=user.id if user else None,
            )
            db.session.add(proposal)
            mine.append(proposal)
        if mine:
            db.session.flush()
            _tell_partner(event, partner, absent, mine)
            made += mine
    return made


def proposals_link(event: Event) -> str:
    return path_for("desk.my_proposals", slug=event.slug)


def when(event: Event, start: datetime) -> str:
    """A time as participants read it: "Tue 14:50", in the event's zone."""
    return to_zone(start, event.timezone).strftime("%a %H:%M")


def _tell_partner(event, partner, absent, mine: list[ReplanProposal]) -> None:
    first = mine[0]
    what = (
        f"a meeting with {first.other.label} at {when(event, first.slot_start)}"
        if len(mine) == 1
        else f"{len(mine)} new meetings"
    )
    notify(
        partner.user,
        f"The organisers propose {what} to you, as {absent.label} cannot come. Accept or decline.",
        kind="replan_proposal",
        link=proposals_link(event),
        event=event,
    )


# --- the freed partner's answer -------------------------------------------------------------


def proposals_of(participant: Participant) -> list[ReplanProposal]:
    """The proposals made to ``participant``, newest first."""
    return list(
        db.session.scalars(
            select(ReplanProposal)
            .where(ReplanProposal.participant_id == participant.id)
            .order_by(ReplanProposal.created_at.desc(), ReplanProposal.id.desc())
        )
    )


def offered_count(participant: Participant) -> int:
    """How many proposals wait for ``participant``'s answer (their agenda says so)."""
    return (
        db.session.scalar(
            select(func.count(ReplanProposal.id)).where(
                ReplanProposal.participant_id == participant.id,
                ReplanProposal.status == "offered",
            )
        )
        or 0
    )


def proposal_for(participant: Participant, proposal_id: int) -> ReplanProposal:
    proposal = db.session.get(ReplanProposal, proposal_id)
    if proposal is None or proposal.participant_id != participant.id:
        raise NotFound("No such proposal.")
    return proposal


def _answer(proposal: ReplanProposal, to_status: str) -> None:
    """From ``offered`` only, in one conditional statement (a second tab gets a 409)."""
    result = db.session.execute(
        update(ReplanProposal)
        .where(ReplanProposal.id == proposal.id, ReplanProposal.status == "offered")
        .values(status=to_status, answered_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(proposal)
    if result.rowcount != 1:  # type: ignore[attr-defined]  # DML gives a CursorResult
        raise Conflict(f"This proposal is {proposal.status} already.")


def accept_proposal(proposal: ReplanProposal, user) -> MeetingRequest:
    """The freed partner accepts: a meeting request goes to the other side on their
    behalf (the booking deadline does not bind it; the limits do), saying why and when."""
    _answer(proposal, "asked")
    event = proposal.participant.event
    message = (
        "Proposed by the organisers after a change to today's schedule: you are both free "
        f"at {when(event, proposal.slot_start)}, and {proposal.reason}."
    )
    req = request_meeting(
        proposal.participant, proposal.other, message, created_by=user, on_behalf=True
    )
    proposal.request_id = req.id
    db.session.flush()
    return req


def decline_proposal(proposal: ReplanProposal) -> None:
    _answer(proposal, "declined")


# --- once both have accepted ----------------------------------------------------------------


def proposal_of_request(req: MeetingRequest) -> ReplanProposal | None:
    return db.session.scalar(select(ReplanProposal).where(ReplanProposal.request_id == req.id))


def place_agreed(meeting: Meeting, proposal: ReplanProposal, user=None) -> bool:
    """Place the meeting of an accepted proposal at the agreed time, else at the next time
    both are free, and publish it (only its two participants are told). False when no
    time is left: the next re-plan places it."""
    event = meeting.event
    now = utcnow()
    place = FreeTime.load(event, now).place_for(meeting.participant_ids, proposal.slot_start)
    if place is None:
        return False
    slot, table_id = place
    try:
        place_meeting(meeting, slot.starts_at, slot.ends_at, table_id)
    except Conflict:  # taken a moment ago by someone else: the next re-plan places it
        return False
    meeting.locked = True  # agreed by both: a re-plan keeps it where it is
    db.session.flush()
    if is_published(event):
        _publish_one(event, meeting, user, now)
    return True


def _publish_one(event: Event, meeting: Meeting, user, now: datetime) -> None:
    """Publish this one meeting as a revision of its own: the rest of the draft (a
    re-plan the organiser has not looked at yet) stays a draft."""
    assert meeting.slot_start and meeting.slot_end, "a proposal's meeting is placed"
    table = db.session.get_one(Table, meeting.table_id)
    last = db.session.scalar(
        select(func.max(ScheduleRevision.number)).where(ScheduleRevision.event_id == event.id)
    )
    change = {
        "meeting": meeting.id,
        "change": "added",
        "to": {
            "start": meeting.slot_start.isoformat(),
            "table": table.id,
            "table_name": table.name,
        },
    }
    revision = ScheduleRevision(
        event_id=event.id,
        number=(last or 0) + 1,
        published_by_id=user.id if user else None,
        published_at=now,
        changes=[change],
    )
    db.session.add(revision)
    db.session.flush()
    published = db.session.get(PublishedMeeting, meeting.id)
    if published is None:
        published = PublishedMeeting(meeting_id=meeting.id, event_id=event.id, sequence=0)
        db.session.add(published)
    else:
        published.sequence += 1
    published.status = "confirmed"
    published.starts_at, published.ends_at = meeting.slot_start, meeting.slot_end
    published.table_id, published.changed_at, published.revision_id = table.id, now, revision.id
    db.session.flush()
    people = {a.participant_id: a.participant for a in meeting.attendees}
    for pid, person in people.items():
        others = ", ".join(p.label for q, p in people.items() if q != pid)
        notify(
            person.user,
            f"New meeting in your agenda: {when(event, meeting.slot_start)}, {table.name}, "
            f"with {others}.",
            kind="schedule",
            link=path_for("schedules.agenda", slug=event.slug),
            event=event,
        )
