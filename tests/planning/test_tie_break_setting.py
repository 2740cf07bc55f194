"""The event's tie-break setting reaches the engine's problem."""

from __future__ import annotations

from matchmaker.planning.engine_input import build_problem
from matchmaker.scheduling import parse_problem


def test_the_event_form_chooses_the_tie_break_and_the_problem_carries_it(
    client, db, auth, scheduled_event
):
    s = scheduled_event()
    event = s.event
    assert event.schedule_tie_break == "early"
    assert parse_problem(build_problem(event)).tie_break == "early"
    auth.login(s.organiser)
    form = client.get(f"/events/{event.slug}/edit").get_data(as_text=True)
    assert 'name="schedule_tie_break"' in form
    assert "Spread evenly: about the same number of meetings in every slot" in form
    response = client.post(
        f"/events/{event.slug}/edit",
        data={
            "name": event.name,
            "slug": event.slug,
            "timezone": event.timezone,
            "description": "",
            "venue": event.venue,
            "schedule_tie_break": "spread",
        },
    )
    assert response.status_code == 302
    db.expire_all()
    assert event.schedule_tie_break == "spread"
    problem = parse_problem(build_problem(event))
    assert problem.tie_break == "spread"


def test_an_unknown_tie_break_is_refused_at_the_field(client, db, auth, scheduled_event):
    s = scheduled_event()
    auth.login(s.organiser)
    response = client.post(
        f"/events/{s.event.slug}/edit",
        data={
            "name": s.event.name,
            "slug": s.event.slug,
            "timezone": s.event.timezone,
            "schedule_tie_break": "random",
        },
    )
    assert response.status_code == 422
    db.expire_all()
    assert s.event.schedule_tie_break == "early"


def test_a_run_starts_each_day_with_its_first_slot_and_says_so(
    client, app, db, auth, scheduled_event
):
    from sqlalchemy import select

    from matchmaker.events.services import event_slots
    from matchmaker.meetings.models import Meeting

    s = scheduled_event()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["schedule", "solve", s.event.slug, "--time-limit", "6"])
    assert result.exit_code == 0, result.output
    assert "breaks 0" in result.output
    assert "tie-break: Early and compact: 0 idle slots (proven)" in result.output
    db.expire_all()
    starts = sorted(
        db.scalars(select(Meeting.slot_start).where(Meeting.event_id == s.event.id)).all()
    )
    slots = [slot.starts_at for slot in event_slots(s.event)]
    # No break, so the meetings fill the first slots of the day one after another.
    assert sorted(set(starts)) == slots[: len(set(starts))]
    auth.login(s.organiser)
    page = client.get(f"/events/{s.event.slug}/schedule").get_data(as_text=True)
    assert 'id="run-tie-break"' in page and "Early and compact: 0 idle slots" in page


def test_the_manage_page_fetches_the_capacity_answer(client, db, auth, scheduled_event):
    s = scheduled_event(tables=1)
    auth.login(s.organiser)
    manage = client.get(f"/events/{s.event.slug}/manage").get_data(as_text=True)
    assert f'hx-get="/events/{s.event.slug}/schedule/capacity"' in manage
    answer = client.get(f"/events/{s.event.slug}/schedule/capacity", headers={"HX-Request": "true"})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "<html" not in html
    # 8 meetings, 15 slots, 1 table: it fits, and one table is the fewest (proven).
    assert "8 accepted meetings, 1 table, 15 slots" in html
    tables = html.split('id="capacity-tables"')[1].split("</dd>")[0]
    assert "<strong>1</strong> (proven" in tables
    assert "Every meeting fits in the 15 slots" in html
    assert "None: nobody has more meetings than slots" in html
