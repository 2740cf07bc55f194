"""Property-based tests: random small problems, every hard constraint checked by the
independent checker, optimality confirmed by brute force."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from sched_gen import brute_force, problems

from matchmaker.scheduling import check_result, parse_problem, solve

#: A safety net, not a measurement: a run with two workers ends by itself once it has
#: proven what is asserted (an optimum, infeasibility); a busy machine only makes it
#: take longer.
LIMIT = 30

SETTINGS = settings(
    deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)


@SETTINGS
@given(problems())
def test_every_result_satisfies_every_hard_constraint(data):
    problem = parse_problem(data)
    # Every example is tiny: a schedule or a proof of infeasibility takes milliseconds.
    # (One worker makes the first schedule for a tenth of the limit, whatever the size:
    # a longer limit would only make this test slower.)
    result = solve(problem, time_limit=5, workers=1)
    assert result.status in ("optimal", "feasible", "infeasible")
    assert check_result(problem, result) == []
    assert check_result(problem, result.to_dict()) == []


@SETTINGS
@given(problems(max_slots=4, max_meetings=5, max_people=4))
def test_brute_force_confirms_optimum(data):
    problem = parse_problem(data)
    result = solve(problem, time_limit=LIMIT, workers=2)
    expected = brute_force(data)
    if expected is None:
        assert result.status == "infeasible"
        assert result.explanation
        return
    assert result.status == "optimal", result.to_dict()
    assert (result.priority, result.breaks) == expected
    assert check_result(problem, result) == []
