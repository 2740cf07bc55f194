"""The event day outside the desk: the live board's secret link (no log-in), the page a
check-in code opens, a participant marking their meeting from their agenda, and the
meetings proposed to a participant whose partner is absent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import abort, current_app, flash, redirect, request, url_for
from flask_login import current_user

from ..access import public, user_required
from ..dbtypes import utcnow
from ..events.loaders import visible_event_or_404
from ..events.models import FULL_ORGANISERS
from ..extensions import db
from ..participants.loaders import my_participant
from ..participants.services import participant_for
from ..templating import to_zone
from ..web import render, wants_fragment
from . import attendance, bp, checkin, codes, live, proposals

# A check-in code checks the person in for the event's whole team but its viewers.
DESK_ROLES = (*FULL_ORGANISERS, "desk")

POLL_SECONDS = 15


def _board_clock() -> tuple[datetime, dict]:
    """Now, and what the board's next refresh must send to keep the same clock.

    Only under TESTING, ``now`` (ISO) sets the board's clock and ``at`` (epoch seconds)
    says when it was set, so the clock runs on from there; ``poll`` shortens the refresh.
    """
    real = utcnow()
    args = request.args
    if not current_app.config.get("TESTING") or not args.get("now"):
        return real, {}
    try:
        start = datetime.fromisoformat(args["now"])
        at = float(args.get("at") or real.timestamp())
    except ValueError:
        abort(400)
    start = start if start.tzinfo else start.replace(tzinfo=UTC)
    now = start + (real - datetime.fromtimestamp(at, UTC))
    keep = {"now": args["now"], "at": f"{at:.3f}", "poll": args.get("poll", "")}
    return now, keep


def _board(token: str, page: bool):
    event = live.event_of_token(token)
    if event is None:
        abort(404)
    now, keep = _board_clock()
    poll = POLL_SECONDS
    if keep.get("poll", "").isdigit():
        poll = max(1, int(keep["poll"]))
    return render(
        "desk/board.html" if page else "desk/_live.html",
        event=event,
        board=live.live(event, now),
        local_now=to_zone(now, event.timezone),
        refresh_url=url_for("desk.board_live", token=token, **{k: v for k, v in keep.items() if v}),
        poll=poll,
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )


@bp.get("/board/<token>")
@public
def board(token: str):
    return _board(token, page=True)


@bp.get("/board/<token>/live")
@public
def board_live(token: str):
    return _board(token, page=False)


@bp.get("/c/<token>")
@public
def code(token: str):
    """What a check-in code opens: for the event's organisers, a button that checks the
    person in; for anyone else, only a note to show the code at the desk."""
    participant = codes.participant_of_token(token)
    if participant is None:
        abort(404)
    event = participant.event
    organiser = event.is_organised_by(current_user, allow=DESK_ROLES)
    return render(
        "desk/code.html",
        event=event,
        participant=participant if organiser else None,
        token=token,
        headers={"Referrer-Policy": "no-referrer"},
    )


@bp.post("/c/<token>")
@user_required
def code_check_in(token: str):
    participant = codes.participant_of_token(token)
    if participant is None or not participant.event.is_organised_by(current_user, DESK_ROLES):
        abort(404)
    event = participant.event
    day = checkin.pick_day(event)
    checkin.check_in(event, participant, day, current_user, method="qr")
    db.session.commit()
    return redirect(url_for("desk.checkin_page", slug=event.slug, q=participant.name), 303)


@bp.post("/events/<slug>/agenda/meetings/<int:meeting_id>/report")
@user_required
def report(slug: str, meeting_id: int):
    event = visible_event_or_404(slug)
    participant = participant_for(event, current_user, approved=True)
    if participant is None:
        abort(404)
    attendance.report(event, participant, meeting_id, request.form.get("outcome", ""), current_user)
    db.session.commit()
    if not wants_fragment():
        return redirect(url_for("schedules.agenda", slug=slug), 303)
    cell = attendance.cell(event, meeting_id)
    return render(
        "desk/_report.html",
        event=event,
        participant=participant,
        mid=meeting_id,
        att=cell.attendance,
        started=True,
        partner_missing=False,
    )


@bp.get("/events/<slug>/proposals")
@user_required
def my_proposals(slug: str):
    """The meetings the organisers propose to me after a partner's absence."""
    event = visible_event_or_404(slug)
    me = my_participant(event)
    return render("desk/proposals.html", event=event, me=me, proposals=proposals.proposals_of(me))


ANSWERED = {
    # The proposal itself then says the request is sent and what happens next.
    "accept": "Accepted.",
    "decline": "Proposal declined.",
}


@bp.post("/events/<slug>/proposals/<int:proposal_id>/<any(accept,decline):action>")
@user_required
def answer_proposal(slug: str, proposal_id: int, action: str):
    event = visible_event_or_404(slug)
    me = my_participant(event, approved=True)
    proposal = proposals.proposal_for(me, proposal_id)
    if action == "accept":
        proposals.accept_proposal(proposal, current_user)
    else:
        proposals.decline_proposal(proposal)
    db.session.commit()
    if not wants_fragment():
        flash(ANSWERED[action], "success")
        return redirect(url_for("desk.my_proposals", slug=slug), 303)
    return render("desk/_proposal.html", event=event, proposal=proposal, note=ANSWERED[action])


@bp.app_context_processor
def _event_day_helpers():
    """For the participant's agenda (schedules/agenda.html): their check-in code and,
    per meeting, what was reported and whether the partner has checked in today."""

    def agenda_day(event, participant, days) -> dict:
        ids = [e.meeting_id for d in days for e in d.entries if e.meeting_id]
        others = {
            e.meeting_id: [o.id for o in e.others] for d in days for e in d.entries if e.meeting_id
        }
        sides = {mid: [participant.id, *o] for mid, o in others.items()}
        now = utcnow()
        today = to_zone(now, event.timezone).date()
        here = checkin.checked_in_ids(event, today) if ids else set()
        # Flagged after the organiser's "late after" time, else from an hour before.
        late = checkin.is_late(event, now) if ids else False
        starts = {e.meeting_id: e.starts_at for d in days for e in d.entries if e.meeting_id}
        return {
            "marks": attendance.attendance_of(ids, sides),
            "started": {mid: s <= now for mid, s in starts.items()},
            "partner_missing": {
                mid: to_zone(starts[mid], event.timezone).date() == today
                and (late or starts[mid] <= now + timedelta(hours=1))
                and not any(o in here for o in others[mid])
                for mid in ids
            },
            "qr": codes.qr_svg(codes.checkin_url(participant), "Your check-in code"),
            "proposals": proposals.offered_count(participant),
        }

    return {"event_day_agenda": agenda_day}
