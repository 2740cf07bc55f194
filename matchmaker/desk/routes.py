"""The organiser's event day: check-in desk, attendance grid, board link, printed signs
and badges. Every route loads the event as its organiser (others get 404)."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_login import current_user

from ..access import role_required
from ..dbtypes import utcnow
from ..events.loaders import organised_event_or_404
from ..extensions import db
from ..participants.services import approved_participants
from ..templating import to_zone
from ..web import counts_changed, parse_id, render, wants_fragment
from . import attendance, bp, checkin, codes, live, printing, proposals, replan

# The desk scans badges with the device's camera: allowed for this page alone.
CAMERA_POLICY = {"Permissions-Policy": "camera=(self), microphone=(), geolocation=()"}


def _day(event):
    return checkin.pick_day(event, request.values.get("day"))


def _desk_context(event, day, query=""):
    return {
        "event": event,
        "day": day,
        "days": checkin.event_days(event),
        "query": query,
        "rows": checkin.search(event, day, query),
        "counts": checkin.counts(event, day),
        "expected_rule": checkin.EXPECTED_RULE,
        "late_after": checkin.late_after(event),
    }


@bp.get("/events/<slug>/desk")
@role_required("organiser")
def checkin_page(slug: str):
    event = organised_event_or_404(slug)
    query = request.args.get("q", "")
    return render(
        "desk/checkin.html",
        "desk/_results.html",
        headers=CAMERA_POLICY,
        **_desk_context(event, _day(event), query),
    )


@bp.get("/events/<slug>/desk/counts")
@role_required("organiser")
def counts(slug: str):
    event = organised_event_or_404(slug)
    day = _day(event)
    return render("desk/_counts.html", event=event, day=day, counts=checkin.counts(event, day))


def _row_response(event, participant, day, status=200, message=""):
    if not wants_fragment():
        return redirect(
            url_for(
                "desk.checkin_page",
                slug=event.slug,
                day=day.isoformat(),
                q=request.form.get("q", ""),
            ),
            303,
        )
    row = checkin.row_of(event, participant, day)
    response = render(
        "desk/_row.html", event=event, day=day, row=row, message=message, status=status
    )
    return counts_changed(response)


@bp.post("/events/<slug>/desk/participants/<int:participant_id>/checkin")
@role_required("organiser")
def check_in(slug: str, participant_id: int):
    event = organised_event_or_404(slug)
    day = _day(event)
    participant = checkin.approved(event, participant_id)
    done = checkin.check_in(event, participant, day, current_user)
    db.session.commit()
    return _row_response(event, participant, day, message="" if done else "Checked in already.")


@bp.post("/events/<slug>/desk/participants/<int:participant_id>/undo")
@role_required("organiser")
def undo(slug: str, participant_id: int):
    event = organised_event_or_404(slug)
    day = _day(event)
    participant = checkin.approved(event, participant_id)
    checkin.undo_check_in(participant, day)
    db.session.commit()
    return _row_response(event, participant, day)


@bp.post("/events/<slug>/desk/scan")
@role_required("organiser")
def scan(slug: str):
    """A scanned badge: the token (or the whole link the QR code holds) checks one
    participant of this event in."""
    event = organised_event_or_404(slug)
    day = _day(event)
    text = (request.form.get("code") or "").strip()
    participant = codes.participant_of_token(text.rstrip("/").rsplit("/", 1)[-1])
    if participant is None or participant.event_id != event.id or participant.status != "approved":
        return render(
            "desk/_scan_result.html", event=event, day=day, row=None, done=False, status=422
        )
    done = checkin.check_in(event, participant, day, current_user, method="qr")
    db.session.commit()
    row = checkin.row_of(event, participant, day)
    response = render("desk/_scan_result.html", event=event, day=day, row=row, done=done)
    return counts_changed(response)


@bp.get("/events/<slug>/desk/attendance")
@role_required("organiser")
def attendance_page(slug: str):
    event = organised_event_or_404(slug)
    day = _day(event)
    today = day == to_zone(utcnow(), event.timezone).date()
    slots = checkin.event_slots_of_day(event, day)
    whole_day = not today or request.args.get("view") == "day"
    if not whole_day:  # on the day: the slot before the current one and the next three
        now = utcnow()
        current = next((i for i, s in enumerate(slots) if s.ends_at > now), len(slots))
        slots = slots[max(0, current - 1) : current + 4]
    cells = attendance.day_meetings(event, day, slots)
    shown = {p.id for c in cells for p in c.people}
    return render(
        "desk/attendance.html",
        event=event,
        day=day,
        days=checkin.event_days(event),
        whole_day=whole_day,
        slots=slots,
        tables=list(event.tables),
        grid={(c.starts_at, c.table_id): c for c in cells},
        checked=checkin.checked_in_ids(event, day),
        # Who has not come, among the people of the meetings shown: their partners wait.
        missing=[
            r
            for r in checkin.search(event, day, "", limit=None)
            if not r.checked_in_at and r.id in shown
        ],
        absent=replan.absent_on(event, day),
        late=checkin.is_late(event),
        late_after=checkin.late_after(event),
        today=today,
        # "Absent for the rest of the event" says more than "today" only before the last day.
        later_days=today and any(d > day for d in checkin.event_days(event)),
    )


@bp.post("/events/<slug>/desk/meetings/<int:meeting_id>/attendance")
@role_required("organiser")
def mark(slug: str, meeting_id: int):
    event = organised_event_or_404(slug)
    attendance.organiser_mark(event, meeting_id, request.form.get("mark", ""), current_user)
    db.session.commit()
    if not wants_fragment():
        return redirect(
            url_for("desk.attendance_page", slug=slug, day=request.form.get("day")), 303
        )
    return render("desk/_cell.html", event=event, cell=attendance.cell(event, meeting_id))


@bp.get("/events/<slug>/desk/board")
@role_required("organiser")
def board_link(slug: str):
    event = organised_event_or_404(slug)
    board = live.board_of(event)
    db.session.commit()
    return render("desk/board_link.html", event=event, board=board)


@bp.post("/events/<slug>/desk/board")
@role_required("organiser")
def new_board_link(slug: str):
    event = organised_event_or_404(slug)
    live.new_link(event)
    db.session.commit()
    return redirect(url_for("desk.board_link", slug=slug), 303)


@bp.get("/events/<slug>/desk/signs")
@role_required("organiser")
def signs(slug: str):
    event = organised_event_or_404(slug)
    day = _day(event)
    return render(
        "desk/signs.html",
        event=event,
        day=day,
        days=checkin.event_days(event),
        signs=printing.table_signs(event, day),
    )


@bp.get("/events/<slug>/desk/badges")
@role_required("organiser")
def badges(slug: str):
    event = organised_event_or_404(slug)
    only = parse_id(request.args.get("participant"))
    people = [p for p in approved_participants(event) if not only or p.id == only]
    return render("desk/badges.html", event=event, people=people, codes=codes)


REPLAN_SECONDS = 20


@bp.post("/events/<slug>/desk/participants/<int:participant_id>/absent")
@role_required("organiser")
def absent(slug: str, participant_id: int):
    """Absent for the rest of today or of the event (``scope``): cancel what has not
    started, tell the partners, offer them new meetings, and start a re-plan of what has
    not started (the organiser publishes its result)."""
    from ..errors import DomainError
    from ..planning import runs
    from ..planning.tasks import run_solver

    event = organised_event_or_404(slug)
    participant = checkin.approved(event, participant_id)
    scope = request.form.get("scope", "day")
    cancelled, partners = replan.mark_absent(event, participant, current_user, scope=scope)
    replan.publish_cancellations(event, current_user)
    sent = proposals.propose(event, participant, partners, current_user) if partners else []
    run_id, refusal = None, None
    if partners:
        try:
            with db.session.begin_nested():
                run_id = runs.start_run(event, current_user, REPLAN_SECONDS).id
        except DomainError as error:
            refusal = error.message
    db.session.commit()
    if run_id:
        run_solver(run_id)  # the worker's job; inline only in HUEY_IMMEDIATE mode
    rest = "event" if scope == "event" else "day"
    text = f"{participant.label} is absent for the rest of the {rest}: {len(cancelled)} meeting"
    text += "s" if len(cancelled) != 1 else ""
    text += " cancelled and the partners told."
    if partners:
        text += f" {len(sent)} proposal{'' if len(sent) == 1 else 's'} sent to the freed partners."
    if run_id:
        text += " A re-plan of what has not started is running; publish it from the schedule."
    elif refusal:
        text += f" The re-plan could not start: {refusal}"
    flash(text, "success")
    return redirect(url_for("desk.attendance_page", slug=slug), 303)


@bp.post("/events/<slug>/desk/late")
@role_required("organiser")
def set_late(slug: str):
    """The time after which participants not checked in are flagged (and their partners
    see "your partner has not checked in yet")."""
    event = organised_event_or_404(slug)
    at = checkin.set_late_after(event, request.form.get("late_after", ""))
    db.session.commit()
    flash(f"Not checked in after {at:%H:%M} is flagged." if at else "No late flag.", "success")
    return redirect(url_for("desk.checkin_page", slug=slug), 303)
