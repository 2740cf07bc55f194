"""Visits allocated together with the meetings: among the allocations that are best for
the visits, the engine takes one that lets every meeting be placed, where fixing the
visits first (and only then placing the meetings) loses meetings."""

from __future__ import annotations

import pytest

from matchmaker.scheduling import check_result, parse_problem, solve
from matchmaker.scheduling.visits import allocate, with_blocked

#: The visit's groups over 5 slots: each takes three, two or one slots; only the one
#: over slots 4-5 leaves slot 3 free, the only slot the partner of each meeting has.
GROUPS = {"late": ("4", "5"), "early": ("1", "3"), "mid": ("2", "4"), "noon": ("3", "5")}


def pairs(order: list[str], copies: int = 4) -> dict:
    """``copies`` pairs (a_i, b_i) with one meeting each; b_i can meet only in slot 3;
    every a_i wants the visit, any group (all groups have room for everybody)."""
    people, meetings, wishes = [], [], []
    for i in range(copies):
        people += [{"id": f"a{i}"}, {"id": f"b{i}", "unavailable": ["1", "2", "4", "5"]}]
        meetings.append({"id": f"m{i}", "participants": [f"a{i}", f"b{i}"], "optional": True})
        wishes.append({"participant": f"a{i}", "visit": "V", "rank": 1})
    options = [
        {"id": g, "start_slot": GROUPS[g][0], "end_slot": GROUPS[g][1], "places": copies}
        for g in order
    ]
    return {
        "slots": [{"id": str(s)} for s in range(1, 6)],
        "tables": [str(t) for t in range(copies)],
        "participants": people,
        "meetings": meetings,
        "fairness": None,
        "visits": [{"id": "V", "options": options}],
        "visit_wishes": wishes,
    }


@pytest.mark.parametrize("order", [list(GROUPS), list(GROUPS)[::-1]])
def test_the_joint_model_places_every_meeting_with_the_same_visit_figures(order):
    problem = parse_problem(pairs(order))
    result = solve(problem, time_limit=10, workers=2)
    assert check_result(problem, result) == []
    assert len(result.assignments) == 4 and not result.unscheduled
    assert {p["option"] for p in result.visits["places"]} == {"late"}
    figures = result.visits["figures"]
    assert (figures["first_choices"], figures["visits"]) == (4, 4)
    assert result.visits["proven"]
    assert result.visits["joint"]["priority"] == 4


def test_fixing_the_visits_first_can_lose_the_meetings():
    """What the joint model is for: a visit-optimal allocation fixed before the meetings
    (here every a_i in the early group, as good for the visits) leaves no meeting room."""
    problem = parse_problem(pairs(list(GROUPS)))
    alloc = allocate(problem, 5, 1)
    alloc.places = [p.__class__(p.participant, p.visit, "early") for p in alloc.places]
    alloc.blocked = {p.participant: {0, 1, 2} for p in alloc.places}
    result = solve(with_blocked(problem, alloc), time_limit=5, workers=1)
    assert len(result.assignments) == 0


def test_the_joint_stage_never_trades_a_visit_for_a_meeting():
    """Visits come first: a meeting is left out rather than a first choice lost."""
    data = pairs(["early"], copies=1)
    problem = parse_problem(data)
    result = solve(problem, time_limit=5, workers=1)
    assert check_result(problem, result) == []
    assert [p["option"] for p in result.visits["places"]] == ["early"]
    assert [u.meeting for u in result.unscheduled] == ["m0"]
