"""A short time limit on a mid-sized event (the shape of the web app's demo mission:
~70 optional meetings with priorities, 23 slots in two sessions, 12 tables, organisations
with several representatives, two stands): when the greedy/local-search schedule places
every meeting, the engine returns it as ``feasible`` rather than ``unknown``."""

from __future__ import annotations

import random

import pytest

from matchmaker.scheduling import check_result, parse_problem, solve


def demo_like(seed: int = 7, previous: bool = False) -> dict:
    rng = random.Random(seed)
    slots = [{"id": f"d1-{i:02d}", "session": "1"} for i in range(12)]
    slots += [{"id": f"d2-{i:02d}", "session": "2"} for i in range(11)]
    tables = [f"T{i + 1}" for i in range(12)]
    people = []
    for i in range(41):
        person = {"id": str(i + 1), "organisation": f"org{i // 3}", "unavailable": []}
        if rng.random() < 0.2:
            person["unavailable"] = rng.sample([s["id"] for s in slots], 2)
        people.append(person)
    people[10]["table"] = "T11"
    people[20]["table"] = "T12"
    pairs: set[tuple[str, str]] = set()
    while len(pairs) < 71:
        a, b = rng.sample(range(41), 2)
        if a // 3 != b // 3:
            pairs.add((str(min(a, b) + 1), str(max(a, b) + 1)))
    meetings = [
        {
            "id": str(j + 1),
            "participants": list(pair),
            "optional": True,
            "priority": rng.choice([1, 1, 1, 2, 3]),
        }
        for j, pair in enumerate(sorted(pairs))
    ]
    data = {
        "format": "matchmaker.scheduling/1",
        "slots": slots,
        "tables": tables,
        "participants": people,
        "meetings": meetings,
        "fairness": None,
    }
    if previous:
        # A previous schedule of the first meetings, each in its own slot.
        data["previous"] = [
            {"meeting": m["id"], "slot": slots[k]["id"]} for k, m in enumerate(meetings[:20])
        ]
    return data


@pytest.mark.parametrize("previous", [False, True])
def test_short_limit_returns_the_first_schedule_not_unknown(previous):
    problem = parse_problem(demo_like(previous=previous))
    result = solve(problem, time_limit=2, workers=2)
    assert check_result(problem, result) == []
    assert result.status in ("feasible", "optimal")
    assert len(result.assignments) == len(problem.meetings)
    assert result.unscheduled == []


def over_full(seed: int = 3, meetings: int = 200, tables: int = 4, visits: bool = False) -> dict:
    """60 participants, each away for 3-6 slots, ``meetings`` optional meetings over 24
    slots and ``tables`` tables: more meetings than table-slots, so no schedule places
    them all and the engine's priority stage asks CP-SAT for the most it can place.  With
    ``visits``, two visits of 10 places that block 5 slots for whoever gets one."""
    rng = random.Random(seed)
    slots = [{"id": f"s{i:02d}", "session": "am" if i < 12 else "pm"} for i in range(24)]
    ids = [s["id"] for s in slots]
    people = []
    for p in range(60):
        start = rng.randrange(18)
        people.append({"id": f"p{p}", "unavailable": ids[start : start + rng.randint(3, 6)]})
    pairs: set[tuple[str, str]] = set()
    while len(pairs) < meetings:
        a, b = sorted(rng.sample(range(60), 2))
        pairs.add((f"p{a}", f"p{b}"))
    data = {
        "format": "matchmaker.scheduling/1",
        "slots": slots,
        "tables": [f"T{t + 1}" for t in range(tables)],
        "participants": people,
        "meetings": [
            {"id": f"m{j}", "participants": list(pair), "optional": True}
            for j, pair in enumerate(sorted(pairs))
        ],
        "fairness": None,
    }
    if visits:
        data["visits"] = [
            {
                "id": "plant",
                "options": [
                    {"id": "plant-1", "start_slot": "s02", "end_slot": "s06", "places": 10}
                ],
            },
            {
                "id": "port",
                "options": [{"id": "port-1", "start_slot": "s14", "end_slot": "s18", "places": 10}],
            },
        ]
        data["visit_wishes"] = [
            {"participant": f"p{p}", "visit": v, "rank": 1 + (p + k) % 2}
            for p in range(30)
            for k, v in enumerate(("plant", "port"))
        ]
    return data


def test_stopped_before_cp_sat_answers_returns_the_first_schedule():
    """The organiser stops the run at once (``should_stop``: a deterministic stand-in for
    a time limit too short for CP-SAT): the greedy schedule, which places most meetings,
    is the answer, "feasible", every other meeting listed with its reason.  Before, the
    priority stage got no answer from CP-SAT, the first schedule (not placing every
    optional meeting) was not "usable", and the result was "unknown" with nothing placed."""
    problem = parse_problem(over_full())
    result = solve(problem, time_limit=30, workers=2, should_stop=lambda: True)
    assert check_result(problem, result) == []
    assert result.status == "feasible"
    # 4 tables x 24 slots hold 96 meetings; the greedy fills most of them.
    assert len(result.assignments) >= 48
    assert len(result.assignments) + len(result.unscheduled) == len(problem.meetings)
    assert result.priority == len(result.assignments)


def test_tiny_limit_with_visits_returns_a_schedule():
    """Visits block slots and the meetings do not all fit; with a 1 s limit the engine
    still answers with a schedule (the greedy one at least) beside the visit allocation,
    which the checker accepts: never an empty "unknown"."""
    problem = parse_problem(over_full(meetings=400, tables=8, visits=True))
    result = solve(problem, time_limit=1, workers=2)
    assert check_result(problem, result) == []
    assert result.status in ("feasible", "optimal")
    assert len(result.assignments) >= 96
    assert result.visits is not None and result.visits["places"]
