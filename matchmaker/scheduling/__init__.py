"""The scheduling engine of Matchmaker: a pure module (dataclasses in, dataclasses out;
no Flask or SQLAlchemy imports).

Interface used by the web app::

    from matchmaker.scheduling import parse_problem, solve, ProblemError, Result, Progress

    problem = parse_problem(data)  # dict in the JSON format; raises ProblemError
    result = solve(problem, time_limit=10.0, workers=2,
                   on_progress=callback,  # gets Progress(elapsed, breaks, bound, placed, total)
                   should_stop=lambda: False)  # polled; True: stop, return the best so far
    result.status, result.breaks, result.bound, result.seconds, result.moved
    result.assignments   # [Assignment(meeting, slot, table)]
    result.unscheduled   # [Unscheduled(meeting, reason)]
    result.explanation   # [str] why the problem is infeasible
    result.to_dict()     # JSON-able; Result.from_dict / Problem.to_dict / Problem.from_dict

Command line: ``python -m matchmaker.scheduling solve PROBLEM.json [--time-limit S]
[--workers N] [--out RESULT.json]``.  The format is documented in ``docs/scheduling.md``.
"""

from .check import check_result
from .problem import Meeting, Participant, Placement, Problem, ProblemError, Slot, parse_problem
from .result import Assignment, Progress, Result, Unscheduled
from .solver import solve

__all__ = [
    "Assignment",
    "Meeting",
    "Participant",
    "Placement",
    "Problem",
    "ProblemError",
    "Progress",
    "Result",
    "Slot",
    "Unscheduled",
    "check_result",
    "parse_problem",
    "solve",
]
