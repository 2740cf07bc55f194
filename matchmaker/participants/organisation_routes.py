"""Thin views: an organisation's page, its edit by its people, and requests from its card."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_login import current_user

from ..access import user_required
from ..events.loaders import visible_event_or_404
from ..meetings.booking import booking_problem
from ..web import render, submit, wants_fragment
from . import bp, organisations, services
from .countries import COUNTRIES, country_name
from .directory import organisation_cards
from .loaders import directory_viewer, my_participant, viewer_of
from .organisation_forms import OrganisationForm, OrganisationRequestForm


@bp.app_template_filter("country_name")
def _country_name(code: str) -> str:
    return country_name(code)


def card_context(event, me, cards) -> dict:
    """What an organisation card needs beyond the card: the viewer's request states."""
    return {
        "me": me,
        "favourites": services.favourite_ids(me),
        "request_states": organisations.request_states(me, [c.id for c in cards]),
        "box_problem": booking_problem(event),
    }


def request_form(org, people, submitted: bool = False) -> OrganisationRequestForm:
    """The card's request form; prefixed per organisation, as a page may hold several."""
    prefix = f"org{org.id}"
    form = (
        OrganisationRequestForm(prefix=prefix)
        if submitted
        else OrganisationRequestForm(formdata=None, prefix=prefix)
    )
    return form.for_people(org, people)


def _page(event, org, viewer, **extra):
    mine = viewer.participant is not None and viewer.participant.organisation_id == org.id
    cards = organisation_cards(event.id, [org.id])
    people = organisations.representatives(event.id, org.id, approved=not mine)
    me = viewer.participant if viewer.approved else None
    if "request_form" not in extra:
        extra["request_form"] = request_form(org, [p for p in people if p.status == "approved"])
    return render(
        "participants/organisation.html",
        extra.pop("fragment", None),
        status=extra.pop("status", 200),
        event=event,
        org=org,
        people=people,
        card=cards[0] if cards else None,
        mine=mine,
        can_edit=organisations.may_edit(current_user, org),
        viewer=viewer,
        form=extra.pop("form", None),
        saved=extra.pop("saved", False),
        countries=COUNTRIES,
        request_form=extra.pop("request_form"),
        request_error=extra.pop("request_error", None),
        **card_context(event, me, cards),
        **extra,
    )


@bp.get("/events/<slug>/organisations/<int:organisation_id>")
@user_required
def organisation(slug: str, organisation_id: int):
    event = visible_event_or_404(slug)
    viewer = viewer_of(event)
    own = viewer.participant is not None and viewer.participant.organisation_id == organisation_id
    if not own:  # "My organisation" is open before approval; others' are not
        viewer = directory_viewer(event)
    org = organisations.organisation_in_event(event, organisation_id, viewer.participant)
    return _page(event, org, viewer)


@bp.route("/events/<slug>/organisations/<int:organisation_id>/edit", methods=["GET", "POST"])
@user_required
def edit_organisation(slug: str, organisation_id: int):
    """Its approved representatives and its events' organisers edit the organisation in
    place of its details (htmx), or on the page itself without JavaScript. The details are
    shared by every event, so a pending or rejected registration gets 403 (see
    ``organisations.may_edit``)."""
    event = visible_event_or_404(slug)
    viewer = viewer_of(event)
    org = organisations.organisation_in_event(event, organisation_id, viewer.participant)
    organisations.check_may_edit(current_user, org)
    form = OrganisationForm() if request.method == "POST" else OrganisationForm.of(org)
    result = submit(form, lambda: organisations.update_organisation(org, **form.fields()))
    if result.saved:
        if not wants_fragment():
            flash("The organisation's details are saved.", "success")
            return redirect(url_for("participants.organisation", slug=slug, organisation_id=org.id))
    return _page(
        event,
        org,
        viewer,
        fragment="participants/_organisation_details.html",
        status=result.status,
        form=None if result.saved else form,
        saved=result.saved,
    )


@bp.route("/events/<slug>/organisations/<int:organisation_id>/request", methods=["GET", "POST"])
@user_required
def request_organisation(slug: str, organisation_id: int):
    """The card's "Request a meeting": GET opens the form in place, POST sends it and
    the card then says "Requested"."""
    event = visible_event_or_404(slug)
    me = my_participant(event, approved=True)
    org = organisations.organisation_in_event(event, organisation_id, me)
    people = organisations.representatives(event.id, org.id)
    form = request_form(org, people, submitted=request.method == "POST")
    if request.method != "POST":
        return _request_answer(event, me, org, form)
    result = submit(
        form,
        lambda: organisations.request_organisation(
            me, org, form.representative_id(), form.message.data or "", by=current_user
        ),
    )
    if result.saved and not wants_fragment():
        flash(f"Your request to {org.name} is sent.", "success")
        return redirect(url_for("participants.organisation", slug=slug, organisation_id=org.id))
    error = result.refusal.message if result.refusal else None
    return _request_answer(event, me, org, None if result.saved else form, result.status, error)


def _request_answer(event, me, org, form, status: int = 200, error: str | None = None):
    """The organisation's page (a plain request) or its card (htmx) with the request
    form and its error, or saying "Requested" once sent (``form`` None)."""
    if not wants_fragment():
        return _page(
            event,
            org,
            directory_viewer(event),
            status=status,
            request_form=form,
            request_error=error,
        )
    return render(
        "participants/_org_request.html",
        status=status,
        event=event,
        org=org,
        request_form=form,
        request_error=error,
        **card_context(event, me, organisation_cards(event.id, [org.id])),
    )
