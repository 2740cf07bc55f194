"""Tie-breaks (``"tie_break": "early" | "spread"``): among the schedules with the fewest
breaks, the one a person expects - without costing a break or a placed meeting."""

from __future__ import annotations

import pytest

from matchmaker.scheduling import ProblemError, check_result, parse_problem, solve
from matchmaker.scheduling import solver as engine

#: A safety net, not a measurement (the runs end once the optimum is proven).
LIMIT = 20


def two_days(tie_break=None) -> dict:
    """Two days of five slots.  Anna has eight meetings: without a break they must run
    through the night (the last slot of a day and the first of the next are adjacent in
    the break count), from the first, second or third slot of the first day; Xavier has
    two more.  Many schedules have no break; only some start each day at its first slot
    with no empty slot before a busy one."""
    slots = [
        {"id": f"{d}-{i}", "session": d, "start": f"2026-05-0{d}T0{8 + i}:00:00+02:00"}
        for d in (5, 6)
        for i in range(1, 6)
    ]
    people = [{"id": p} for p in ("anna", "xavier", "yves", "zoe")]
    people += [{"id": f"p{i}"} for i in range(1, 9)]
    meetings = [{"id": f"a{i}", "participants": ["anna", f"p{i}"]} for i in range(1, 9)]
    meetings += [
        {"id": "xy", "participants": ["xavier", "yves"]},
        {"id": "xz", "participants": ["xavier", "zoe"]},
    ]
    data = {
        "format": "matchmaker.scheduling/1",
        "slots": slots,
        "tables": ["T1", "T2"],
        "participants": people,
        "meetings": meetings,
        "fairness": None,
    }
    if tie_break is not None:
        data["tie_break"] = tie_break
    return data


def run(data):
    problem = parse_problem(data)
    result = solve(problem, time_limit=LIMIT, workers=2)
    assert check_result(problem, result) == []
    return problem, result


def busy_by_day(problem, result) -> dict[str, list[int]]:
    position = {}
    for s in problem.slots:
        day = s.start[:10]
        position[s.id] = (day, sum(1 for t in problem.slots if t.start[:10] == day) - 1)
    per: dict[str, list[int]] = {}
    for s in problem.slots:
        per.setdefault(s.start[:10], [])
    order = {s.id: i for i, s in enumerate(problem.slots)}
    firsts = {}
    for s in problem.slots:
        firsts.setdefault(s.start[:10], order[s.id])
    for a in result.assignments:
        day = position[a.slot][0]
        per[day].append(order[a.slot] - firsts[day])
    return {d: sorted(set(v)) for d, v in per.items()}


def test_early_days_start_with_their_first_slot_and_cost_no_break():
    problem, plain = run(two_days())
    problem, early = run(two_days("early"))
    assert plain.status == early.status == "optimal"
    assert early.breaks == plain.breaks == 0
    assert len(early.assignments) == len(plain.assignments) == 10
    for day, busy in busy_by_day(problem, early).items():
        if busy:
            # The first busy slot is the day's first, and no slot is empty before a busy one.
            assert busy == list(range(len(busy))), (day, busy)
    assert early.tie_break["rule"] == "early"
    assert early.tie_break["idle_slots"] == 0
    assert early.tie_break["idle_slots_bound"] == 0
    # Anna, Xavier, Yves, Zoe and the eight partners: Anna's meetings need both days.
    assert early.tie_break["participant_days"] == 13
    assert "tie_break" in early.to_dict()


def test_spread_evenly_holds_one_meeting_a_slot_when_it_can():
    data = {
        "format": "matchmaker.scheduling/1",
        "slots": [{"id": str(i)} for i in range(6)],
        "tables": ["T1", "T2", "T3"],
        "participants": [{"id": str(i)} for i in range(12)],
        "meetings": [
            {"id": f"m{i}", "participants": [str(2 * i), str(2 * i + 1)]} for i in range(6)
        ],
        "fairness": None,
        "tie_break": "spread",
    }
    problem, result = run(data)
    assert result.status == "optimal" and result.breaks == 0
    assert sorted(a.slot for a in result.assignments) == [str(i) for i in range(6)]
    assert result.tie_break["peak"] == 1
    assert result.tie_break["peak_bound"] == 1


def test_problem_without_tie_break_has_none_in_its_result():
    problem, result = run(two_days())
    assert problem.tie_break is None
    assert result.tie_break is None
    assert "tie_break" not in result.to_dict()
    assert "tie_break" not in problem.to_dict()


def test_tie_break_is_part_of_the_format():
    problem = parse_problem(two_days("spread"))
    assert problem.tie_break == "spread"
    assert parse_problem(problem.to_dict()).tie_break == "spread"
    with pytest.raises(ProblemError, match='"tie_break" must be null, "early" or "spread"'):
        parse_problem(two_days("compact"))


def test_checker_measures_the_tie_break_figures():
    problem, result = run(two_days("early"))
    result.tie_break = {**result.tie_break, "idle_slots": 3}
    assert "reported idle_slots 3, schedule has 0" in check_result(problem, result)
    result.tie_break = None
    assert check_result(problem, result) == ["tie_break early asked, result reports None"]


def test_local_search_polish_never_raises_breaks(monkeypatch):
    """Above ``LOCAL_LIMIT`` the tie-break is a local search that moves one meeting at a
    time only where nobody's breaks rise."""
    problem, plain = run(two_days())
    monkeypatch.setattr(engine, "LOCAL_LIMIT", 0)
    problem, early = run(two_days("early"))
    assert early.breaks <= plain.breaks
    assert len(early.assignments) == 10
    assert early.tie_break["idle_slots"] == 0
