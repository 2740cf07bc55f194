from flask import abort, flash, redirect, request, url_for
from flask_login import current_user

from ..access import public, role_required, user_required
from ..extensions import db
from ..participants.services import participant_for
from ..web import counts_changed, render, submit, wants_fragment
from . import bp, services, states
from .forms import EventForm, ProgrammeForm, SessionForm, StatusForm, TablesForm
from .loaders import organised_event_or_404, visible_event_or_404
from .models import ProgrammeItem
from .stats import event_stats


@bp.get("/")
@public
def home():
    return render("events/home.html", lists=services.home_lists(current_user))


@bp.get("/events/<slug>")
@public
def show(slug: str):
    event = visible_event_or_404(slug)
    slots = services.event_slots(event)
    participant = participant_for(event, current_user)
    return render(
        "events/show.html",
        event=event,
        days=services.slots_by_day(slots),
        is_organiser=event.is_organised_by(current_user),
        participant=participant,
        attending=services.attended_item_ids(event, participant),
    )


@bp.post("/events/<slug>/programme/<int:item_id>/attendance")
@user_required
def programme_attendance(slug: str, item_id: int):
    """An approved participant signs up for (or withdraws from) an opt-in item."""
    event = visible_event_or_404(slug)
    item = db.session.get(ProgrammeItem, item_id)
    participant = participant_for(event, current_user)
    if item is None or item.event_id != event.id or participant is None:
        abort(404)
    services.set_programme_attendance(item, participant, request.form.get("attend") == "yes")
    db.session.commit()
    if not wants_fragment():
        return redirect(url_for("events.show", slug=slug) + f"#programme-item-{item.id}")
    return render(
        "events/_programme_item.html",
        event=event,
        item=item,
        participant=participant,
        attending=services.attended_item_ids(event, participant),
    )


@bp.get("/organiser")
@role_required("organiser")
def organiser_index():
    return render("events/organiser_index.html", events=services.organised_by(current_user))


@bp.route("/events/new", methods=["GET", "POST"])
@role_required("organiser")
def create():
    form = EventForm()
    result = submit(form, lambda: services.create_event(current_user, **form.to_data()))
    if result.saved:
        flash("Event created. Now add its meeting sessions and tables.", "success")
        return redirect(url_for("events.manage", slug=result.value.slug))
    return render("events/form.html", form=form, event=None, status=result.status)


@bp.route("/events/<slug>/edit", methods=["GET", "POST"])
@role_required("organiser")
def edit(slug: str):
    event = organised_event_or_404(slug)
    form = EventForm()
    result = submit(form, lambda: services.update_event(event, **form.to_data()))
    if result.saved:
        flash("Event saved.", "success")
        return redirect(url_for("events.manage", slug=event.slug))
    if not form.is_submitted():
        form.fill_from(event)
    return render("events/form.html", form=form, event=event, status=result.status)


def _manage_context(event, **forms):
    return {
        "event": event,
        "session_form": forms.get("session_form") or SessionForm(formdata=None),
        "tables_form": forms.get("tables_form") or TablesForm(formdata=None),
        "programme_form": forms.get("programme_form") or ProgrammeForm(formdata=None),
        "status_form": StatusForm(formdata=None, status=event.status),
        "state_label": states.label(event),
        "state_explanation": states.explanation(event),
        "days": services.slots_by_day(services.event_slots(event)),
        "stats": event_stats(event),
    }


@bp.get("/events/<slug>/manage")
@role_required("organiser")
def manage(slug: str):
    event = organised_event_or_404(slug)
    return render("events/manage.html", **_manage_context(event))


@bp.get("/events/<slug>/manage/stats")
@role_required("organiser")
def stats(slug: str):
    """The "At a glance" card alone: it fetches itself again when counts change."""
    event = organised_event_or_404(slug)
    return render("events/_stats.html", event=event, stats=event_stats(event))


@bp.post("/events/<slug>/sessions")
@role_required("organiser")
def add_session(slug: str):
    event = organised_event_or_404(slug)
    form = SessionForm()
    result = submit(
        form,
        lambda: services.add_session(
            event,
            day=form.day.data,
            start_time=form.start_time.data,
            end_time=form.end_time.data,
            slot_minutes=form.slot_minutes.data,
            pause_minutes=form.pause_minutes.data or 0,
            name=form.name.data or "",
        ),
    )
    return counts_changed(
        render(
            "events/manage.html",
            "events/_sessions.html",
            status=result.status,
            **_manage_context(event, session_form=None if result.saved else form),
        )
    )


@bp.post("/events/<slug>/sessions/<int:session_id>/delete")
@role_required("organiser")
def delete_session(slug: str, session_id: int):
    event = organised_event_or_404(slug)
    services.delete_session(event, session_id)
    db.session.commit()
    return counts_changed(
        render("events/manage.html", "events/_sessions.html", **_manage_context(event))
    )


@bp.post("/events/<slug>/tables")
@role_required("organiser")
def add_tables(slug: str):
    event = organised_event_or_404(slug)
    form = TablesForm()
    result = submit(
        form,
        lambda: services.add_tables(
            event, form.count.data, form.prefix.data or "Table", form.capacity_note.data or ""
        ),
    )
    return counts_changed(
        render(
            "events/manage.html",
            "events/_tables.html",
            status=result.status,
            **_manage_context(event, tables_form=None if result.saved else form),
        )
    )


@bp.post("/events/<slug>/tables/<int:table_id>/delete")
@role_required("organiser")
def delete_table(slug: str, table_id: int):
    event = organised_event_or_404(slug)
    services.delete_table(event, table_id)
    db.session.commit()
    return counts_changed(
        render("events/manage.html", "events/_tables.html", **_manage_context(event))
    )


@bp.post("/events/<slug>/programme")
@role_required("organiser")
def add_programme_item(slug: str):
    event = organised_event_or_404(slug)
    form = ProgrammeForm()
    result = submit(
        form,
        lambda: services.add_programme_item(
            event,
            title=form.title.data,
            day=form.day.data,
            start_time=form.start_time.data,
            end_time=form.end_time.data,
            place=form.place.data or "",
            description=form.description.data or "",
            attendance=form.attendance.data,
        ),
    )
    return render(
        "events/manage.html",
        "events/_programme.html",
        status=result.status,
        **_manage_context(event, programme_form=None if result.saved else form),
    )


@bp.post("/events/<slug>/programme/<int:item_id>/delete")
@role_required("organiser")
def delete_programme_item(slug: str, item_id: int):
    event = organised_event_or_404(slug)
    services.delete_programme_item(event, item_id)
    db.session.commit()
    return render("events/manage.html", "events/_programme.html", **_manage_context(event))


@bp.post("/events/<slug>/status")
@role_required("organiser")
def change_status(slug: str):
    event = organised_event_or_404(slug)
    form = StatusForm()
    if not form.validate_on_submit():
        return render("events/manage.html", status=422, **_manage_context(event))
    services.set_status(event, form.status.data)
    db.session.commit()
    flash(f"The event is now: {states.label(event).lower()}.", "success")
    return redirect(url_for("events.manage", slug=event.slug))


@bp.get("/events/<slug>/slots")
@public
def slots(slug: str):
    event = visible_event_or_404(slug)
    return render(
        "events/slots.html", event=event, days=services.slots_by_day(services.event_slots(event))
    )
