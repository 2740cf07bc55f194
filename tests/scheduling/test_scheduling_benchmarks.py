"""A few B2BSP benchmark instances (``bench/data/b2bsp/``) that solve in about a second,
including infeasible ones (best-known.csv says ``infeasible``).  The full benchmark is
bench/b2bsp.py."""

from __future__ import annotations

import csv
import json
import pathlib

import pytest

from matchmaker.scheduling import check_result, parse_problem, solve

DATA = pathlib.Path(__file__).resolve().parents[2] / "bench" / "data" / "b2bsp"
#: A safety net, not a measurement: each run below ends by itself once it has proven
#: what is asserted (an optimum, infeasibility) or, for the over-full event, once it has
#: shown it; a slow or busy machine only makes it take longer.
LIMIT = 60
INSTANCES = [
    "tic-12.forb0003",  # a participant has more meetings than available slots
    "forum-13crafb.fixed040-Forb",  # a fixed slot outside the meeting's session
    "tic-12.fixed040-Forb",
    "forumt-14.forb0007",
    "forumt-14.original",
    "tic-12crafc.original",
]


def best_known() -> dict[str, str]:
    with open(DATA / "best-known.csv") as fh:
        return {row["instance"]: row["best_known"] for row in csv.DictReader(fh)}


@pytest.mark.parametrize("name", INSTANCES)
def test_benchmark_instance(name):
    problem = parse_problem(json.loads((DATA / f"{name}.json").read_text()))
    result = solve(problem, time_limit=LIMIT, workers=2)
    assert check_result(problem, result) == []
    best = best_known()[name]
    if best == "infeasible":
        assert result.status == "infeasible"
        assert result.explanation and all(result.explanation)
    else:
        assert result.status in ("optimal", "feasible")
        assert result.breaks >= int(best)


def test_full_slots_prove_tic_13crafc_at_once():
    """tic-13crafc: every participant alone fits without a break, yet the optimum is 4;
    the slot-capacity bound proves it (CP-SAT alone left "at most 3" open after 200 s)."""
    problem = parse_problem(json.loads((DATA / "tic-13crafc.original.json").read_text()))
    result = solve(problem, time_limit=LIMIT, workers=2)
    assert int(best_known()["tic-13crafc.original"]) == 4
    assert (result.status, result.breaks, result.bound) == ("optimal", 4, 4)
    assert check_result(problem, result) == []


def test_optional_meetings_that_all_fit_get_the_same_proof():
    """The app marks every meeting optional (an over-full event still gets a schedule).
    When they all fit, each must be placed, and the bounds that count required meetings
    apply: the same tic-13crafc, every meeting optional, is proven at 4 breaks too (it was
    left at 7 breaks with a bound of 0 after 10 s, as the app's runs were)."""
    data = json.loads((DATA / "tic-13crafc.original.json").read_text())
    for meeting in data["meetings"]:
        meeting["optional"] = True
    problem = parse_problem(data)
    result = solve(problem, time_limit=LIMIT, workers=2)
    assert (result.status, result.breaks, result.bound) == ("optimal", 4, 4)
    assert len(result.assignments) == len(problem.meetings)
    assert result.priority == len(problem.meetings)
    assert check_result(problem, result) == []


def test_meetings_of_priority_zero_stay_optional():
    """Only meetings of positive priority become required: two of priority 0 may still
    be left out when that saves breaks (here it does: 3 breaks instead of 4)."""
    data = json.loads((DATA / "tic-13crafc.original.json").read_text())
    for meeting in data["meetings"]:
        meeting["optional"] = True
    data["meetings"][0]["priority"] = data["meetings"][5]["priority"] = 0
    problem = parse_problem(data)
    result = solve(problem, time_limit=LIMIT, workers=2)
    assert result.status == "optimal" and result.breaks == result.bound < 4
    assert result.priority == len(problem.meetings) - 2
    placed = {a.meeting for a in result.assignments}
    positive = {m.id for m in problem.meetings if m.priority > 0}
    assert positive <= placed
    assert check_result(problem, result) == []


def test_over_full_event_keeps_the_bounds_of_everyone_else():
    """tic-13crafc, every meeting optional, and three more meetings for its busiest
    participant (13 for 10 slots): three must be left out, all theirs.  Every other
    meeting is then placed by every schedule of top priority, so it becomes required,
    and the search gets its participants' bounds: a bound above 0 (before: 0, 6 breaks)."""
    data = json.loads((DATA / "tic-13crafc.original.json").read_text())
    count: dict[str, int] = {}
    for meeting in data["meetings"]:
        meeting["optional"] = True
        for p in meeting["participants"]:
            count[p] = count.get(p, 0) + 1
    busiest = max(count, key=lambda p: (count[p], p))
    met = {p for m in data["meetings"] if busiest in m["participants"] for p in m["participants"]}
    partners = [
        p["id"]
        for p in data["participants"]
        if p["id"] not in met and 0 < count.get(p["id"], 0) <= 8
    ]
    for i, partner in enumerate(partners[:3]):
        data["meetings"].append(
            {"id": f"extra{i}", "participants": [busiest, partner], "optional": True}
        )
    assert count[busiest] + 3 == len(data["slots"]) + 3
    problem = parse_problem(data)
    seen = []

    def reached() -> bool:
        """The run has shown a schedule of top priority with a bound above 0: it stops
        there (not proven optimal, it would run to its limit, a safety net here)."""
        return any(
            p.bound is not None and p.bound >= 1 and p.placed == len(problem.meetings) - 3
            for p in seen
        )

    result = solve(
        problem, time_limit=LIMIT, workers=2, on_progress=seen.append, should_stop=reached
    )
    assert len(result.assignments) == result.priority == len(problem.meetings) - 3
    assert all(
        busiest in m.participants
        for m in problem.meetings
        if m.id in {u.meeting for u in result.unscheduled}
    )
    assert result.bound >= 1
    assert check_result(problem, result) == []
