"""The organiser's visit pages: create visits and groups, see the allocation (counts of
first / second / no choice, waitlists), fix a participant into a group by hand."""

from __future__ import annotations

from datetime import date, datetime, time

from flask import flash, redirect, request, url_for
from sqlalchemy import select

from ..access import role_required
from ..errors import DomainError, Invalid, NotFound
from ..events.loaders import organised_event_or_404
from ..events.services import local_to_utc
from ..extensions import db
from ..participants.models import Participant
from ..templating import to_zone
from ..web import get_or_404, render
from . import bp, services
from .models import VisitOption, VisitPlace, VisitWaitlist, VisitWish
from .visibility import allocation_shown, publish_places


def _page(event, status: int = 200, error: str = ""):
    visits = services.event_visits(event)
    ids = [v.id for v in visits]
    places = db.session.scalars(select(VisitPlace).where(VisitPlace.visit_id.in_(ids))).all()
    option_ids = [o.id for v in visits for o in v.options]
    waiting = db.session.scalars(
        select(VisitWaitlist)
        .where(VisitWaitlist.option_id.in_(option_ids))
        .order_by(VisitWaitlist.option_id, VisitWaitlist.position)
    ).all()
    wishes = db.session.scalars(select(VisitWish).where(VisitWish.visit_id.in_(ids))).all()
    people = {
        p.id: p
        for p in db.session.scalars(select(Participant).where(Participant.event_id == event.id))
    }
    by_option: dict[int, list] = {}
    for p in places:
        by_option.setdefault(p.option_id, []).append(p)
    waitlist: dict[int, list] = {}
    for w in waiting:
        waitlist.setdefault(w.option_id, []).append(w)
    wish_count: dict[int, int] = {}
    for wish in wishes:
        wish_count[wish.visit_id] = wish_count.get(wish.visit_id, 0) + 1
    return render(
        "visits/manage.html",
        status=status,
        event=event,
        visits=visits,
        by_option=by_option,
        waitlist=waitlist,
        wish_count=wish_count,
        people=people,
        counts=services.allocation_counts(event),
        shown=allocation_shown(event, visits),
        error=error,
    )


def _done(event, action):
    try:
        action()
    except DomainError as error:
        db.session.rollback()
        return _page(event, error.status, error.message)
    db.session.commit()
    return redirect(url_for("visits.manage", slug=event.slug))


def _day_time(prefix: str) -> tuple[date, time]:
    try:
        day = date.fromisoformat(request.form.get(f"{prefix}_day", ""))
        at = time.fromisoformat(request.form.get(f"{prefix}_time", ""))
    except ValueError:
        raise Invalid("Give the group's day and times.") from None
    return day, at


def _int(name: str, default: int) -> int:
    try:
        return int(request.form.get(name) or default)
    except ValueError:
        raise Invalid(f"{name.replace('_', ' ')} must be a whole number.") from None


@bp.route("/events/<slug>/organiser/visits")
@role_required("organiser")
def manage(slug: str):
    return _page(organised_event_or_404(slug))


@bp.post("/events/<slug>/organiser/visits/publish")
@role_required("organiser")
def publish(slug: str):
    event = organised_event_or_404(slug)
    told: list[int] = []
    answer = _done(event, lambda: told.append(publish_places(event, services.event_visits(event))))
    if told:  # the page looked the same before and after: say what happened
        n = told[0]
        flash(
            f"Visit places published: {n} participant{'' if n == 1 else 's'} told of a new place.",
            "success",
        )
    return answer


def _visit_fields(event) -> dict:
    """The visit form: its text fields, who may apply and the deadline (local time)."""
    fields: dict = {k: request.form.get(k, "") for k in services.VISIT_FIELDS}
    fields["eligibility"] = request.form.get("eligibility") or "all"
    raw = (request.form.get("wishes_until") or "").strip()
    fields["wishes_until"] = None
    if raw:
        try:
            at = datetime.fromisoformat(raw)
        except ValueError:
            raise Invalid(
                "The deadline is a day and a time, e.g. 2027-03-01 18:00.", field="wishes_until"
            ) from None
        fields["wishes_until"] = local_to_utc(event, at.date(), at.time())
    return fields


@bp.route("/events/<slug>/organiser/visits", methods=["POST"])
@role_required("organiser")
def create(slug: str):
    event = organised_event_or_404(slug)
    return _done(event, lambda: services.create_visit(event, **_visit_fields(event)))


def _edit_page(event, visit, status: int = 200, error: str = "", field: str | None = None):
    deadline = to_zone(visit.wishes_until, event.timezone)
    return render(
        "visits/edit.html",
        status=status,
        event=event,
        visit=visit,
        error=error,
        field=field,
        deadline_value=deadline.strftime("%Y-%m-%dT%H:%M") if deadline else "",
    )


@bp.route("/events/<slug>/organiser/visits/<int:visit_id>/edit")
@role_required("organiser")
def edit(slug: str, visit_id: int):
    event = organised_event_or_404(slug)
    return _edit_page(event, services.visit_of(event, visit_id))


@bp.route("/events/<slug>/organiser/visits/<int:visit_id>/edit", methods=["POST"])
@role_required("organiser")
def update(slug: str, visit_id: int):
    event = organised_event_or_404(slug)
    visit = services.visit_of(event, visit_id)
    try:
        services.update_visit(visit, **_visit_fields(event))
    except DomainError as error:
        db.session.rollback()
        return _edit_page(event, visit, error.status, error.message, error.field)
    db.session.commit()
    return redirect(url_for("visits.manage", slug=event.slug) + f"#visit-{visit.id}")


@bp.route("/events/<slug>/organiser/visits/<int:visit_id>/delete")
@role_required("organiser")
def confirm_delete(slug: str, visit_id: int):
    event = organised_event_or_404(slug)
    visit = services.visit_of(event, visit_id)
    given = db.session.scalars(select(VisitPlace).where(VisitPlace.visit_id == visit.id)).all()
    return render("visits/delete.html", event=event, visit=visit, given=len(given))


@bp.route("/events/<slug>/organiser/visits/<int:visit_id>/delete", methods=["POST"])
@role_required("organiser")
def delete(slug: str, visit_id: int):
    event = organised_event_or_404(slug)
    visit = services.visit_of(event, visit_id)
    return _done(event, lambda: services.delete_visit(event, visit))


@bp.post("/events/<slug>/organiser/visits/<int:visit_id>/options/<int:option_id>")
@role_required("organiser")
def update_option(slug: str, visit_id: int, option_id: int):
    event = organised_event_or_404(slug)
    visit = services.visit_of(event, visit_id)
    option = get_or_404(VisitOption, option_id)
    if option.visit_id != visit.id:
        raise NotFound("No such group.")
    label = request.form.get("label", "")
    places = option.places
    return _done(event, lambda: services.update_option(option, _int("places", places), label))


@bp.route("/events/<slug>/organiser/visits/<int:visit_id>/options", methods=["POST"])
@role_required("organiser")
def add_option(slug: str, visit_id: int):
    event = organised_event_or_404(slug)
    visit = services.visit_of(event, visit_id)

    def action():
        day, start = _day_time("start")
        end = time.fromisoformat(request.form.get("end_time") or "00:00")
        services.add_option(
            visit,
            local_to_utc(event, day, start),
            local_to_utc(event, day, end),
            _int("places", 15),
            _int("travel_before", 0),
            _int("travel_after", 0),
            request.form.get("label", ""),
        )

    return _done(event, action)


@bp.route("/events/<slug>/organiser/visits/<int:visit_id>/fix", methods=["POST"])
@role_required("organiser")
def fix(slug: str, visit_id: int):
    event = organised_event_or_404(slug)
    visit = services.visit_of(event, visit_id)

    def action():
        option = get_or_404(VisitOption, _int("option_id", 0))
        participant = get_or_404(Participant, _int("participant_id", 0))
        services.fix_place(event, visit, option, participant)

    return _done(event, action)


@bp.route(
    "/events/<slug>/organiser/visits/<int:visit_id>/places/<int:participant_id>/cancel",
    methods=["POST"],
)
@role_required("organiser")
def cancel(slug: str, visit_id: int, participant_id: int):
    event = organised_event_or_404(slug)
    visit = services.visit_of(event, visit_id)
    participant = get_or_404(Participant, participant_id)
    return _done(event, lambda: services.cancel_place(event, participant, visit))
