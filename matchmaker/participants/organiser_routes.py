"""Organisers' views of an event's participants: approve, limit, add, import, export."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user

from ..access import role_required
from ..events.loaders import organised_event_or_404
from ..extensions import db
from ..web import act, counts_changed, csv_response, render, submit, wants_fragment
from . import bp, import_jobs, imports, invitations, organiser, services
from .forms import AddParticipantForm, ImportForm


@bp.get("/events/<slug>/organiser/participants")
@role_required("organiser")
def organiser_list(slug: str):
    return _organiser_page(organised_event_or_404(slug))


def _organiser_page(event, status: int = 200, **forms):
    status_filter = request.args.get("status", "")
    return render(
        "participants/organiser_list.html",
        event=event,
        rows=organiser.participant_rows(event, status_filter),
        totals=organiser.status_totals(event),
        status_filter=status_filter,
        add_form=forms.get("add_form") or AddParticipantForm(formdata=None),
        import_form=forms.get("import_form") or ImportForm(formdata=None),
        import_errors=forms.get("import_errors", []),
        import_job_id=request.args.get("import_job", ""),
        import_job=import_jobs.job_state(event, request.args.get("import_job", "")),
        status=status,
    )


@bp.get("/events/<slug>/organiser/participants/totals")
@role_required("organiser")
def organiser_totals(slug: str):
    """The totals by status alone: they fetch themselves again when counts change."""
    event = organised_event_or_404(slug)
    return render(
        "participants/_totals.html",
        event=event,
        totals=organiser.status_totals(event),
        status_filter=request.args.get("status", ""),
    )


@bp.post("/events/<slug>/organiser/participants/add")
@role_required("organiser")
def organiser_add(slug: str):
    """Register one company representative (approved at once; invited if there is an
    e-mail address)."""
    event = organised_event_or_404(slug)
    form = AddParticipantForm()
    result = submit(
        form,
        lambda: imports.add_participant(
            event,
            current_user,
            organisation=form.org_name.data,
            country=form.country.data,
            name=form.name.data,
            email=form.email.data or "",
            role=form.role_title.data or "",
            kind=form.kind.data,
        ),
    )
    if result.saved:
        invited = " and invited by e-mail" if result.value.email else ""
        flash(f"{result.value.label} is registered{invited}.", "success")
        return redirect(url_for("participants.organiser_list", slug=slug), 303)
    return _organiser_page(event, result.status, add_form=form)


@bp.post("/events/<slug>/organiser/participants/import")
@role_required("organiser")
def organiser_import(slug: str):
    """Register everyone in a CSV file, or nobody (each refused line is listed)."""
    event = organised_event_or_404(slug)
    form = ImportForm()
    result = submit(form, lambda: _import_or_queue(event, form.csv_file.data.read()))
    if not result.saved:
        refusal = result.refusal
        lines = refusal.lines if isinstance(refusal, imports.ImportRefused) else []
        return _organiser_page(event, result.status, import_form=form, import_errors=lines)
    if isinstance(result.value, str):  # a large file: the worker imports it
        return redirect(
            url_for("participants.organiser_list", slug=slug, import_job=result.value), 303
        )
    added = result.value
    flash(f"{len(added)} participant{'s' if len(added) != 1 else ''} imported.", "success")
    return redirect(url_for("participants.organiser_list", slug=slug), 303)


def _import_or_queue(event, data: bytes):
    """Import a small file now; queue a large one (its job id). An unreadable file is
    refused at once either way."""
    total = len(imports.read_rows(data))
    if total > import_jobs.LARGE_IMPORT_ROWS:
        return import_jobs.start_import(event, current_user, data, total)
    return imports.import_csv(event, current_user, data)


@bp.get("/events/<slug>/organiser/participants/import/<job_id>")
@role_required("organiser")
def organiser_import_status(slug: str, job_id: str):
    """The progress of a large import (htmx polls it; 286 stops the polling)."""
    event = organised_event_or_404(slug)
    job = import_jobs.job_state(event, job_id)
    if job is None:
        abort(404)
    if not wants_fragment():
        return redirect(url_for("participants.organiser_list", slug=slug, import_job=job_id))
    response = render("participants/_import_progress.html", event=event, job=job, job_id=job_id)
    if job["state"] not in ("queued", "checking"):
        response.status_code = 286  # finished: htmx stops polling
        if job["state"] == "done":
            response.headers["HX-Refresh"] = "true"  # the list below has the new people
    return response


@bp.get("/events/<slug>/organiser/participants.csv")
@role_required("organiser")
def organiser_export(slug: str):
    event = organised_event_or_404(slug)
    header, rows = organiser.participant_list_rows(event)
    return csv_response(f"{event.slug}-participants.csv", header, rows)


@bp.post("/events/<slug>/organiser/participants/<int:participant_id>/status")
@role_required("organiser")
def organiser_set_status(slug: str, participant_id: int):
    event = organised_event_or_404(slug)
    participant = services.participant_in_event(event, participant_id)
    services.set_participant_status(participant, request.form.get("status", ""))
    db.session.commit()
    if not wants_fragment():
        return redirect(url_for("participants.organiser_list", slug=slug))
    row = organiser.participant_rows(event, participant_ids=[participant.id])[0]
    return counts_changed(render("participants/_organiser_row.html", event=event, row=row))


@bp.post("/events/<slug>/organiser/participants/<int:participant_id>/invite")
@role_required("organiser")
def organiser_invite(slug: str, participant_id: int):
    """Send (again) the invitation to take the place; refusals stay in the row."""
    event = organised_event_or_404(slug)
    participant = services.participant_in_event(event, participant_id)
    sent = act(
        lambda: invitations.invite(participant), done=f"Invitation sent to {participant.email}."
    )
    if not wants_fragment():
        if sent.message:
            flash(sent.message, "error")
        return redirect(url_for("participants.organiser_list", slug=slug), 303)
    row = organiser.participant_rows(event, participant_ids=[participant.id])[0]
    return render(
        "participants/_organiser_row.html",
        event=event,
        row=row,
        invite_error=sent.message,
        invite_sent=sent.saved,
        status=sent.status,
    )


@bp.post("/events/<slug>/organiser/participants/<int:participant_id>/limit")
@role_required("organiser")
def organiser_set_limit(slug: str, participant_id: int):
    """Set one participant's meeting limit (blank: the event's); refusals stay in the row."""
    event = organised_event_or_404(slug)
    participant = services.participant_in_event(event, participant_id)
    raw = request.form.get("limit", "")
    limited = act(lambda: services.set_meeting_limit(participant, raw))
    if not wants_fragment():
        if limited.message:
            flash(limited.message, "error")
        return redirect(url_for("participants.organiser_list", slug=slug), 303)
    row = organiser.participant_rows(event, participant_ids=[participant.id])[0]
    return render(
        "participants/_organiser_row.html",
        event=event,
        row=row,
        limit_error=limited.message,
        limit_typed=None if limited.saved else raw,
        status=limited.status,
    )
