"""Threads are read and written by the request's two sides and the event's organisers
(a participant's direct thread: that participant and the organisers); to anyone else
they answer 404, as the request itself does."""

from __future__ import annotations

from flask import abort, request
from flask_login import current_user

from ..access import role_required, user_required
from ..errors import NotFound
from ..events.loaders import organised_event_or_404, visible_event_or_404
from ..meetings import booking
from ..participants.loaders import my_participant
from ..participants.models import Participant
from ..participants.services import participant_for
from ..web import act, counts_changed, get_or_404, render
from . import bp, services


def _page(
    thread: services.Thread, action: str, status: int = 200, error: str | None = "", typed=""
):
    return render(
        "threads/thread.html",
        "threads/_thread.html",
        status=status,
        event=thread.event,
        thread=thread,
        posts=services.posts(thread, current_user),
        action=action,
        error=error,
        typed=typed,
        organiser=thread.event.is_organised_by(current_user),
    )


def _handle(thread: services.Thread):
    if request.method == "GET":
        return _page(thread, request.path)
    body = request.form.get("body", "")
    posted = act(lambda: services.add_post(thread, current_user, body))
    if posted.refusal:
        return _page(thread, request.path, posted.status, posted.message, typed=body)
    return counts_changed(_page(thread, request.path))


@bp.route("/events/<slug>/requests/<int:request_id>/messages", methods=["GET", "POST"])
@user_required
def request_thread(slug: str, request_id: int):
    event = visible_event_or_404(slug)
    if event.is_organised_by(current_user):
        organised_event_or_404(slug)  # the team's rules too (two-factor when required)
        req = booking.request_in_event(event, request_id)
    else:
        me = participant_for(event, current_user)
        if me is None:
            raise NotFound("No such meeting request.")
        req = booking.request_for(me, request_id)
        if request.method == "POST":
            my_participant(event, approved=True)  # only approved participants write
    return _handle(services.Thread(event, request=req))


@bp.route(
    "/events/<slug>/organiser/participants/<int:participant_id>/messages",
    methods=["GET", "POST"],
)
@role_required("organiser")
def organiser_thread(slug: str, participant_id: int):
    event = organised_event_or_404(slug)
    participant = get_or_404(Participant, participant_id)
    if participant.event_id != event.id:
        abort(404)
    return _handle(services.Thread(event, participant=participant))


@bp.route("/events/<slug>/messages", methods=["GET", "POST"])
@user_required
def my_thread(slug: str):
    event = visible_event_or_404(slug)
    return _handle(services.Thread(event, participant=my_participant(event)))
