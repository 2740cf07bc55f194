"""Thin views: registration, profile, marketplace, directory, availability, organiser list."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_login import current_user

from ..access import user_required
from ..errors import Invalid
from ..events.loaders import visible_event_or_404
from ..events.services import event_slots, slots_by_day
from ..extensions import db
from ..privacy import consent
from ..web import Submitted, act, parse_id, render, submit, wants_fragment
from . import bp, directory, opportunities, services
from .forms import OpportunityForm, ProfileForm, RegistrationForm
from .loaders import directory_viewer, my_participant, visible_participant
from .organisation_routes import card_context
from .recommend import suggestions_for
from .tags import unpack_tags


@bp.route("/events/<slug>/register", methods=["GET", "POST"])
@user_required
def register(slug: str):
    event = visible_event_or_404(slug)
    existing = services.participant_for(event, current_user)
    if existing is not None:
        return redirect(url_for("participants.profile", slug=slug))
    form = RegistrationForm()
    if request.method == "GET":
        form.name.data = form.name.data or current_user.name
        form.org_query.data = request.args.get("org_query", "")
    result = submit(form, lambda: _register(event, form))
    if result.saved:
        flash(_REGISTERED_APPROVAL if event.requires_approval else _REGISTERED, "success")
        return redirect(url_for("participants.profile", slug=slug))
    return render(
        "participants/register.html",
        event=event,
        form=form,
        problem=services.registration_problem(event),
        matches=services.search_organisations(form.org_query.data or "", current_user),
        what_others_see=consent.WHAT_OTHERS_SEE,
        status=result.status,
    )


_REGISTERED = "You are registered. Now describe what you offer and what you seek."
_REGISTERED_APPROVAL = (
    "Thank you: the organisers will review your registration. "
    "Meanwhile, describe what you offer and what you seek."
)


def _register(event, form: RegistrationForm):
    """The current user's place, with their organisation (picked or new) and consent."""
    participant = services.register_participant(
        event,
        current_user,
        organisation_id=form.picked_organisation_id(),
        new_organisation=form.new_organisation(),
        name=form.name.data,
        role_title=form.role_title.data or "",
    )
    return consent.record(participant, **form.consent())


@bp.get("/events/<slug>/organisations")
@user_required
def organisation_choices(slug: str):
    event = visible_event_or_404(slug)
    form = RegistrationForm(formdata=None, org_query=request.args.get("org_query", ""))
    return render(
        "participants/register.html",
        "participants/_organisation_choices.html",
        event=event,
        form=form,
        problem=None,
        matches=services.search_organisations(request.args.get("org_query", ""), current_user),
        what_others_see=consent.WHAT_OTHERS_SEE,
    )


def _profile_context(event, participant, **forms):
    return {
        "event": event,
        "participant": participant,
        "form": forms.get("form") or ProfileForm(formdata=None, obj=participant),
        "opportunity_form": forms.get("opportunity_form") or OpportunityForm(formdata=None),
        "saved": forms.get("saved", False),
        "editing": forms.get("editing"),
        "edit_form": forms.get("edit_form"),
        "updated": forms.get("updated"),
    }


@bp.route("/events/<slug>/profile", methods=["GET", "POST"])
@user_required
def profile(slug: str):
    event = visible_event_or_404(slug)
    participant = my_participant(event)
    form = ProfileForm() if request.method == "POST" else None
    result = (
        submit(
            form,
            lambda: services.update_profile(
                participant,
                name=form.name.data,
                role_title=form.role_title.data or "",
                bio=form.bio.data or "",
                languages=form.languages.data or "",
            ),
        )
        if form is not None
        else Submitted(False, 200)
    )
    status, saved = result.status, result.saved
    return render(
        "participants/profile.html",
        "participants/_profile_form.html",
        status=status,
        **_profile_context(event, participant, form=form, saved=saved),
    )


def _opportunity_fields(form: OpportunityForm) -> dict[str, str]:
    return {
        "kind": form.kind.data,
        "title": form.title.data,
        "description": form.description.data or "",
        "tags": form.tags.data or "",
        "target_countries": form.target_countries.data or "",
    }


def _opportunities_response(event, participant, status: int = 200, **context):
    db.session.refresh(participant)
    return render(
        "participants/profile.html",
        "participants/_opportunities.html",
        status=status,
        **_profile_context(event, participant, **context),
    )


@bp.post("/events/<slug>/opportunities")
@user_required
def add_opportunity(slug: str):
    event = visible_event_or_404(slug)
    participant = my_participant(event)
    form = OpportunityForm()
    result = submit(
        form, lambda: opportunities.add_opportunity(participant, **_opportunity_fields(form))
    )
    return _opportunities_response(
        event, participant, result.status, opportunity_form=None if result.saved else form
    )


@bp.get("/events/<slug>/opportunities")
@user_required
def opportunity_list(slug: str):
    """The list as saved: what "Cancel" on an opportunity being edited goes back to."""
    event = visible_event_or_404(slug)
    return _opportunities_response(event, my_participant(event))


@bp.get("/events/<slug>/opportunities/<int:opportunity_id>/edit")
@user_required
def edit_opportunity(slug: str, opportunity_id: int):
    """The opportunity's form in place of its entry (the rest of the list stays)."""
    event = visible_event_or_404(slug)
    participant = my_participant(event)
    opportunity = opportunities.own_opportunity(participant, opportunity_id)
    form = OpportunityForm(formdata=None, obj=opportunity, prefix="edit")
    form.tags.data = ", ".join(unpack_tags(opportunity.tags))
    return _opportunities_response(event, participant, editing=opportunity.id, edit_form=form)


@bp.post("/events/<slug>/opportunities/<int:opportunity_id>")
@user_required
def update_opportunity(slug: str, opportunity_id: int):
    event = visible_event_or_404(slug)
    participant = my_participant(event)
    opportunities.own_opportunity(participant, opportunity_id)
    form = OpportunityForm(prefix="edit")
    result = submit(
        form,
        lambda: opportunities.update_opportunity(
            participant, opportunity_id, **_opportunity_fields(form)
        ),
    )
    if result.saved:
        return _opportunities_response(event, participant, updated=opportunity_id)
    return _opportunities_response(
        event, participant, result.status, editing=opportunity_id, edit_form=form
    )


@bp.post("/events/<slug>/opportunities/<int:opportunity_id>/delete")
@user_required
def delete_opportunity(slug: str, opportunity_id: int):
    event = visible_event_or_404(slug)
    participant = my_participant(event)
    opportunities.delete_opportunity(participant, opportunity_id)
    db.session.commit()
    return _opportunities_response(event, participant)


@bp.get("/events/<slug>/directory")
@user_required
def directory_page(slug: str):
    event = visible_event_or_404(slug)
    viewer = directory_viewer(event)
    filters = directory.DirectoryFilters.from_args(request.args)
    results = directory.search_directory(event, filters, viewer.participant)
    response = render(
        "participants/directory.html",
        "participants/_directory_results.html",
        event=event,
        viewer=viewer,
        results=results,
        choices=directory.filter_choices(event),
        **card_context(event, viewer.participant if viewer.approved else None, results.items),
    )
    # The address bar shows the search without its empty filters.
    response.headers["HX-Push-Url"] = url_for(
        "participants.directory_page", slug=slug, **filters.as_args()
    )
    return response


@bp.get("/events/<slug>/suggestions")
@user_required
def suggestions(slug: str):
    event = visible_event_or_404(slug)
    me = my_participant(event, approved=True)
    cards = suggestions_for(me, limit=15)
    return render(
        "participants/suggestions.html", event=event, cards=cards, **card_context(event, me, cards)
    )


@bp.get("/events/<slug>/participants/<int:participant_id>")
@user_required
def show(slug: str, participant_id: int):
    event = visible_event_or_404(slug)
    viewer = directory_viewer(event)
    other = visible_participant(event, participant_id)
    from ..meetings.contexts import request_box_context

    return render(
        "participants/show.html",
        event=event,
        viewer=viewer,
        other=other,
        favourite=viewer.participant is not None
        and services.is_favourite(viewer.participant, other),
        **request_box_context(event, viewer.participant, other),
    )


@bp.post("/events/<slug>/participants/<int:participant_id>/favourite")
@user_required
def favourite(slug: str, participant_id: int):
    event = visible_event_or_404(slug)
    me = my_participant(event, approved=True)
    other = visible_participant(event, participant_id)
    on = services.set_favourite(me, other, request.form.get("on") == "1")
    db.session.commit()
    if wants_fragment():
        return render("participants/_favourite.html", event=event, other=other, favourite=on)
    return redirect(url_for("participants.show", slug=slug, participant_id=other.id))


# --- availability ---------------------------------------------------------------------------


def _availability_context(event, participant):
    return {
        "event": event,
        "participant": participant,
        "days": slots_by_day(event_slots(event)),
        "unavailable": services.unavailable_starts(participant),
    }


@bp.route("/events/<slug>/availability", methods=["GET", "POST"])
@user_required
def availability(slug: str):
    event = visible_event_or_404(slug)
    participant = my_participant(event)
    if request.method == "POST":
        services.set_unavailability(participant, request.form.getlist("unavailable"))
        db.session.commit()
        flash("Your availability is saved.", "success")
        return redirect(url_for("participants.availability", slug=slug))
    return render("participants/availability.html", **_availability_context(event, participant))


@bp.post("/events/<slug>/availability/<slot_key>")
@user_required
def toggle_slot(slug: str, slot_key: str):
    event = visible_event_or_404(slug)
    participant = my_participant(event)
    # The whole availability form comes along: the ticked boxes are the unavailable slots.
    unavailable = services.toggle_unavailability(
        participant, slot_key, slot_key in request.form.getlist("unavailable")
    )
    db.session.commit()
    slot = next(s for s in event_slots(event) if s.key == slot_key)
    return render(
        "participants/_availability_slot.html",
        event=event,
        slot=slot,
        is_unavailable=unavailable,
    )


@bp.post("/events/<slug>/stand")
@user_required
def set_stand(slug: str):
    event = visible_event_or_404(slug)
    participant = my_participant(event)
    table = request.form.get("fixed_table_id", "").strip()

    def choose():
        if table and parse_id(table) is None:  # "²", a sign, a number no table has
            raise Invalid("Choose one of this event's tables.", "fixed_table_id")
        services.set_fixed_table(participant, parse_id(table))

    outcome = act(choose)
    db.session.refresh(participant)
    return render(
        "participants/availability.html",
        "participants/_stand.html",
        status=outcome.status,
        stand_error=outcome.message,
        **_availability_context(event, participant),
    )
