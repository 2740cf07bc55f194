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
