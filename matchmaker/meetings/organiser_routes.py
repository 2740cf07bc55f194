"""Organisers' meeting pages: a participant's requests, and booking or accepting
meetings on their behalf (the participant's own pages are in ``routes``)."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_login import current_user

from ..access import role_required
from ..events.loaders import organised_event_or_404
from ..extensions import db
from ..participants.services import approved_participants, participant_in_event
from ..web import render, submit
from . import booking, bp
from .forms import OnBehalfForm


def _behalf_context(event, participant, form=None, **extra):
    others = [p for p in approved_participants(event) if p.id != participant.id]
    if form is None:
        form = OnBehalfForm(formdata=None)
    form.other_id.choices = [(p.id, p.label) for p in others]
    return {
        "event": event,
        "participant": participant,
        "requests": booking.requests_of(participant, "all"),
        "counts": booking.counts_for(participant),
        "form": form,
        **extra,
    }


@bp.get("/events/<slug>/organiser/participants/<int:participant_id>")
@role_required("organiser")
def organiser_participant(slug: str, participant_id: int):
    event = organised_event_or_404(slug)
    participant = participant_in_event(event, participant_id)
    return render("meetings/on_behalf.html", **_behalf_context(event, participant))


@bp.post("/events/<slug>/organiser/participants/<int:participant_id>/meetings")
@role_required("organiser")
def organiser_create(slug: str, participant_id: int):
    event = organised_event_or_404(slug)
    participant = participant_in_event(event, participant_id)
    form = OnBehalfForm()
    context = _behalf_context(event, participant, form)

    def create():
        other = participant_in_event(event, form.other_id.data)
        booking.create_on_behalf(
            event, participant, other, organiser=current_user, message=form.message.data or ""
        )
        return other

    result = submit(form, create)
    if result.saved:
        flash(f"Meeting between {participant.label} and {result.value.label} created.", "success")
        return redirect(
            url_for("meetings.organiser_participant", slug=slug, participant_id=participant.id)
        )
    return render("meetings/on_behalf.html", status=result.status, **context)


@bp.post("/events/<slug>/organiser/requests/<int:request_id>/accept")
@role_required("organiser")
def organiser_accept(slug: str, request_id: int):
    event = organised_event_or_404(slug)
    req = booking.request_in_event(event, request_id)
    booking.accept_request(req, acting_for=req.recipient, by_user=current_user)
    db.session.commit()
    flash(f"Accepted on behalf of {req.recipient.label}.", "success")
    return redirect(
        url_for("meetings.organiser_participant", slug=slug, participant_id=req.recipient_id)
    )
