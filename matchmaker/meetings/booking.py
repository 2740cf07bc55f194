"""Meeting requests: ask, accept, decline, withdraw, cancel — and the limits on them.

Every function flushes and never commits; the route commits once. Status changes are
conditional UPDATEs (``... WHERE status = 'pending'``), so of two tabs or two people
acting on one request at once, exactly one wins and the other gets a ``Conflict``.
The partial unique index ``uq_meeting_requests_open_pair`` keeps one open request per
pair even when both sides ask at the same moment.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from .. import ratelimit
from ..database import take_write_lock
from ..dbtypes import utcnow
from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..events.states import requests_problem
from ..extensions import db
from ..notifications.services import mark_read_about, notify
from ..participants.models import Participant
from ..web import path_for
from .models import Meeting, MeetingParticipant, MeetingRequest
from .services import cancel_meeting, create_meeting

MESSAGE_LIMIT = 1000
OPEN_STATUSES = ("pending", "accepted")
#: Requests one participant may send in an hour (a flood of requests is spam).
REQUESTS_PER_HOUR = 30


def meeting_limit(participant: Participant) -> int | None:
    """Most open (pending + accepted) requests ``participant`` may be part of."""
    if participant.max_meetings is not None:
        return participant.max_meetings
    return participant.event.max_meetings_per_participant


def open_request_count(participant_id: int) -> int:
    return (
        db.session.scalar(
            select(func.count(MeetingRequest.id)).where(
                or_(
                    MeetingRequest.requester_id == participant_id,
                    MeetingRequest.recipient_id == participant_id,
                ),
                MeetingRequest.status.in_(OPEN_STATUSES),
            )
        )
        or 0
    )


def _lock(*participants: Participant) -> None:
    """Serialise limit checks per participant (row locks on PostgreSQL, the write lock
    on SQLite, whose checks read before any write), or two requests to the same busy
    participant would both see "one place left". The rows are read again once locked,
    so a status an organiser changed meanwhile (a rejection) is seen.
    """
    take_write_lock(db.session)
    ids = sorted(p.id for p in participants)
    db.session.execute(
        select(Participant)
        .where(Participant.id.in_(ids))
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def _check_limit(participant: Participant, *, adding: int, me: Participant) -> None:
    limit = meeting_limit(participant)
    if limit is None:
        return
    if open_request_count(participant.id) + adding > limit:
        if participant.id == me.id:
            raise Conflict(
                f"You have reached your limit of {limit} meetings (pending and accepted). "
                "Withdraw or cancel one first."
            )
        raise Conflict(f"{participant.label} has no room for more meetings (limit {limit}).")


def booking_problem(event) -> str | None:
    """Why meeting requests are refused right now, or None."""
    problem = requests_problem(event)
    if problem:
        return problem
    if event.booking_deadline and utcnow() >= event.booking_deadline:
        return "The deadline for meeting requests has passed."
    return None


def open_request_between(a: Participant, b: Participant) -> MeetingRequest | None:
    low, high = sorted((a.id, b.id))
    return db.session.scalar(
        select(MeetingRequest).where(
            MeetingRequest.event_id == a.event_id,
            MeetingRequest.pair_low == low,
            MeetingRequest.pair_high == high,
            MeetingRequest.status.in_(OPEN_STATUSES),
        )
    )


def request_meeting(
    requester: Participant,
    recipient: Participant,
    message: str = "",
    *,
    created_by=None,
    on_behalf: bool = False,
) -> MeetingRequest:
    """``requester`` asks ``recipient`` for a meeting; the recipient is told.

    ``on_behalf``: an organiser acts for the requester (the booking deadline does not
    bind them; every other rule does).
    """
    if not on_behalf:  # counted first: ``ratelimit.check`` commits (see ratelimit)
        ratelimit.check(
            f"request:{requester.id}",
            REQUESTS_PER_HOUR,
            3600,
            "You have asked for many meetings in a short time. Try again in {wait}.",
            "message",
        )
    event = requester.event
    if recipient.id == requester.id:
        raise Invalid("You cannot request a meeting with yourself.")
    if recipient.event_id != requester.event_id:
        raise NotFound("No such participant.")
    if requester.status != "approved":
        raise Forbidden("Your registration is not approved yet.")
    if recipient.status != "approved":
        raise Invalid(f"{recipient.label} is not an approved participant.")
    problem = booking_problem(event)
    if problem and not (on_behalf and requests_problem(event) is None):
        raise Conflict(problem)
    message = (message or "").replace("\r\n", "\n").strip()
    if len(message) > MESSAGE_LIMIT:
        raise Invalid(f"The message is limited to {MESSAGE_LIMIT} characters.", "message")
    existing = open_request_between(requester, recipient)
    if existing is not None:
        raise Conflict(f"You already have an open request with {recipient.label}.")
    _lock(requester, recipient)
    if requester.status != "approved" or recipient.status != "approved":
        raise Conflict("A registration changed a moment ago; reload the page.")
    _check_limit(requester, adding=1, me=requester)
    _check_limit(recipient, adding=1, me=requester)
    low, high = sorted((requester.id, recipient.id))
    req = MeetingRequest(
        event_id=event.id,
        requester_id=requester.id,
        recipient_id=recipient.id,
        pair_low=low,
        pair_high=high,
        message=message,
        created_by_id=created_by.id if created_by else None,
    )
    try:
        with db.session.begin_nested():
            db.session.add(req)
            db.session.flush()
    except IntegrityError:
        raise Conflict(f"You already have an open request with {recipient.label}.") from None
    notify(
        recipient.user,
        f"{requester.label} requests a meeting with you.",
        kind="meeting_request",
        link=request_link(event.slug, req.id),
        event=event,
    )
    return req


def request_link(event_slug: str, request_id: int) -> str:
    """Where the notification of a new request points: the request in the asked one's list.

    Also what ties the notification to its request: answered or withdrawn, the request
    asks nothing any more, and its notification is marked read (``_settle``).
    """
    return path_for(
        "meetings.mine", slug=event_slug, show="incoming", _anchor=f"request-{request_id}"
    )


def _settle(req: MeetingRequest) -> None:
    if req.recipient.user_id:
        mark_read_about(req.recipient.user_id, request_link(req.event.slug, req.id))


def _transition(req: MeetingRequest, from_status: str, to_status: str, **values) -> None:
    """Change the status only if it is still ``from_status``; else the other tab won."""
    if req.event.state.read_only:
        raise Conflict(requests_problem(req.event) or "The event is closed to changes.")
    result = db.session.execute(
        update(MeetingRequest)
        .where(MeetingRequest.id == req.id, MeetingRequest.status == from_status)
        .values(status=to_status, updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]  # DML gives a CursorResult
        db.session.refresh(req)
        raise Conflict(f"This request is {req.status} already.")
    db.session.refresh(req)


def accept_request(req: MeetingRequest, *, acting_for: Participant, by_user=None) -> Meeting:
    """The recipient accepts: the meeting exists from now on, to be scheduled."""
    if acting_for.id != req.recipient_id:
        raise Forbidden("Only the person asked can accept this request.")
    if req.status != "pending":
        raise Conflict(f"This request is {req.status} already.")
    _check_both_approved(req, acting_for, by_user)
    proposal = _organisers_proposal(req)
    problem = booking_problem(req.event)
    if problem and by_user is None and proposal is None:
        raise Conflict(problem)
    _lock(req.requester, req.recipient)
    _check_both_approved(req, acting_for, by_user)  # again, now that the rows are locked
    # The request itself is counted already; over the limit means the limit was lowered.
    _check_limit(req.recipient, adding=0, me=acting_for)
    _check_limit(req.requester, adding=0, me=acting_for)
    _transition(req, "pending", "accepted")
    _settle(req)
    try:
        with db.session.begin_nested():
            meeting = create_meeting(
                req.event, [req.requester, req.recipient], request=req, created_by=by_user
            )
    except IntegrityError:
        raise Conflict("This request has a meeting already.") from None
    _tell(req, req.requester, f"{req.recipient.label} accepted your meeting request.", "accepted")
    if proposal is not None:  # agreed by both: placed (and published) at once
        from ..desk.proposals import place_agreed

        place_agreed(meeting, proposal, by_user)
    return meeting


def _organisers_proposal(req: MeetingRequest):
    """The organisers' proposal after a same-day absence that this request carries out
    (``desk.proposals``), or None: the booking deadline does not bind it."""
    from ..desk.proposals import proposal_of_request

    return proposal_of_request(req)


def _check_both_approved(req: MeetingRequest, acting_for: Participant, by_user) -> None:
    """Only approved participants meet: a pending or rejected side cannot be in a meeting."""
    for side in (req.recipient, req.requester):
        if side.status != "approved":
            if side.id == acting_for.id and by_user is None:
                raise Forbidden("Your registration is not approved yet.")
            raise Conflict(f"{side.label} is not an approved participant.")


def decline_request(req: MeetingRequest, *, acting_for: Participant, reason: str = "") -> None:
    if acting_for.id != req.recipient_id:
        raise Forbidden("Only the person asked can decline this request.")
    reason = _reason(reason)
    _transition(req, "pending", "declined", reason=reason)
    _settle(req)
    _tell(req, req.requester, f"{req.recipient.label} declined your meeting request.", "declined")


def withdraw_request(req: MeetingRequest, *, acting_for: Participant) -> None:
    if acting_for.id != req.requester_id:
        raise Forbidden("Only the person who asked can withdraw this request.")
    _transition(req, "pending", "withdrawn")
    _settle(req)
    _tell(req, req.recipient, f"{req.requester.label} withdrew a meeting request.", "withdrawn")


def cancel_accepted(req: MeetingRequest, *, acting_for: Participant, reason: str = "") -> None:
    """Either side calls off an accepted meeting.

    After publication the meeting row stays (cancelled) so the published schedule and
    the calendars can show the cancellation.
    """
    if not req.involves(acting_for.id):
        raise Forbidden("Only the two participants can cancel this meeting.")
    reason = _reason(reason)
    _transition(req, "accepted", "cancelled", reason=reason)
    meeting = db.session.scalar(select(Meeting).where(Meeting.request_id == req.id))
    if meeting is not None and meeting.status != "cancelled":
        cancel_meeting(meeting)
    other = req.recipient if acting_for.id == req.requester_id else req.requester
    _tell(req, other, f"{acting_for.label} cancelled your meeting.", "cancelled")


def call_off_for(participant: Participant) -> None:
    """``participant`` no longer takes part (rejected): call off what they have open.

    Their pending and accepted requests become ``cancelled`` and their active meetings
    are cancelled (after publication the rows stay, so calendars show the cancellation).
    Each partner is told once. Conditional updates, as in ``_transition``: a request
    another tab closed a moment ago is left as it is.
    """
    event = participant.event
    reason = f"{participant.label} no longer takes part in this event."
    partners: dict[int, tuple[Participant, bool]] = {}  # id -> (partner, had a meeting)
    mine = or_(
        MeetingRequest.requester_id == participant.id,
        MeetingRequest.recipient_id == participant.id,
    )
    for req in db.session.scalars(
        select(MeetingRequest).where(mine, MeetingRequest.status.in_(OPEN_STATUSES))
    ).all():
        was = req.status
        result = db.session.execute(
            update(MeetingRequest)
            .where(MeetingRequest.id == req.id, MeetingRequest.status == was)
            .values(status="cancelled", reason=reason, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        db.session.refresh(req)
        if result.rowcount == 1:  # type: ignore[attr-defined]  # DML gives a CursorResult
            other = req.recipient if req.requester_id == participant.id else req.requester
            partners[other.id] = (other, was == "accepted")
    meetings = db.session.scalars(
        select(Meeting)
        .join(MeetingParticipant, MeetingParticipant.meeting_id == Meeting.id)
        .where(MeetingParticipant.participant_id == participant.id, Meeting.status == "active")
    ).all()
    for meeting in meetings:
        cancel_meeting(meeting)
        for attendee in meeting.attendees:
            if attendee.participant_id != participant.id:
                partners[attendee.participant_id] = (attendee.participant, True)
    for other, had_meeting in partners.values():
        what = "Your meeting" if had_meeting else "The meeting request between you"
        notify(
            other.user,
            f"{what} with {participant.label} is cancelled: "
            f"they no longer take part in {event.name}.",
            kind="meeting_cancelled",
            link=path_for("meetings.mine", slug=event.slug, show="closed"),
            event=event,
        )


def _reason(reason: str) -> str:
    reason = (reason or "").replace("\r\n", "\n").strip()
    if len(reason) > MESSAGE_LIMIT:
        raise Invalid(f"The reason is limited to {MESSAGE_LIMIT} characters.", "reason")
    return reason


def _tell(req: MeetingRequest, whom: Participant, message: str, kind: str) -> None:
    event = req.event
    notify(
        whom.user,
        message,
        kind=f"meeting_{kind}",
        link=path_for(
            "meetings.mine", slug=event.slug, show="accepted" if kind == "accepted" else "all"
        ),
        event=event,
    )


# --- reading ------------------------------------------------------------------------------


def request_for(participant: Participant, request_id: int) -> MeetingRequest:
    """A request ``participant`` is part of, or 404 (others' requests do not exist for them)."""
    req = db.session.get(MeetingRequest, request_id)
    if req is None or not req.involves(participant.id):
        raise NotFound("No such meeting request.")
    return req


def request_in_event(event, request_id: int) -> MeetingRequest:
    req = db.session.get(MeetingRequest, request_id)
    if req is None or req.event_id != event.id:
        raise NotFound("No such meeting request.")
    return req


@dataclass
class MeetingCounts:
    incoming: int = 0
    outgoing: int = 0
    accepted: int = 0
    declined: int = 0
    closed: int = 0  # withdrawn or cancelled
    limit: int | None = None
    #: Changes whenever one of the participant's requests is added or changes state: the
    #: page compares it with the list it shows and refreshes the list when they differ.
    stamp: str = ""

    @property
    def open(self) -> int:
        return self.incoming + self.outgoing + self.accepted


def counts_for(participant: Participant) -> MeetingCounts:
    """Counts per tab of "my meetings", in one query."""
    mine = MeetingRequest.requester_id == participant.id
    row = db.session.execute(
        select(
            func.count(case((~mine & (MeetingRequest.status == "pending"), 1))),
            func.count(case((mine & (MeetingRequest.status == "pending"), 1))),
            func.count(case((MeetingRequest.status == "accepted", 1))),
            func.count(case((MeetingRequest.status == "declined", 1))),
            func.count(case((MeetingRequest.status.in_(("withdrawn", "cancelled")), 1))),
            func.max(MeetingRequest.updated_at),
        ).where(
            or_(
                MeetingRequest.requester_id == participant.id,
                MeetingRequest.recipient_id == participant.id,
            )
        )
    ).one()
    incoming, outgoing, accepted, declined, closed, last_change = row
    numbers = (incoming, outgoing, accepted, declined, closed)
    stamp = f"{sum(numbers)}-{last_change.timestamp() if last_change else 0}"
    return MeetingCounts(*numbers, limit=meeting_limit(participant), stamp=stamp)


TABS = {
    "incoming": "Incoming",
    "outgoing": "Outgoing",
    "accepted": "Accepted",
    "declined": "Declined",
    "closed": "Withdrawn / cancelled",
    "all": "All",
}


PER_PAGE = 30


def requests_of(
    participant: Participant, show: str = "all", page: int = 1, per_page: int = PER_PAGE
) -> list[MeetingRequest]:
    """The requests of one tab of "my meetings", newest change first."""
    query = select(MeetingRequest).where(
        or_(
            MeetingRequest.requester_id == participant.id,
            MeetingRequest.recipient_id == participant.id,
        )
    )
    if show == "incoming":
        query = query.where(
            MeetingRequest.recipient_id == participant.id, MeetingRequest.status == "pending"
        )
    elif show == "outgoing":
        query = query.where(
            MeetingRequest.requester_id == participant.id, MeetingRequest.status == "pending"
        )
    elif show == "accepted":
        query = query.where(MeetingRequest.status == "accepted")
    elif show == "declined":
        query = query.where(MeetingRequest.status == "declined")
    elif show == "closed":
        query = query.where(MeetingRequest.status.in_(("withdrawn", "cancelled")))
    query = query.options(
        selectinload(MeetingRequest.requester).selectinload(Participant.organisation),
        selectinload(MeetingRequest.recipient).selectinload(Participant.organisation),
    )
    return list(
        db.session.scalars(
            query.order_by(MeetingRequest.updated_at.desc(), MeetingRequest.id.desc())
            .limit(per_page)
            .offset((max(page, 1) - 1) * per_page)
        )
    )


def create_on_behalf(
    event, a: Participant, b: Participant, *, organiser, message: str = ""
) -> Meeting:
    """An organiser sets up a meeting for companies that never log in: asked and accepted."""
    if a.event_id != event.id or b.event_id != event.id:
        raise NotFound("No such participant.")
    existing = open_request_between(a, b)
    if existing is not None and existing.status == "pending":
        return accept_request(existing, acting_for=existing.recipient, by_user=organiser)
    if existing is not None:
        raise Conflict(f"{a.label} and {b.label} have a meeting already.")
    req = request_meeting(a, b, message, created_by=organiser, on_behalf=True)
    return accept_request(req, acting_for=b, by_user=organiser)
