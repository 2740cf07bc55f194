"""The demo mission offers three visits with ranked wishes; a run allocates them."""

from __future__ import annotations

from matchmaker.demo.loader import load_demo
from matchmaker.planning.engine_input import build_problem
from matchmaker.scheduling import check_result, parse_problem, solve


def test_the_demo_mission_has_visits_and_a_run_allocates_them(db):
    event = load_demo()
    data = build_problem(event)
    titles = [v["label"] for v in data["visits"]]
    assert titles == [
        "Bell ADT assembly line",
        "Hydraulic cylinder plant (component supplier)",
        "Port of Richards Bay",
    ]
    assert [o["places"] for o in data["visits"][0]["options"]] == [15, 15]
    assert len(data["visit_wishes"]) >= 20
    problem = parse_problem(data)
    result = solve(problem, time_limit=8, workers=2)
    assert check_result(problem, result) == []
    figures = result.visits["figures"]
    assert figures["visits"] > 0 and figures["first_choices"] > 0
