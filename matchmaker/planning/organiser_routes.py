"""The organiser's schedule pages: run the solver and watch it, look at and adjust the
draft, publish it (the participant's agenda is in ``routes``)."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_login import current_user

from ..access import role_required
from ..errors import JOB_QUEUE_ERRORS, JOBS_UNAVAILABLE
from ..events.loaders import organised_event_or_404
from ..extensions import db
from ..participants.services import approved_participants
from ..scheduling import ProblemError, parse_problem
from ..scheduling.capacity import plan
from ..web import act, counts_changed, csv_response, parse_id, render, submit, wants_fragment
from . import board as boards
from . import bp, runs, services
from . import changes as revision_changes
from .chart import chart
from .engine_input import build_problem
from .export import schedule_rows
from .forms import AddMeetingForm, MoveForm, RunForm
from .models import SolverRun

FINISHED = 286  # htmx stops polling on this status


#: Above this many grid cells (slots x tables) the grid opens on its first day; "All days"
#: is one click away. 20 slots x 100 tables render in well under a second.
GRID_CELLS = 2000


def _filters() -> dict:
    values = request.values
    return {
        "participant": parse_id(values.get("participant")),
        "organisation": parse_id(values.get("organisation")),
        "view": "participants" if values.get("view") == "participants" else "grid",
        "day": values.get("day", ""),
        "pick": parse_id(values.get("pick")),
    }


def _kept(filters: dict) -> dict:
    """The filters a link back to the board keeps (not the default view, not a pick)."""
    return {k: v for k, v in filters.items() if v and v != "grid" and k != "pick"}


def _board_context(event) -> dict:
    filters = _filters()
    board = boards.load_board(event)
    days = sorted({s.local_start.date() for s in board.slots})
    if filters["day"] not in {d.isoformat() for d in days} | {"all"}:
        big = len(board.slots) * len(board.tables) > GRID_CELLS
        filters["day"] = days[0].isoformat() if big and days else ""
    grid_slots = [
        s
        for s in board.slots
        if filters["day"] in ("", "all") or s.local_start.date().isoformat() == filters["day"]
    ]
    picked, targets = None, {}
    if filters["pick"]:
        # Moving a meeting on the grid: the cells it may go to (free for both sides, and
        # a free table) become buttons.
        picked = services.meeting_of(event, filters["pick"])
        targets = {
            (slot.starts_at, t.id): slot.key
            for slot, tables in boards.free_targets(event, picked)
            for t in tables
        }
    kept = _kept(filters)
    return {
        "picked": picked,
        "targets": targets,
        "board": board,
        "days": days,
        "grid_slots": grid_slots,
        "quality": boards.quality(board),
        "filters": filters,
        "shown": board.matching(filters["participant"], filters["organisation"]),
        "board_filters": kept,
        "board_url": url_for("schedules.show", slug=event.slug, **kept),
    }


def _run_context(event, run: SolverRun | None, form: RunForm | None = None) -> dict:
    return {"event": event, "run": run, "chart": chart(run), "run_form": form or RunForm()}


@bp.get("/events/<slug>/schedule")
@role_required("organiser")
def show(slug: str):
    event = organised_event_or_404(slug)
    runs.expire_stale_runs(event)
    db.session.commit()
    return render(
        "schedules/show.html",
        "schedules/_board.html",
        **_publication_context(event),
        **_run_context(event, runs.latest_run(event)),
        **_board_context(event),
    )


@bp.get("/events/<slug>/schedule/publication")
@role_required("organiser")
def publication(slug: str):
    """The "Publish" card alone: it fetches itself again when counts change."""
    event = organised_event_or_404(slug)
    return render("schedules/_publish.html", event=event, **_publication_context(event))


def _publication_context(event) -> dict:
    revisions = services.revisions(event)
    pending = services.draft_changes(event)
    told = revision_changes.per_participant(event, pending) if revisions and pending else {}
    labels = {p.id: p.label for p in approved_participants(event)} if told else {}
    return {
        "revisions": revisions,
        "publishers": services.publishers(revisions),
        "pending": pending,
        "pending_summary": revision_changes.summary(event, pending) if revisions else "",
        "pending_people": sorted(
            ((labels.get(pid, f"Participant {pid}"), lines) for pid, lines in told.items()),
            key=lambda item: item[0],
        ),
    }


#: Seconds the capacity answer may take (the manage page fetches it after loading).
CAPACITY_SECONDS = 4.0


@bp.get("/events/<slug>/schedule/capacity")
@role_required("organiser")
def capacity(slug: str):
    """ "Will it fit, and how many tables do I need?" (``scheduling.capacity``)."""
    event = organised_event_or_404(slug)
    try:
        problem = parse_problem(build_problem(event))
    except ProblemError:  # no slots or no tables yet: nothing to plan with
        missing = "Add meeting sessions and tables first: then this says whether it fits."
        return render("schedules/_capacity.html", event=event, cap=None, missing=missing)
    answer = plan(problem, time_limit=CAPACITY_SECONDS)
    return render("schedules/_capacity.html", event=event, cap=answer)


@bp.get("/events/<slug>/schedule.csv")
@role_required("organiser")
def export(slug: str):
    """The current schedule (the draft organisers work on) for a spreadsheet."""
    event = organised_event_or_404(slug)
    header, rows = schedule_rows(event)
    return csv_response(f"{event.slug}-schedule.csv", header, rows)


@bp.post("/events/<slug>/schedule/runs")
@role_required("organiser")
def start_run(slug: str):
    from .tasks import run_solver

    event = organised_event_or_404(slug)
    form = RunForm()
    if not form.validate_on_submit():
        return render(
            "schedules/run_page.html",
            "schedules/_run.html",
            status=422,
            **_run_context(event, runs.latest_run(event), form),
        )
    # The run's id, read before the commit: reading it after would begin a transaction
    # that stays open while the job runs (inline in tests' immediate mode).
    started = submit(form, lambda: runs.start_run(event, current_user, form.time_limit.data).id)
    if not started.saved:
        return render(
            "schedules/run_page.html",
            "schedules/_run.html",
            status=started.status,
            **_run_context(event, runs.latest_run(event), form),
        )
    run_id = started.value
    try:
        run_solver(run_id)  # the worker's job; runs inline only in HUEY_IMMEDIATE mode
    except JOB_QUEUE_ERRORS:
        # The queue is down: the run never starts (a 503 page says so) and does not
        # hold the event's one place for a run.
        runs.not_started(run_id, JOBS_UNAVAILABLE)
        db.session.commit()
        raise
    run = db.session.get_one(SolverRun, run_id)
    if wants_fragment():
        return render("schedules/run_page.html", "schedules/_run.html", **_run_context(event, run))
    flash("The solver is running.", "success")
    return redirect(url_for("schedules.show", slug=event.slug))


@bp.get("/events/<slug>/schedule/runs/<int:run_id>")
@role_required("organiser")
def run_status(slug: str, run_id: int):
    event = organised_event_or_404(slug)
    run = runs.run_of(event, run_id)
    was_active = run.status in ("queued", "running")
    if runs.is_stale(run):
        runs.expire_stale_runs(event)
        db.session.commit()
    response = render("schedules/run_page.html", "schedules/_run.html", **_run_context(event, run))
    if wants_fragment() and run.status not in ("queued", "running"):
        response.status_code = FINISHED
        if was_active or request.args.get("polling"):
            response.headers["HX-Trigger"] = "schedule-updated"
            counts_changed(response)  # the draft is new: what publishing would change too
    return response


@bp.post("/events/<slug>/schedule/runs/<int:run_id>/cancel")
@role_required("organiser")
def cancel_run(slug: str, run_id: int):
    event = organised_event_or_404(slug)
    run = runs.run_of(event, run_id)
    runs.cancel_run(run)
    db.session.commit()
    if wants_fragment():
        return render("schedules/run_page.html", "schedules/_run.html", **_run_context(event, run))
    flash("The run will stop in a moment.", "info")
    return redirect(url_for("schedules.show", slug=event.slug))


def _back_to_board(event, moved=None):
    filters = _kept(_filters())
    if wants_fragment():
        context = _board_context(event)
        context.update(picked=None, targets={})
        return render(
            "schedules/show.html",
            "schedules/_board.html",
            headers={"HX-Trigger": "counts-changed"} if moved else None,
            event=event,
            moved=moved,
            **context,
        )
    return redirect(url_for("schedules.show", slug=event.slug, **filters))


@bp.post("/events/<slug>/schedule/meetings/<int:meeting_id>/lock")
@role_required("organiser")
def lock(slug: str, meeting_id: int):
    event = organised_event_or_404(slug)
    meeting = services.meeting_of(event, meeting_id)
    services.set_locked(
        meeting, request.form.get("locked") == "1", request.form.get("version", type=int)
    )
    db.session.commit()
    return _locked_cell(event, meeting) if wants_fragment() else _back_to_board(event)


def _locked_cell(event, meeting):
    """The meeting's cell and the quality card (out of band), not the whole board: at
    10,000 meetings the board is megabytes of HTML for one changed cell."""
    filters = _filters()
    board = boards.load_board(event)
    return render(
        "schedules/_locked.html",
        event=event,
        m=meeting,
        quality=boards.quality(board),
        shown=board.matching(filters["participant"], filters["organisation"]),
        picked=None,
        board_filters=_kept(filters),
    )


@bp.post("/events/<slug>/schedule/meetings/<int:meeting_id>/place")
@role_required("organiser")
def place(slug: str, meeting_id: int):
    """Move a meeting to the grid cell clicked (``target``: ``<slot key>@<table id>``).
    The server checks the place again: 409 with the reason when it is taken meanwhile.
    A meeting moved by hand is locked, so that a re-run keeps it there."""
    event = organised_event_or_404(slug)
    meeting = services.meeting_of(event, meeting_id)

    def move_there():
        slot_key, table_id = services.parse_target(request.form.get("target", ""))
        version = request.form.get("version", type=int)
        services.move_meeting(event, meeting, slot_key, table_id, version)

    moved = act(move_there, done="Meeting moved and locked.")
    if moved.refusal:
        return render(
            "schedules/show.html",
            "schedules/_board.html",
            status=moved.status,
            move_error=moved.message,
            **_publication_context(event),
            **_run_context(event, runs.latest_run(event)),
            **_board_context(event),
        )
    return _back_to_board(event, moved=meeting)


def _move_choices(event, meeting) -> list:
    return [
        (f"{slot.key}@{t.id}", f"{slot.local_start:%a %d %b %H:%M} · {t.name}")
        for slot, tables in boards.free_targets(event, meeting)
        for t in tables
    ]


@bp.route("/events/<slug>/schedule/meetings/<int:meeting_id>/move", methods=["GET", "POST"])
@role_required("organiser")
def move(slug: str, meeting_id: int):
    event = organised_event_or_404(slug)
    meeting = services.meeting_of(event, meeting_id)
    form = MoveForm()

    def move_there():
        slot_key, table_id = services.parse_target(form.target.data)
        services.move_meeting(event, meeting, slot_key, table_id, form.version.data)

    moved = submit(form, move_there)
    if moved.saved:
        flash("Meeting moved.", "success")
        target = url_for("schedules.show", slug=event.slug)
        if wants_fragment():  # a redirect would be followed inside the XHR
            return "", 200, {"HX-Redirect": target}
        return redirect(target)
    if moved.refusal:
        meeting = services.meeting_of(event, meeting_id)
    status = moved.status
    if status == 200 or form.version.data is None:
        form.version.data = meeting.version
    form.target.choices = _move_choices(event, meeting)
    return render(
        "schedules/move.html",
        "schedules/_move.html",
        status=status,
        event=event,
        meeting=meeting,
        slot=boards.slot_at(event, meeting.slot_start),
        form=form,
    )


@bp.route("/events/<slug>/schedule/meetings/new", methods=["GET", "POST"])
@role_required("organiser")
def add_meeting(slug: str):
    event = organised_event_or_404(slug)
    form = AddMeetingForm()
    people = approved_participants(event)
    choices = [(0, "— choose —")] + [(p.id, p.label) for p in people]
    form.first.choices = form.second.choices = choices
    result = submit(
        form, lambda: services.add_meeting(event, form.first.data, form.second.data, current_user)
    )
    if result.saved:
        flash("Meeting added. Choose its slot and table.", "success")
        return redirect(url_for("schedules.move", slug=event.slug, meeting_id=result.value.id))
    return render("schedules/add_meeting.html", status=result.status, event=event, form=form)


@bp.post("/events/<slug>/schedule/publish")
@role_required("organiser")
def publish(slug: str):
    event = organised_event_or_404(slug)
    revision = services.publish(event, current_user)
    db.session.commit()
    n = len(revision.changes)
    flash(
        f"Published revision {revision.number}: {n} change{'' if n == 1 else 's'}; "
        "the participants concerned are notified.",
        "success",
    )
    return redirect(url_for("schedules.show", slug=event.slug))
