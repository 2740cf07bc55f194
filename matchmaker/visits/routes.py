"""The participant's visit page: rank the visits they want (until the deadline), see
their place or their position on a waitlist, give a place up."""

from __future__ import annotations

from flask import redirect, request, url_for
from sqlalchemy import select

from ..access import user_required
from ..dbtypes import utcnow
from ..errors import DomainError, Invalid
from ..events.loaders import visible_event_or_404
from ..extensions import db
from ..participants.loaders import my_participant
from ..web import render
from . import bp, services
from .models import VisitWaitlist
from .visibility import allocation_shown, visible_places


def _page(event, me, status: int = 200, error: str = "", field: str | None = None):
    visits = [v for v in services.event_visits(event) if v.options]
    wishes = {w.visit_id: w for w in services.wishes_of(me)}
    # Before the schedule is published the allocation is a draft: no places, no waitlist.
    places = {p.visit_id: p for p in visible_places(event, me)}
    waiting = {
        w.option_id: w.position
        for w in db.session.scalars(
            select(VisitWaitlist).where(VisitWaitlist.participant_id == me.id)
        )
        if allocation_shown(event, visits)
    }
    return render(
        "visits/mine.html",
        status=status,
        event=event,
        me=me,
        visits=visits,
        wishes=wishes,
        places=places,
        waiting=waiting,
        may_apply={v.id: services.may_apply(v, me) for v in visits},
        hosting={v.id for v in visits if services.hosted_by(v, me)},
        error=error,
        field=field,
        now=utcnow(),
    )


@bp.route("/events/<slug>/visits/mine")
@user_required
def mine(slug: str):
    event = visible_event_or_404(slug)
    return _page(event, my_participant(event))


def _ranked(event) -> list[tuple[int, int | None]]:
    """The form: ``rank_<visit id>`` (1, 2, ... or empty) and ``option_<visit id>``."""
    chosen = []
    for visit in services.event_visits(event):
        raw = request.form.get(f"rank_{visit.id}", "").strip()
        if not raw:
            continue
        try:
            rank = int(raw)
        except ValueError:
            raise Invalid(
                f"{visit.title}: the rank is a number (1 for the first choice)."
            ) from None
        option = request.form.get(f"option_{visit.id}") or ""
        chosen.append((rank, visit.id, int(option) if option.isdigit() else None))
    chosen.sort()
    return [(vid, oid) for _, vid, oid in chosen]


@bp.route("/events/<slug>/visits/mine", methods=["POST"])
@user_required
def save(slug: str):
    event = visible_event_or_404(slug)
    me = my_participant(event, approved=True)
    try:
        services.set_wishes(event, me, _ranked(event))
    except DomainError as error:
        db.session.rollback()
        return _page(event, me, error.status, error.message, error.field)
    db.session.commit()
    return redirect(url_for("visits.mine", slug=event.slug))


@bp.route("/events/<slug>/visits/<int:visit_id>/cancel", methods=["POST"])
@user_required
def give_up(slug: str, visit_id: int):
    event = visible_event_or_404(slug)
    me = my_participant(event, approved=True)
    visit = services.visit_of(event, visit_id)
    try:
        services.cancel_place(event, me, visit)
    except DomainError as error:
        db.session.rollback()
        return _page(event, me, error.status, error.message)
    db.session.commit()
    return redirect(url_for("visits.mine", slug=event.slug))
