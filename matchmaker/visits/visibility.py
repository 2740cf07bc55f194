"""What a participant sees of the visit allocation, and when: places are shown once the
schedule is published (a re-run's new places wait for the next publication); a place
given up, whose visit was deleted or that a re-run no longer gives stays in the calendar
feed as cancelled."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from ..dbtypes import utcnow
from ..events.models import Event
from ..extensions import db
from ..participants.models import Participant
from ..web import path_for
from .models import Visit, VisitCancellation, VisitPlace


def published_at(event: Event) -> datetime | None:
    """When the event's schedule was last published (None: never)."""
    from ..planning.models import ScheduleRevision

    return db.session.scalar(
        select(func.max(ScheduleRevision.published_at)).where(ScheduleRevision.event_id == event.id)
    )


def _shown_since(visit: Visit, schedule: datetime | None) -> datetime | None:
    """The latest publication that covers the visit's places: the schedule's or the
    visit allocation's own (``publish_places``)."""
    return max((t for t in (schedule, visit.places_published_at) if t is not None), default=None)


def is_visible(event: Event, place: VisitPlace) -> bool:
    return _visible(place, published_at(event))


def shown_with(place: VisitPlace, schedule: datetime | None) -> bool:
    """``is_visible`` with the schedule's last publication (``published_at``) known."""
    return _visible(place, schedule)


def _visible(place: VisitPlace, schedule: datetime | None) -> bool:
    last = _shown_since(place.option.visit, schedule)
    if last is None:
        return False
    return not place.from_run or place.created_at <= last


def visible_places(event: Event, participant: Participant) -> list[VisitPlace]:
    """The places the participant sees (agenda, feed, visit page): none before the
    schedule (or the visit allocation) is first published; then those given by hand or
    from the waitlist, and the run's places from before the latest publication (a
    re-run's are a draft until the organiser publishes again)."""
    schedule = published_at(event)
    mine = select(VisitPlace).where(VisitPlace.participant_id == participant.id)
    return [p for p in db.session.scalars(mine) if _visible(p, schedule)]


def allocation_shown(event: Event, visits: list[Visit]) -> bool:
    """Whether participants see the allocation (and so their waitlist positions)."""
    schedule = published_at(event)
    return any(_shown_since(v, schedule) is not None for v in visits)


def publish_places(event: Event, visits: list[Visit]) -> int:
    """The organiser publishes the visit allocation alone (without the schedule): every
    place given so far is shown.  Each participant who sees a place they did not see
    before is told once.  Returns how many were told."""
    from ..notifications.services import notify

    schedule = published_at(event)
    ids = [v.id for v in visits]
    places = db.session.scalars(select(VisitPlace).where(VisitPlace.visit_id.in_(ids))).all()
    unseen = {p.participant_id for p in places if not _visible(p, schedule)}
    now = utcnow()
    for visit in visits:
        visit.places_published_at = now
    for participant in db.session.scalars(select(Participant).where(Participant.id.in_(unseen))):
        if participant.user is not None:
            notify(
                participant.user,
                f"Your trade visit places for {event.name} are published.",
                kind="visit_place",
                link=path_for("visits.mine", slug=event.slug),
                event=event,
            )
    db.session.flush()
    return len(unseen)


def visit_uid(option_id: int, participant_id: int) -> str:
    """The calendar UID's local part of a place (the feed adds ``@host``)."""
    return f"visit-{option_id}-{participant_id}"


def cancellations_of(participant: Participant) -> list[VisitCancellation]:
    return list(
        db.session.scalars(
            select(VisitCancellation)
            .where(VisitCancellation.participant_id == participant.id)
            .order_by(VisitCancellation.id)
        )
    )


def record_cancellation(participant: Participant, place: VisitPlace) -> None:
    """The place as the participant's calendar showed it, now cancelled (same UID, a
    higher SEQUENCE than the place's: ``place_sequence``)."""
    from .services import span

    option = place.option
    start, end = span(option)
    uid = visit_uid(option.id, participant.id)
    db.session.add(
        VisitCancellation(
            participant_id=participant.id,
            uid=uid,
            starts_at=start,
            ends_at=end,
            summary=f"Visit: {option.visit.title} ({option.label})",
            location=option.visit.address,
            sequence=place_sequence(participant.id, uid) + 1,
            cancelled_at=utcnow(),
        )
    )


def place_sequence(participant_id: int, uid: str) -> int:
    """A place's SEQUENCE: 2 for each time that place was cancelled before (given again,
    it must outrank its cancellation)."""
    n = db.session.scalar(
        select(func.count())
        .select_from(VisitCancellation)
        .where(VisitCancellation.participant_id == participant_id, VisitCancellation.uid == uid)
    )
    return 2 * (n or 0)
