"""Thin views of the participant's side: my meetings, asking for a meeting, answering
(organisers acting for others are in ``organiser_routes``)."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_login import current_user

from ..access import user_required
from ..errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from ..events.loaders import visible_event_or_404
from ..extensions import db
from ..participants.loaders import my_participant, visible_participant
from ..web import act, counts_changed, render, submit, wants_fragment
from . import booking, bp, poll
from .contexts import my_meetings_context, request_box_context
from .forms import ReasonForm, RequestForm


@bp.get("/events/<slug>/meetings")
@user_required
def mine(slug: str):
    event = visible_event_or_404(slug)
    me = my_participant(event)
    return render(
        "meetings/mine.html",
        "meetings/_my_meetings.html",
        **my_meetings_context(
            event, me, request.args.get("show", "all"), request.args.get("page", 1, type=int)
        ),
    )


@bp.get("/events/<slug>/meetings/counts")
@user_required
def counts(slug: str):
    show = request.args.get("show", "")
    # Most polls find nothing new: answered from data versions, without rendering.
    etag = poll.etag_for(slug, current_user.id, show)
    if (not_modified := poll.revalidate(etag)) is not None:
        return not_modified
    event = visible_event_or_404(slug)
    me = my_participant(event)
    response = render(
        "meetings/_limit.html" if show == "limit" else "meetings/_counts.html",
        event=event,
        counts=booking.counts_for(me),
        show=show,
    )
    return poll.tag(response, etag)


@bp.post("/events/<slug>/participants/<int:participant_id>/request")
@user_required
def ask(slug: str, participant_id: int):
    event = visible_event_or_404(slug)
    me = my_participant(event, approved=True)
    other = visible_participant(event, participant_id)
    form = RequestForm()
    sent = submit(
        form,
        lambda: booking.request_meeting(
            me, other, form.message.data or "", created_by=current_user
        ),
    )
    if not wants_fragment():
        if sent.saved:
            flash(f"Your request to {other.label} is sent.", "success")
            return redirect(url_for("participants.show", slug=slug, participant_id=other.id))
        raise sent.refusal or _error(sent.status, "; ".join(form.message.errors))
    return render(
        "meetings/_request_box.html",
        status=sent.status,
        headers=sent.refusal.headers if sent.refusal else None,  # a 429's Retry-After
        event=event,
        **request_box_context(
            event, me, other, request_form=None if sent.saved else form, box_error=sent.message
        ),
    )


def _error(status: int, message: str) -> DomainError:
    """The domain error for ``status``, to show a non-htmx client the usual error page."""
    kind = {403: Forbidden, 404: NotFound, 409: Conflict}.get(status, Invalid)
    return kind(message)


ACTIONS = {
    "accept": lambda req, me, reason: booking.accept_request(req, acting_for=me),
    "decline": lambda req, me, reason: booking.decline_request(req, acting_for=me, reason=reason),
    "withdraw": lambda req, me, reason: booking.withdraw_request(req, acting_for=me),
    "cancel": lambda req, me, reason: booking.cancel_accepted(req, acting_for=me, reason=reason),
}
DONE = {
    "accept": "Meeting accepted. The organisers will schedule it.",
    "decline": "Request declined.",
    "withdraw": "Request withdrawn.",
    "cancel": "Meeting cancelled.",
}


@bp.post("/events/<slug>/requests/<int:request_id>/<any(accept,decline,withdraw,cancel):action>")
@user_required
def answer(slug: str, request_id: int, action: str):
    event = visible_event_or_404(slug)
    # Only approved participants act on requests (a rejected one has none open anyway).
    me = my_participant(event, approved=True)
    req = booking.request_for(me, request_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        raise _error(422, f"The reason is limited to {booking.MESSAGE_LIMIT} characters.")
    outcome = act(lambda: ACTIONS[action](req, me, form.reason.data or ""), done=DONE[action])
    if not wants_fragment():
        if outcome.refusal:
            raise outcome.refusal
        return redirect(request.referrer or url_for("meetings.mine", slug=slug))
    if outcome.refusal:
        db.session.refresh(req)
        return render(
            "meetings/_request.html",
            status=outcome.status,
            event=event,
            me=me,
            req=req,
            row_error=outcome.message,
            reason_form=form,
        )
    response = render(
        "meetings/_request.html",
        event=event,
        me=me,
        req=req,
        row_note=DONE[action],
        reason_form=ReasonForm(formdata=None),
    )
    # Counts and badges elsewhere on the page refresh themselves; "meetings-changed"
    # tells app.js that the next change of the list is this person's own.
    response.headers["HX-Trigger"] = "meetings-changed"
    return counts_changed(response)
