"""Issue 18: a tie-break may not cost a break.  The tie-break stage starts from the
schedule the break stage found and holds its breaks (and placed meetings, fairness,
moves) as constraints, so the result never has more breaks than that stage reached -
even where the tie-break's own optimum, unconstrained, would take a break."""

from __future__ import annotations

import time

from matchmaker.scheduling import check_result, parse_problem, shape, solve
from matchmaker.scheduling.instance import total_breaks
from matchmaker.scheduling.solver import Engine

LIMIT = 20  # a safety net: the runs end once their optimum is proven


def anna_and_ben() -> dict:
    """Two days of three slots.  Anna has four meetings: three with Ben, one with Cleo;
    Anna and Ben are away at day 1's 09:00.  Without a break Anna's four meetings fill
    day 1's 10:00 and all of day 2 (the last slot of a day and the first of the next are
    adjacent in the break count), so 08:00 on day 1 stays empty (1 idle slot); Cleo's
    meeting at 08:00 would leave no idle slot but give Anna a break.  Among the
    schedules without a break, Cleo's meeting on day 1 brings Ben on one day only."""
    slots = [
        {"id": f"d{d}-{h}", "start": f"2026-05-0{4 + d}T{h:02d}:00:00+02:00"}
        for d, hours in ((1, (8, 9, 10)), (2, (11, 12, 13)))
        for h in hours
    ]
    return {
        "format": "matchmaker.scheduling/1",
        "slots": slots,
        "tables": ["T1", "T2"],
        "participants": [
            {"id": "anna", "unavailable": ["d1-9"]},
            {"id": "ben", "unavailable": ["d1-9"]},
            {"id": "cleo"},
        ],
        "meetings": [
            {"id": "cleo", "participants": ["cleo", "anna"]},
            {"id": "ben1", "participants": ["ben", "anna"]},
            {"id": "ben2", "participants": ["anna", "ben"]},
            {"id": "ben3", "participants": ["ben", "anna"]},
        ],
        "fairness": None,
        "tie_break": "early",
    }


def test_the_tie_break_stage_holds_the_break_stages_breaks():
    """From a schedule without a break whose figures neither a shift nor single moves
    improve, CP-SAT reaches the best tie-break among the schedules without a break, and
    proves it.  Without the break constraint in its model, CP-SAT would find the
    schedule with Cleo at 08:00 (a break for Anna), which the stage must refuse, and
    the figures would stay at the start's."""
    problem = parse_problem(anna_and_ben())
    engine = Engine(problem, LIMIT, 2, None, None)
    inst = engine.inst
    index = {m: i for i, m in enumerate(inst.meeting_ids)}
    slot = {s.id: i for i, s in enumerate(problem.slots)}
    # The break stage's schedule: no break, but Ben on both days.
    start = {
        index["cleo"]: slot["d2-13"],
        index["ben1"]: slot["d1-10"],
        index["ben2"]: slot["d2-11"],
        index["ben3"]: slot["d2-12"],
    }
    assert total_breaks(inst, start) == 0
    assert shape.figures(inst, start, "early")["participant_days"] == 5

    made, figures = shape.improve(engine, start, time.monotonic() + LIMIT)

    assert sorted(made) == sorted(start)  # every meeting stays placed
    assert total_breaks(inst, made) == 0
    assert made[index["cleo"]] == slot["d1-10"]
    assert figures["idle_slots"] == figures["idle_slots_bound"] == 1
    assert figures["participant_days"] == figures["participant_days_bound"] == 4


def test_a_run_with_a_tie_break_has_the_breaks_its_break_stage_reached(monkeypatch):
    """The whole engine: the breaks handed to the tie-break stage are the result's, and
    the same as a run without a tie-break (both proven)."""
    stages = []
    improve = shape.improve

    def watched(engine, slot_of, deadline):
        made, figures = improve(engine, slot_of, deadline)
        stages.append((total_breaks(engine.inst, slot_of), total_breaks(engine.inst, made)))
        return made, figures

    monkeypatch.setattr(shape, "improve", watched)
    plain_data = anna_and_ben()
    del plain_data["tie_break"]
    plain = solve(parse_problem(plain_data), time_limit=LIMIT, workers=2)
    problem = parse_problem(anna_and_ben())
    early = solve(problem, time_limit=LIMIT, workers=2)

    assert check_result(problem, early) == []
    assert plain.status == early.status == "optimal"
    assert stages == [(0, 0)]
    assert early.breaks == plain.breaks == 0
    assert len(early.assignments) == len(plain.assignments) == 4
    assert early.tie_break["idle_slots"] == 1
    assert early.tie_break["participant_days"] == 4
