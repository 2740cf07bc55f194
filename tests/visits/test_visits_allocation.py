"""Trade visits in the app: wishes, the run's allocation with the meetings, waitlists,
cancellations and places fixed by hand."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from matchmaker.dbtypes import utcnow
from matchmaker.errors import Invalid
from matchmaker.meetings.models import Meeting
from matchmaker.notifications.models import Notification
from matchmaker.planning import runs
from matchmaker.planning.engine_input import build_problem
from matchmaker.scheduling import check_result, parse_problem
from matchmaker.visits import services
from matchmaker.visits.models import VisitPlace, VisitWaitlist
from tests.planning.conftest import SOLVE_SECONDS


def _run(db, s, seconds=SOLVE_SECONDS):
    run = runs.start_run(s.event, s.organiser, seconds)
    db.flush()
    runs.execute_run(run.id)
    db.expire_all()
    return run


def _places(db, visit):
    return {
        p.participant_id: p.option_id
        for p in db.scalars(select(VisitPlace).where(VisitPlace.visit_id == visit.id))
    }


def test_the_run_allocates_places_and_keeps_meetings_out_of_the_visit(db, visit_event):
    s, visit, g1, g2 = visit_event()
    a, b, c = s.people[0], s.people[1], s.people[2]
    services.set_wishes(s.event, a, [(visit.id, g1.id)])
    services.set_wishes(s.event, b, [(visit.id, None)])
    services.set_wishes(s.event, c, [(visit.id, g1.id)])
    data = build_problem(s.event)
    assert data["visits"][0]["options"][0]["start_slot"]  # group 1 blocks slots
    run = _run(db, s)
    assert run.status == "succeeded", run.error
    assert check_result(parse_problem(data), run.result) == []
    places = _places(db, visit)
    # Two places, two groups: whoever wants group 1 only competes for it; b takes group 2.
    assert places[b.id] == g2.id and len(places) == 2
    loser = a if a.id not in places else c
    waiting = db.scalars(select(VisitWaitlist).where(VisitWaitlist.option_id == g1.id)).all()
    assert [w.participant_id for w in waiting] == [loser.id]
    # No meeting of a visitor in their group's span (travel included).
    for pid, oid in places.items():
        option = g1 if oid == g1.id else g2
        start, end = services.span(option)
        for m in db.scalars(select(Meeting).where(Meeting.event_id == s.event.id)):
            if m.slot_start is not None and pid in {x.participant_id for x in m.attendees}:
                assert not (m.slot_start < end and start < m.slot_end)
    counts = services.allocation_counts(s.event)
    assert counts == {"first": 2, "second": 0, "lower": 0, "none": 1}


def test_a_cancellation_moves_the_first_on_the_waitlist_in_and_tells_them(db, visit_event):
    s, visit, g1, g2 = visit_event()
    a, c = s.people[0], s.people[2]
    services.set_wishes(s.event, a, [(visit.id, g1.id)])
    services.set_wishes(s.event, c, [(visit.id, g1.id)])
    _run(db, s)
    places = _places(db, visit)
    holder = a if a.id in places else c
    waiting = c if holder is a else a
    moved = services.cancel_place(s.event, holder, visit)
    assert moved.id == waiting.id
    assert _places(db, visit) == {waiting.id: g1.id}
    assert db.scalar(
        select(Notification).where(
            Notification.user_id == waiting.user_id, Notification.kind == "visit_place"
        )
    )


def test_a_place_fixed_by_hand_stays_through_a_rerun(db, visit_event):
    s, visit, g1, g2 = visit_event()
    a, c = s.people[0], s.people[2]
    services.set_wishes(s.event, a, [(visit.id, g1.id)])
    services.set_wishes(s.event, c, [(visit.id, g1.id)])
    services.fix_place(s.event, visit, g1, c)
    _run(db, s)
    assert _places(db, visit) == {c.id: g1.id}
    assert db.scalar(select(VisitPlace).where(VisitPlace.participant_id == c.id)).locked


def test_wishes_close_at_the_deadline_and_follow_who_may_apply(db, visit_event):
    s, visit, g1, _ = visit_event()
    visit.wishes_until = utcnow() - timedelta(hours=1)
    with pytest.raises(Invalid, match="closed on") as closed:
        services.set_wishes(s.event, s.people[0], [(visit.id, None)])
    assert closed.value.field == f"rank_{visit.id}"
    visit.wishes_until = None
    visit.eligibility = "country:ZA"  # the fixture's organisations are Finnish
    with pytest.raises(Invalid):
        services.set_wishes(s.event, s.people[0], [(visit.id, None)])
    with pytest.raises(Invalid):
        services.create_visit(s.event, title="Port", eligibility="planet:mars")


def test_a_meeting_moved_by_hand_is_not_offered_during_a_visit(db, visit_event):
    from matchmaker.planning.board import free_targets

    s, visit, g1, _ = visit_event()
    me = s.people[0]
    services.fix_place(s.event, visit, g1, me)
    start, end = services.span(g1)
    mine = next(m for m in s.meetings if me.id in m.participant_ids)
    offered = [slot for slot, _tables in free_targets(s.event, mine)]
    assert offered
    assert not [x for x in offered if x.starts_at < end and start < x.ends_at]


def test_a_run_that_places_visitors_keeps_its_proof_for_the_draft(db, visit_event):
    """The run's places on visits are where the draft has them now, like its meetings'
    slots: saving them does not make a new problem, so the run's proof still holds for
    the draft (the card said "Not proven" after an optimal run on the demo mission)."""
    from matchmaker.planning.board import load_board, proving_run, quality
    from matchmaker.planning.engine_input import current_problem, problem_key

    s, visit, g1, g2 = visit_event()
    for person in s.people[:3]:
        services.set_wishes(s.event, person, [(visit.id, None)])
    # 60 s: a safety net, not a measurement; the run ends once it has proven the optimum
    # (about a second), and a busy machine only makes it take longer.
    run = _run(db, s, seconds=60)
    assert run.status == "succeeded" and run.solver_status == "optimal", run.error
    assert _places(db, visit)  # the run placed visitors: the draft has changed
    assert problem_key(current_problem(s.event)) == run.problem_key
    q = quality(load_board(s.event))
    assert proving_run(s.event, q["placed"], q["total_breaks"]) == run
    assert q["proof"] == run
