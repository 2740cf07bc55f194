"""Trade visits: create visits and options, rank wishes, the engine's part of the problem,
saving its allocation, cancellations (the first on the waitlist moves in) and places fixed
by hand."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select

from .. import changes
from ..dbtypes import utcnow
from ..errors import Conflict, Invalid, NotFound
from ..events.models import Event
from ..extensions import db
from ..participants.models import Organisation, Participant
from ..web import path_for
from .models import (
    ELIGIBILITY_KINDS,
    Visit,
    VisitCancellation,
    VisitOption,
    VisitPlace,
    VisitWaitlist,
    VisitWish,
)
from .visibility import is_visible, published_at, record_cancellation, shown_with

# A calendar feed shows the participant's places and cancelled ones: its cache follows
# their changes (calendar.cache.VERSION).
changes.watch("calendar", Visit, VisitOption, VisitPlace, VisitCancellation)


def event_visits(event: Event) -> list[Visit]:
    return list(
        db.session.scalars(select(Visit).where(Visit.event_id == event.id).order_by(Visit.id))
    )


def visit_of(event: Event, visit_id: int) -> Visit:
    visit = db.session.get(Visit, visit_id)
    if visit is None or visit.event_id != event.id:
        raise NotFound("No such visit.")
    return visit


def _eligibility(value: str) -> str:
    value = (value or "all").strip()
    if value == "all":
        return value
    kind, _, arg = value.partition(":")
    if kind == "country" and len(arg) == 2 and arg.isalpha():
        return f"country:{arg.upper()}"
    if kind == "kind" and arg in ELIGIBILITY_KINDS:
        return value
    raise Invalid('Who may apply: "all", "country:ZA" or "kind:sme" (or startup, ...).')


def create_visit(event: Event, **fields: Any) -> Visit:
    title = (fields.get("title") or "").strip()
    if not title:
        raise Invalid("A visit needs a title.")
    visit = Visit(
        event_id=event.id,
        title=title,
        host=(fields.get("host") or "").strip(),
        address=(fields.get("address") or "").strip(),
        meeting_point=(fields.get("meeting_point") or "").strip(),
        map_url=(fields.get("map_url") or "").strip(),
        description=(fields.get("description") or "").strip(),
        eligibility=_eligibility(fields.get("eligibility") or "all"),
        wishes_until=fields.get("wishes_until"),
    )
    if visit.map_url and not visit.map_url.startswith(("https://", "http://")):
        raise Invalid("The map link must start with https://.", field="map_url")
    db.session.add(visit)
    db.session.flush()
    return visit


#: The fields of a visit the organiser's form edits.
VISIT_FIELDS = ("title", "host", "address", "meeting_point", "map_url", "description")


def update_visit(visit: Visit, **fields: Any) -> Visit:
    """The organiser edits a visit (the fields of ``create_visit``; ``wishes_until`` None:
    no deadline)."""
    title = (fields.get("title") or "").strip()
    if not title:
        raise Invalid("A visit needs a title.", field="title")
    map_url = (fields.get("map_url") or "").strip()
    if map_url and not map_url.startswith(("https://", "http://")):
        raise Invalid("The map link must start with https://.", field="map_url")
    for name in VISIT_FIELDS:
        setattr(visit, name, (fields.get(name) or "").strip())
    visit.eligibility = _eligibility(fields.get("eligibility") or "all")
    visit.wishes_until = fields.get("wishes_until")
    db.session.flush()
    return visit


def update_option(option: VisitOption, places: int, label: str = "") -> VisitOption:
    """The organiser changes a group's places (and name).  Fewer places than are given
    already is refused: the organiser cancels places first (the waitlist moves in)."""
    if places < 0:
        raise Invalid("Places cannot be negative.", field="places")
    given = (
        db.session.scalar(
            select(func.count()).select_from(VisitPlace).where(VisitPlace.option_id == option.id)
        )
        or 0
    )
    if places < given:
        raise Conflict(
            f"{given} places of {option.label} are given: cancel some before lowering "
            f"the places to {places}.",
            field="places",
        )
    option.places = places
    option.label = label.strip() or option.label
    db.session.flush()
    return option


def delete_visit(event: Event, visit: Visit) -> int:
    """Delete a visit with its groups, wishes, places and waitlists.  Each holder of a
    place they could see is told, and their calendar shows it cancelled.  Returns how
    many were told."""
    told = 0
    for place in db.session.scalars(select(VisitPlace).where(VisitPlace.visit_id == visit.id)):
        participant = db.session.get(Participant, place.participant_id)
        if participant is None or not is_visible(event, place):
            continue
        record_cancellation(participant, place)
        if participant.user is not None:
            _notify(
                participant.user,
                f"The visit {visit.title} ({place.option.label}) is cancelled by the organisers.",
                event,
            )
        told += 1
    # (Explicitly: the database's ON DELETE CASCADE is not enforced by every SQLite.)
    option_ids = [o.id for o in visit.options]
    db.session.execute(delete(VisitWaitlist).where(VisitWaitlist.option_id.in_(option_ids)))
    db.session.execute(delete(VisitPlace).where(VisitPlace.visit_id == visit.id))
    db.session.execute(delete(VisitWish).where(VisitWish.visit_id == visit.id))
    db.session.delete(visit)
    db.session.flush()
    return told


def add_option(
    visit: Visit,
    starts_at: datetime,
    ends_at: datetime,
    places: int,
    travel_before: int = 0,
    travel_after: int = 0,
    label: str = "",
) -> VisitOption:
    if ends_at <= starts_at:
        raise Invalid("A group must end after it starts.")
    if places < 0 or travel_before < 0 or travel_after < 0:
        raise Invalid("Places and travel minutes cannot be negative.")
    option = VisitOption(
        visit_id=visit.id,
        starts_at=starts_at,
        ends_at=ends_at,
        places=places,
        travel_before=travel_before,
        travel_after=travel_after,
        label=label.strip() or f"Group {len(visit.options) + 1}",
    )
    db.session.add(option)
    db.session.flush()
    db.session.refresh(visit, ["options"])
    return option


def span(option: VisitOption) -> tuple[datetime, datetime]:
    """The time an option takes from the meetings: the visit and its travel."""
    return (
        option.starts_at - timedelta(minutes=option.travel_before),
        option.ends_at + timedelta(minutes=option.travel_after),
    )


def _name_key(name: str) -> str:
    return " ".join((name or "").casefold().split())


def hosted_by(visit: Visit, participant: Participant) -> bool:
    """Whether ``participant``'s organisation is the visit's host (its name, as the
    organiser typed the host: case and spaces aside): hosts receive the visit."""
    org = db.session.get(Organisation, participant.organisation_id)
    return org is not None and bool(visit.host) and _name_key(org.name) == _name_key(visit.host)


def may_apply(visit: Visit, participant: Participant) -> bool:
    """Whether ``participant`` may rank ``visit``: open to their organisation, and not
    their own organisation's (its people do not visit themselves)."""
    if hosted_by(visit, participant):
        return False
    if visit.eligibility == "all":
        return True
    kind, _, arg = visit.eligibility.partition(":")
    org = db.session.get(Organisation, participant.organisation_id)
    if org is None:
        return False
    return (kind == "country" and org.country == arg) or (kind == "kind" and org.kind == arg)


def wishes_of(participant: Participant) -> list[VisitWish]:
    return list(
        db.session.scalars(
            select(VisitWish)
            .where(VisitWish.participant_id == participant.id)
            .order_by(VisitWish.rank)
        )
    )


def set_wishes(
    event: Event,
    participant: Participant,
    ranked: list[tuple[int, int | None]],
    now: datetime | None = None,
) -> list[VisitWish]:
    """Replace the participant's wishes by ``ranked``: (visit id, preferred option id or
    None for any group), first choice first.  Refused after a visit's deadline (for a
    visit whose wish would change) or for a visit they may not apply to."""
    now = now or utcnow()
    visits = {v.id: v for v in event_visits(event)}
    old = {w.visit_id: w for w in wishes_of(participant)}
    seen = set()
    for vid, oid in ranked:
        visit = visits.get(vid)
        if visit is None:
            raise NotFound("No such visit.")
        if vid in seen:
            raise Invalid(f"{visit.title} is ranked twice.")
        seen.add(vid)
        if oid is not None and oid not in {o.id for o in visit.options}:
            raise Invalid(f"{visit.title}: no such group.")
        if not may_apply(visit, participant):
            why = "hosted by" if hosted_by(visit, participant) else "not open to"
            raise Invalid(
                f"{visit.title} is {why} your organisation: you cannot rank it.",
                field=f"rank_{vid}",
            )
    for vid in set(old) | seen:
        visit = visits[vid]
        before = old.get(vid)
        after = next(((r, o) for r, (v, o) in enumerate(ranked, 1) if v == vid), None)
        changed = before is None or after is None or (before.rank, before.option_id) != after
        if changed and visit.wishes_until is not None and now > visit.wishes_until:
            closed = f"{visit.wishes_until:%d %b %H:%M} UTC"
            raise Invalid(
                f"Wishes for {visit.title} closed on {closed}: your choice can no longer change.",
                field=f"rank_{vid}",
            )
    db.session.execute(delete(VisitWish).where(VisitWish.participant_id == participant.id))
    out = []
    for rank, (vid, oid) in enumerate(ranked, start=1):
        wish = VisitWish(visit_id=vid, participant_id=participant.id, rank=rank, option_id=oid)
        db.session.add(wish)
        out.append(wish)
    db.session.flush()
    return out


# --------------------------------------------------------------- engine: problem part


def add_to_problem(event: Event, problem: dict[str, Any], slots, blocked) -> None:
    """Add the event's visits, the wishes of approved participants and the places fixed
    by hand to the engine's problem (``docs/scheduling-format.md``, *Visits*).  Each
    option blocks the slots its span (travel included) overlaps."""
    visits = event_visits(event)
    if not visits:
        return
    out_visits = []
    for visit in visits:
        options = []
        for o in visit.options:
            a, b = span(o)
            keys = [s.key for s in slots if s.starts_at < b and a < s.ends_at]
            entry: dict[str, Any] = {"id": str(o.id), "places": o.places}
            if keys:
                entry["start_slot"], entry["end_slot"] = keys[0], keys[-1]
            options.append(entry)
        if options:
            out_visits.append({"id": str(visit.id), "label": visit.title, "options": options})
    visit_ids = [v.id for v in visits if v.options]
    rows = db.session.execute(
        select(VisitWish.participant_id, VisitWish.visit_id, VisitWish.rank, VisitWish.option_id)
        .join(Participant, Participant.id == VisitWish.participant_id)
        .where(VisitWish.visit_id.in_(visit_ids), Participant.status == "approved")
        .order_by(VisitWish.created_at, VisitWish.id)
    ).all()
    locked_rows = db.session.execute(
        select(VisitPlace.participant_id, VisitPlace.visit_id, VisitPlace.option_id).where(
            VisitPlace.visit_id.in_(visit_ids), VisitPlace.locked.is_(True)
        )
    ).all()
    # Who may apply: a wish of a participant who may not (the rule changed after they
    # wished, or the row came another way) is not the engine's to grant.
    by_id = {v.id: v for v in visits}
    asking = {
        p.id: p
        for p in db.session.scalars(
            select(Participant).where(Participant.id.in_({r[0] for r in rows}))
        )
    }
    rows = [r for r in rows if may_apply(by_id[r[1]], asking[r[0]])]
    known = {p["id"] for p in problem["participants"]}
    key_of = {s.starts_at: s.key for s in slots}
    for pid in sorted({r[0] for r in rows} | {r[0] for r in locked_rows}):
        if str(pid) not in known:
            problem["participants"].append(
                {
                    "id": str(pid),
                    "unavailable": sorted(key_of[s] for s in blocked.get(pid, ()) if s in key_of),
                }
            )
    wishes = []
    for pid, vid, rank, oid in rows:
        wish: dict[str, Any] = {"participant": str(pid), "visit": str(vid), "rank": rank}
        if oid is not None:
            wish["options"] = [str(oid)]
        wishes.append(wish)
    problem["visits"] = out_visits
    problem["visit_wishes"] = wishes
    problem["visit_locked"] = [
        {"participant": str(p), "visit": str(v), "option": str(o)} for p, v, o in locked_rows
    ]
    # The places given before: a re-run keeps them where that costs no visit figure.
    problem["visit_previous"] = [
        {"participant": str(p), "visit": str(v), "option": str(o)}
        for p, v, o in db.session.execute(
            select(VisitPlace.participant_id, VisitPlace.visit_id, VisitPlace.option_id).where(
                VisitPlace.visit_id.in_(visit_ids), VisitPlace.locked.is_(False)
            )
        )
        if str(p) in {w["participant"] for w in wishes}
    ]


def save_allocation(event: Event, visits: dict[str, Any] | None) -> None:
    """Replace the places the engine gave (locked ones stay) and the waitlists.  A place
    the participant could see that the run no longer gives stays in their calendar feed
    as cancelled (same UID, a higher SEQUENCE), as a given-up place does."""
    if visits is None:
        return
    visit_ids = [v.id for v in event_visits(event)]
    locked = {
        (p.participant_id, p.visit_id)
        for p in db.session.scalars(
            select(VisitPlace).where(VisitPlace.visit_id.in_(visit_ids), VisitPlace.locked)
        )
    }
    # A place the run gives again is kept as it is (the participant may see it already);
    # the others go, and new ones are drafts until the next publication.
    given = {
        (int(p["participant"]), int(p["visit"]), int(p["option"])) for p in visits.get("places", [])
    }
    kept = set()
    schedule = published_at(event)
    for place in db.session.scalars(
        select(VisitPlace).where(VisitPlace.visit_id.in_(visit_ids), VisitPlace.locked.is_(False))
    ).all():
        key = (place.participant_id, place.visit_id, place.option_id)
        if key in given:
            kept.add(key)
            continue
        holder = db.session.get(Participant, place.participant_id)
        if holder is not None and shown_with(place, schedule):
            record_cancellation(holder, place)
        db.session.delete(place)
    db.session.flush()
    option_ids = list(
        db.session.scalars(select(VisitOption.id).where(VisitOption.visit_id.in_(visit_ids)))
    )
    db.session.execute(delete(VisitWaitlist).where(VisitWaitlist.option_id.in_(option_ids)))
    for pid, vid, oid in sorted(given - kept):
        if (pid, vid) in locked:
            continue
        db.session.add(VisitPlace(participant_id=pid, visit_id=vid, option_id=oid, from_run=True))
    for oid, people in visits.get("waitlist", {}).items():
        for position, pid in enumerate(people, start=1):
            db.session.add(
                VisitWaitlist(option_id=int(oid), participant_id=int(pid), position=position)
            )
    db.session.flush()


# --------------------------------------------------------------- after the run


def places_of(participant: Participant) -> list[VisitPlace]:
    return list(
        db.session.scalars(select(VisitPlace).where(VisitPlace.participant_id == participant.id))
    )


def _notify(user, message: str, event: Event) -> None:
    from ..notifications.services import notify

    notify(
        user,
        message,
        kind="visit_place",
        link=path_for("visits.mine", slug=event.slug),
        event=event,
    )


def _overlaps(option: VisitOption, participant_id: int, ignore_visit: int) -> bool:
    a, b = span(option)
    for place in db.session.scalars(
        select(VisitPlace).where(
            VisitPlace.participant_id == participant_id, VisitPlace.visit_id != ignore_visit
        )
    ):
        c, d = span(place.option)
        if a < d and c < b:
            return True
    return False


def cancel_place(event: Event, participant: Participant, visit: Visit) -> Participant | None:
    """The participant gives up their place: the first on that option's waitlist who is
    free then (no other visit in its span) moves in and is told.  Returns who moved in."""
    place = db.session.scalar(
        select(VisitPlace).where(
            VisitPlace.visit_id == visit.id, VisitPlace.participant_id == participant.id
        )
    )
    if place is None:
        raise NotFound("No place to cancel.")
    option = place.option
    if is_visible(event, place):
        record_cancellation(participant, place)
    db.session.delete(place)
    db.session.flush()
    waiting = db.session.scalars(
        select(VisitWaitlist)
        .where(VisitWaitlist.option_id == option.id)
        .order_by(VisitWaitlist.position)
    ).all()
    for entry in waiting:
        if _overlaps(option, entry.participant_id, visit.id) or db.session.scalar(
            select(VisitPlace.id).where(
                VisitPlace.visit_id == visit.id, VisitPlace.participant_id == entry.participant_id
            )
        ):
            continue
        db.session.add(
            VisitPlace(visit_id=visit.id, option_id=option.id, participant_id=entry.participant_id)
        )
        # Off every waitlist of this visit.
        db.session.execute(
            delete(VisitWaitlist).where(
                VisitWaitlist.participant_id == entry.participant_id,
                VisitWaitlist.option_id.in_([o.id for o in visit.options]),
            )
        )
        db.session.flush()
        moved = db.session.get(Participant, entry.participant_id)
        if moved is not None and moved.user is not None:
            message = f"A place freed up: you are in {visit.title}, {option.label}."
            _notify(moved.user, message, event)
        return moved
    return None


def fix_place(event: Event, visit: Visit, option: VisitOption, participant: Participant) -> None:
    """The organiser puts a participant into a group by hand: locked, kept by every run."""
    if option.visit_id != visit.id or participant.event_id != event.id:
        raise NotFound("No such group or participant.")
    if _overlaps(option, participant.id, visit.id):
        raise Conflict("That group overlaps another visit of this participant.")
    db.session.execute(
        delete(VisitPlace).where(
            VisitPlace.visit_id == visit.id, VisitPlace.participant_id == participant.id
        )
    )
    db.session.add(
        VisitPlace(
            visit_id=visit.id, option_id=option.id, participant_id=participant.id, locked=True
        )
    )
    db.session.execute(
        delete(VisitWaitlist).where(
            VisitWaitlist.participant_id == participant.id,
            VisitWaitlist.option_id.in_([o.id for o in visit.options]),
        )
    )
    db.session.flush()


def allocation_counts(event: Event) -> dict[str, int]:
    """For the organiser: people who wished a visit and got their first choice, only a
    lower choice, or nothing."""
    wishes = db.session.execute(
        select(VisitWish.participant_id, VisitWish.visit_id, VisitWish.rank)
        .join(Visit, Visit.id == VisitWish.visit_id)
        .where(Visit.event_id == event.id)
    ).all()
    places = {
        (p, v)
        for p, v in db.session.execute(
            select(VisitPlace.participant_id, VisitPlace.visit_id)
            .join(Visit, Visit.id == VisitPlace.visit_id)
            .where(Visit.event_id == event.id)
        )
    }
    best: dict[int, int | None] = defaultdict(lambda: None)
    first: dict[int, tuple[int, int]] = {}
    for pid, vid, rank in wishes:
        if pid not in first or rank < first[pid][1]:
            first[pid] = (vid, rank)
        if (pid, vid) in places and (best[pid] is None or rank < best[pid]):
            best[pid] = rank
    counts = {"first": 0, "second": 0, "lower": 0, "none": 0}
    for pid, (vid, _) in first.items():
        if (pid, vid) in places:
            counts["first"] += 1
        elif best[pid] is None:
            counts["none"] += 1
        elif best[pid] == 2:
            counts["second"] += 1
        else:
            counts["lower"] += 1
    return counts


def visit_blocked(event: Event, slots) -> dict[int, set[datetime]]:
    """Participant id -> UTC slot starts their places in visits take (travel included):
    a meeting moved by hand is not offered there."""
    out: dict[int, set[datetime]] = defaultdict(set)
    places = db.session.scalars(
        select(VisitPlace)
        .join(Visit, Visit.id == VisitPlace.visit_id)
        .where(Visit.event_id == event.id)
    )
    for place in places:
        a, b = span(place.option)
        out[place.participant_id] |= {
            s.starts_at for s in slots if s.starts_at < b and a < s.ends_at
        }
    return out
