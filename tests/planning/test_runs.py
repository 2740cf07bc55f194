"""Solver runs: problem built from the database, run through the queue, progress,
one active run per event, failed and killed runs, the command line."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from matchmaker.dbtypes import utcnow
from matchmaker.events.services import add_programme_item, event_slots
from matchmaker.meetings.models import Meeting
from matchmaker.participants.models import Unavailability
from matchmaker.planning import runs
from matchmaker.planning.engine_input import build_problem
from matchmaker.planning.models import SolverRun
from matchmaker.scheduling import parse_problem
from tests.conftest import htmx_headers
from tests.planning.conftest import SOLVE_SECONDS, assert_valid_schedule


def _placements(db, meetings):
    db.expire_all()
    return {
        m.id: (db.get(Meeting, m.id).slot_start, db.get(Meeting, m.id).table_id) for m in meetings
    }


def test_problem_reflects_unavailability_programme_stands_and_locks(db, scheduled_event):
    from datetime import time

    s = scheduled_event()
    slots = event_slots(s.event)
    db.add(Unavailability(participant_id=s.people[0].id, slot_start=slots[2].starts_at))
    item = add_programme_item(
        s.event,
        title="Factory tour",
        day=slots[0].local_start.date(),
        start_time=time(9, 0),
        end_time=time(9, 30),
        attendance="all",
    )
    assert item.id
    s.people[5].fixed_table_id = s.event.tables[3].id
    first = s.meetings[0]
    first.slot_start, first.slot_end, first.table_id = (
        slots[5].starts_at,
        slots[5].ends_at,
        s.event.tables[0].id,
    )
    for a in first.attendees:
        a.slot_start = slots[5].starts_at
    first.locked = True
    db.flush()

    data = build_problem(s.event)
    problem = parse_problem(data)  # the engine accepts it
    by_id = {p["id"]: p for p in data["participants"]}
    p0 = by_id[str(s.people[0].id)]
    # Own unavailability plus the two slots the tour (09:00–09:30) overlaps.
    assert set(p0["unavailable"]) == {slots[0].key, slots[1].key, slots[2].key}
    assert by_id[str(s.people[5].id)]["table"] == str(s.event.tables[3].id)
    assert data["locked"] == [str(first.id)]
    assert {
        "meeting": str(first.id),
        "slot": slots[5].key,
        "table": str(s.event.tables[0].id),
    } in data["previous"]
    assert all(m["optional"] for m in data["meetings"])
    assert len(problem.meetings) == len(s.meetings)


def test_start_run_from_the_page_solves_via_the_queue(client, auth, db, scheduled_event):
    s = scheduled_event()
    auth.login(s.organiser)
    response = client.post(
        f"/events/{s.event.slug}/schedule/runs", data={"time_limit": "4"}, headers=htmx_headers()
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<html" not in html and 'id="solver-run"' in html
    db.expire_all()
    run = db.scalar(select(SolverRun).where(SolverRun.event_id == s.event.id))
    assert run.status == "succeeded", run.error
    assert run.placed == len(s.meetings) and run.total == len(s.meetings)
    assert run.progress and run.result["status"] in ("optimal", "feasible")
    assert_valid_schedule(db, s.event)
    assert all(db.get(Meeting, m.id).slot_start is not None for m in s.meetings)

    # Polling a finished run answers 286 (htmx stops polling) with the final numbers.
    poll = client.get(
        f"/events/{s.event.slug}/schedule/runs/{run.id}?polling=1", headers=htmx_headers()
    )
    assert poll.status_code == 286
    # The draft is new: the grid reloads and every count on the page follows.
    assert poll.headers["HX-Trigger"] == "schedule-updated, counts-changed"
    assert f"{run.placed} of {run.total}" in poll.get_data(as_text=True)


def test_polling_an_active_run_keeps_polling(client, auth, db, scheduled_event):
    s = scheduled_event()
    run = SolverRun(
        event_id=s.event.id,
        status="running",
        heartbeat_at=utcnow(),
        started_at=utcnow(),
        placed=3,
        total=8,
        breaks=4,
        bound=2,
        progress=[[0.5, 6, 0, 3], [1.0, 4, 2, 3]],
    )
    db.add(run)
    db.flush()
    auth.login(s.organiser)
    response = client.get(f"/events/{s.event.slug}/schedule/runs/{run.id}", headers=htmx_headers())
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'hx-trigger="every 1s"' in html and "<polyline" in html
    assert "3 of 8" in html and "Cancel run" in html


def test_second_run_is_refused_while_one_is_active(client, auth, db, scheduled_event):
    s = scheduled_event()
    db.add(
        SolverRun(event_id=s.event.id, status="running", heartbeat_at=utcnow(), started_at=utcnow())
    )
    db.flush()
    auth.login(s.organiser)
    response = client.post(
        f"/events/{s.event.slug}/schedule/runs", data={"time_limit": "4"}, headers=htmx_headers()
    )
    assert response.status_code == 409
    assert "A run is in progress already" in response.get_data(as_text=True)
    db.expire_all()
    assert db.scalar(select(SolverRun).where(SolverRun.event_id == s.event.id)).status == "running"


def test_a_killed_worker_does_not_block_new_runs(client, auth, db, scheduled_event):
    s = scheduled_event()
    dead = SolverRun(
        event_id=s.event.id,
        status="running",
        started_at=utcnow() - timedelta(minutes=5),
        heartbeat_at=utcnow() - timedelta(minutes=4),
    )
    db.add(dead)
    db.flush()
    auth.login(s.organiser)
    page = client.get(f"/events/{s.event.slug}/schedule")
    assert page.status_code == 200 and "stopped responding" in page.get_data(as_text=True)
    response = client.post(f"/events/{s.event.slug}/schedule/runs", data={"time_limit": "4"})
    assert response.status_code == 302
    db.expire_all()
    statuses = [
        r.status
        for r in db.scalars(
            select(SolverRun).where(SolverRun.event_id == s.event.id).order_by(SolverRun.id)
        )
    ]
    assert statuses == ["failed", "succeeded"]


def test_a_failing_run_leaves_the_previous_schedule(db, scheduled_event, monkeypatch):
    s = scheduled_event()
    first = runs.start_run(s.event, s.organiser, SOLVE_SECONDS)
    db.flush()
    runs.execute_run(first.id)
    before = _placements(db, s.meetings)
    assert all(v[0] is not None for v in before.values())

    def broken(*args, **kwargs):
        raise RuntimeError("engine crashed")

    monkeypatch.setattr(runs, "solve", broken)
    second = runs.start_run(s.event, s.organiser, SOLVE_SECONDS)
    db.flush()
    runs.execute_run(second.id)
    db.expire_all()
    second = db.get(SolverRun, second.id)
    assert second.status == "failed" and "engine crashed" in second.error
    assert _placements(db, s.meetings) == before


def test_time_limit_is_checked_at_the_field(client, auth, scheduled_event):
    s = scheduled_event()
    auth.login(s.organiser)
    response = client.post(
        f"/events/{s.event.slug}/schedule/runs", data={"time_limit": "0"}, headers=htmx_headers()
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="time_limit-error"' in html and "Between 1 and 600 seconds" in html


def test_cancel_a_queued_run(client, auth, db, scheduled_event):
    s = scheduled_event()
    run = SolverRun(event_id=s.event.id, status="queued")
    db.add(run)
    db.flush()
    auth.login(s.organiser)
    response = client.post(
        f"/events/{s.event.slug}/schedule/runs/{run.id}/cancel", headers=htmx_headers()
    )
    assert response.status_code == 200 and "<html" not in response.get_data(as_text=True)
    db.expire_all()
    assert db.get(SolverRun, run.id).status == "cancelled"
    again = client.post(
        f"/events/{s.event.slug}/schedule/runs/{run.id}/cancel", headers=htmx_headers()
    )
    assert again.status_code == 409


def test_only_the_events_organisers_reach_the_schedule(client, auth, make_user, scheduled_event):
    s = scheduled_event()
    auth.login(make_user("organiser"))
    assert client.get(f"/events/{s.event.slug}/schedule").status_code == 404
    assert (
        client.post(f"/events/{s.event.slug}/schedule/runs", data={"time_limit": "4"}).status_code
        == 404
    )
    auth.logout()
    auth.login(s.people[0].user)
    assert client.get(f"/events/{s.event.slug}/schedule").status_code == 403


def test_cli_solve_prints_the_summary(app, db, scheduled_event):
    s = scheduled_event()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["schedule", "solve", s.event.slug, "--time-limit", "4"])
    assert result.exit_code == 0, result.output
    assert f"placed {len(s.meetings)} of {len(s.meetings)} meetings" in result.output
    assert_valid_schedule(db, s.event)
    missing = runner.invoke(args=["schedule", "solve", "no-such-event"])
    assert missing.exit_code != 0 and "No such event" in missing.output


def test_a_run_that_finds_nothing_keeps_the_previous_schedule(db, scheduled_event, monkeypatch):
    from matchmaker.scheduling import Result

    s = scheduled_event()
    first = runs.start_run(s.event, s.organiser, SOLVE_SECONDS)
    db.flush()
    runs.execute_run(first.id)
    before = _placements(db, s.meetings)
    monkeypatch.setattr(runs, "solve", lambda *a, **k: Result("unknown", bound=0))
    second = runs.start_run(s.event, s.organiser, SOLVE_SECONDS)
    db.flush()
    second = runs.execute_run(second.id)
    assert second.status == "failed" and "schedule is unchanged" in second.error
    assert _placements(db, s.meetings) == before


def test_progress_shows_the_best_schedule_so_far():
    """The engine's threads report worse solutions too; the organiser sees only gains."""
    from matchmaker.planning.runs import _Solving
    from matchmaker.scheduling import Progress

    solving = _Solving(problem=None, time_limit=1, workers=1)
    for elapsed, breaks, bound, placed in (
        (0.1, 1, None, 5),  # half-built schedules while the greedy start places meetings
        (0.2, 4, None, 71),
        (0.3, 57, None, 71),  # a search thread's first, worse schedule
        (0.4, 3, 0, 71),
        (0.5, 5, None, 71),
        (0.6, 3, 2, 71),
    ):
        solving._progress(Progress(elapsed, breaks, bound, placed, 71))
    assert [p[1:] for p in solving.points] == [
        [1, None, 5],
        [4, None, 71],
        [3, 0, 71],
        [3, 2, 71],
    ]
    assert (solving.latest.breaks, solving.latest.bound) == (3, 2)


def test_chart_draws_complete_schedules_only():
    from matchmaker.planning.chart import chart

    run = SolverRun(progress=[[0.1, 9, None, 5], [0.2, 4, None, 71], [0.4, 3, 1, 71]])
    drawn = chart(run)
    assert drawn["max"] == 4  # the half-built schedule's 9 breaks are not on the scale
    assert len(drawn["breaks"].split()) == 3  # 4 breaks, then a step down to 3


def test_chart_runs_to_the_end_of_the_run():
    """A run that found its best schedule at 4.4 s and ended at 16.5 s: the time axis
    and both lines reach 16.5 s, so the organiser sees the 12 s without a gain."""
    from matchmaker.planning.chart import PAD, WIDTH, chart

    started = utcnow()
    run = SolverRun(
        progress=[[1.1, 4, 0, 71], [4.4, 2, 0, 71]],
        started_at=started,
        heartbeat_at=started + timedelta(seconds=16),
        finished_at=started + timedelta(seconds=16.5),
    )
    drawn = chart(run)
    assert drawn["seconds"] == 16.5
    for line in (drawn["breaks"], drawn["bound"]):
        x, _ = line.split()[-1].split(",")
        assert float(x) == WIDTH - PAD
    assert float(drawn["breaks"].split()[-2].split(",")[0]) < WIDTH / 3  # the 4.4 s step


def test_quality_shows_participants_by_breaks(client, auth, db, scheduled_event):
    from matchmaker.events.services import event_slots
    from matchmaker.meetings.services import place_meeting

    s = scheduled_event()
    slots, table = event_slots(s.event), s.event.tables[0].id
    place_meeting(s.meetings[0], slots[0].starts_at, slots[0].ends_at, table)  # people 0, 1
    place_meeting(s.meetings[1], slots[2].starts_at, slots[2].ends_at, table)  # people 0, 2
    db.flush()
    auth.login(s.organiser)
    html = client.get(f"/events/{s.event.slug}/schedule").get_data(as_text=True)
    counts = html[html.index('id="break-counts"') :]
    assert "<span>0 breaks</span><strong>5 / 6</strong>" in counts  # slot 1 idle for person 0
    assert "<span>1 break</span><strong>1 / 6</strong>" in counts


def test_grid_of_a_big_event_opens_on_its_first_day(client, auth, db, scheduled_event, monkeypatch):
    from datetime import date, time

    from matchmaker.events.services import add_session
    from matchmaker.planning import organiser_routes as routes

    s = scheduled_event()
    add_session(
        s.event,
        day=date(2027, 3, 10),
        start_time=time(9),
        end_time=time(10),
        slot_minutes=20,
        pause_minutes=5,
    )
    db.flush()
    auth.login(s.organiser)
    url = f"/events/{s.event.slug}/schedule"

    def rows(query: str = "") -> set[str]:
        html = client.get(url + query, headers=htmx_headers()).get_data(as_text=True)
        return {day for day in ("Tue 09", "Wed 10") if f'<th scope="row">{day}<br>' in html}

    assert rows() == {"Tue 09", "Wed 10"}  # small: every day at once
    monkeypatch.setattr(routes, "GRID_CELLS", 10)
    assert rows() == {"Tue 09"}  # big: the first day, with a day menu
    assert 'id="filter-day"' in client.get(url).get_data(as_text=True)
    assert rows("?day=2027-03-10") == {"Wed 10"}
    assert rows("?day=all") == {"Tue 09", "Wed 10"}


def _proof_text(client, slug: str) -> str:
    html = client.get(f"/events/{slug}/schedule").get_data(as_text=True)
    start = html.index('id="quality-proof"')
    return " ".join(html[start : html.index("</dd>", start)].split())


def test_a_proof_holds_for_the_same_problem_whichever_run_came_last(
    client, auth, db, scheduled_event
):
    """A run proves the schedule optimal. A later run that proves nothing (a 1-second
    re-run) leaves the same schedule: the card still says proven, by the run that proved
    it. A new meeting is a new problem: then the card says not proven."""
    from matchmaker.meetings.services import create_meeting
    from matchmaker.planning.board import load_board, quality

    s = scheduled_event()
    proving = runs.execute_run(runs.start_run(s.event, s.organiser, SOLVE_SECONDS).id)
    assert proving.solver_status == "optimal" and proving.problem_key
    q = quality(load_board(s.event))
    assert (q["placed"], q["total_breaks"]) == (proving.placed, proving.breaks)
    auth.login(s.organiser)
    assert _proof_text(client, s.event.slug).endswith(f"> Proven optimal by run {proving.id}.")

    # A short re-run that ends unproven, its schedule as good: the problem is the same.
    rerun = runs.execute_run(runs.start_run(s.event, s.organiser, SOLVE_SECONDS).id)
    rerun.solver_status = "feasible"  # as a 1-second run that stopped before its proof
    db.commit()
    text = _proof_text(client, s.event.slug)
    assert f"Proven optimal by run {proving.id}: it proved that no schedule" in text
    assert rerun.problem_key == proving.problem_key

    create_meeting(s.event, [s.people[3], s.people[5]])  # a new meeting: a new problem
    db.commit()
    assert "Not proven" in _proof_text(client, s.event.slug)


def test_the_quality_card_says_why_no_schedule_has_fewer_breaks(client, auth, db, scheduled_event):
    """The first participant is away every other slot of the day: their three meetings
    cannot be back to back, so every schedule gives them two breaks at least.  The card
    says so, naming them and the cause, and the run keeps the words with its result."""
    s = scheduled_event()
    slots = event_slots(s.event)
    away = s.people[0]
    for slot in slots[1::2]:
        db.add(Unavailability(participant_id=away.id, slot_start=slot.starts_at))
    db.commit()
    run = runs.execute_run(runs.start_run(s.event, s.organiser, SOLVE_SECONDS).id)
    # Two breaks are their own floor, and a schedule with two exists: the bound is 2 at
    # any speed (at least the floor, at most the optimum).
    assert (run.bound, run.placed) == (2, len(s.meetings))
    (why,) = run.result["bound_reasons"]
    assert why.startswith(f"{run.bound} breaks because {away.organisation.name}")
    assert "absences" in why
    auth.login(s.organiser)
    text = _proof_text(client, s.event.slug)
    assert f"fewer than {run.bound} breaks" in text or "Why these breaks cannot be avoided" in text
    assert f"<li>{run.bound} breaks because {away.organisation.name}" in text
