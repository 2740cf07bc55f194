"""Explanations, minimal change, organisation blocks, stands, optional meetings,
progress reporting and serialisation of the scheduling engine."""

from __future__ import annotations

import pytest

from matchmaker.scheduling import (
    Problem,
    ProblemError,
    Result,
    check_result,
    parse_problem,
    solve,
)

#: A safety net, not a measurement: the runs below end by themselves once they have
#: proven what is asserted (an optimum, infeasibility); a busy machine only makes them
#: take longer.
LIMIT = 30


def make(slots=3, tables=2, participants=(), meetings=(), **extra) -> dict:
    data = {
        "format": "matchmaker.scheduling/1",
        "slots": [{"id": str(i + 1)} for i in range(slots)],
        "tables": [f"T{i + 1}" for i in range(tables)],
        "participants": list(participants),
        "meetings": list(meetings),
        "fairness": None,
    }
    data.update(extra)
    return data


def people(*ids, **fields):
    return [{"id": i, **fields} for i in ids]


def run(data, **kw):
    problem = parse_problem(data)
    result = solve(problem, time_limit=LIMIT, workers=2, **kw)
    assert check_result(problem, result) == []
    return result


# ------------------------------------------------------------------ explanations


def test_overloaded_participant_is_explained_with_label():
    data = make(
        2,
        3,
        [{"id": "7", "label": "Bell Equipment / procurement"}, *people("1", "2", "3")],
        [{"id": m, "participants": ["7", o]} for m, o in (("a", "1"), ("b", "2"), ("c", "3"))],
    )
    result = run(data)
    assert result.status == "infeasible"
    assert result.explanation == [
        "Bell Equipment / procurement has 3 meetings but only 2 available slots"
    ]


def test_disjoint_availability_is_explained():
    data = make(
        3,
        1,
        [{"id": "A", "unavailable": ["1", "2"]}, {"id": "B", "unavailable": ["3"]}],
        [{"id": "m", "participants": ["A", "B"]}],
    )
    result = run(data)
    assert result.status == "infeasible"
    assert (
        "participant A is unavailable in every slot in which participant B is free"
        in (result.explanation[0])
    )


def test_minimal_conflict_from_assumptions():
    data = make(
        3,
        3,
        people("1", "2", "3", "4"),
        [
            {"id": "a", "participants": ["1", "2"], "fixed_slot": "1"},
            {"id": "b", "participants": ["1", "3"], "after": ["c"]},
            {"id": "c", "participants": ["2", "3"], "fixed_slot": "3"},
            {"id": "d", "participants": ["1", "4"]},
        ],
    )
    result = run(data)
    assert result.status == "infeasible"
    text = result.explanation[0]
    assert "meeting b must come after meeting c" in text
    assert "meeting c is fixed to slot 3" in text
    assert "meeting d" not in text  # not part of the smallest conflict


def test_table_shortage_is_explained():
    data = make(
        1,
        2,
        people(*"abcdef"),
        [{"id": f"m{i}", "participants": [p, q]} for i, (p, q) in enumerate(("ab", "cd", "ef"))],
    )
    result = run(data)
    assert result.status == "infeasible"
    assert "each slot has only 2 tables" in result.explanation[0]


def test_fairness_is_explained():
    data = make(
        5,
        3,
        [{"id": "A", "unavailable": ["2", "4"]}, *people("B", "C", "D")],
        [{"id": str(i), "participants": ["A", o]} for i, o in enumerate("BCD")],
        fairness=1,
    )
    result = run(data)
    assert result.status == "infeasible"
    assert "participant A must have at least 2 breaks" in result.explanation[0]


def test_unscheduled_optional_meeting_has_a_reason_and_priority_wins():
    data = make(
        1,
        1,
        people("0", "1", "2", "3"),
        [
            {"id": "x", "participants": ["0", "1"], "optional": True, "priority": 1},
            {"id": "y", "participants": ["2", "3"], "optional": True, "priority": 5},
        ],
    )
    result = run(data)
    assert result.status == "optimal"
    assert [a.meeting for a in result.assignments] == ["y"]
    assert result.unscheduled[0].meeting == "x" and result.unscheduled[0].reason


def test_an_unfair_schedule_of_every_meeting_does_not_set_the_top_priority():
    """Fairness 0: the optional m1 can only be placed with a break for participant 3 or
    2 while 1 has none.  A first schedule placed all meetings unfairly, and the engine
    took that as the top priority and then called the event infeasible."""
    data = make(
        4,
        2,
        [{"id": "1"}, {"id": "2", "table": "T1"}, {"id": "3", "table": "T1"}, {"id": "4"}],
        [
            {"id": "m1", "participants": ["1", "3"], "optional": True},
            {"id": "m2", "participants": ["4", "1"], "fixed_slot": "1"},
            {"id": "m3", "participants": ["1", "2"]},
            {"id": "m4", "participants": ["1", "2"]},
            {"id": "m5", "participants": ["2", "3"], "fixed_slot": "1"},
        ],
        fairness=0,
    )
    result = run(data)
    assert (result.status, result.breaks, result.priority) == ("optimal", 0, 4)
    assert [u.meeting for u in result.unscheduled] == ["m1"]


def test_an_order_on_a_meeting_left_out_does_not_break_the_explanation():
    """m2 comes after m1, which cannot happen at all (B is never free); m2 and m3 are
    both fixed to slot 2 with A: the explanation names that clash (it used to crash)."""
    data = make(
        2,
        2,
        [{"id": "A"}, {"id": "B", "unavailable": ["1", "2"]}, {"id": "C"}],
        [
            {"id": "m1", "participants": ["A", "B"], "optional": True},
            {"id": "m2", "participants": ["A", "C"], "after": ["m1"], "fixed_slot": "2"},
            {"id": "m3", "participants": ["A", "C"], "fixed_slot": "2"},
        ],
    )
    result = run(data)
    assert result.status == "infeasible"
    assert "m2" in result.explanation[0] and "m3" in result.explanation[0]


def test_an_optional_meeting_can_fill_the_gap_between_required_ones():
    """P's required meetings can only be in slots 1 and 3; the optional one with S only
    in slot 2.  P's own bound is 0 breaks, not 1: with fairness 0 the event was wrongly
    called infeasible ("P must have at least 1 break")."""
    data = make(
        3,
        2,
        [
            {"id": "P"},
            {"id": "Q", "unavailable": ["2", "3"]},
            {"id": "R", "unavailable": ["1", "2"]},
            {"id": "S", "unavailable": ["1", "3"]},
        ],
        [
            {"id": "A", "participants": ["P", "Q"]},
            {"id": "B", "participants": ["P", "R"]},
            {"id": "C", "participants": ["P", "S"], "optional": True},
        ],
        fairness=0,
    )
    result = run(data)
    assert (result.status, result.breaks, result.bound) == ("optimal", 0, 0)
    assert {a.meeting: a.slot for a in result.assignments} == {"A": "1", "C": "2", "B": "3"}


# ------------------------------------------------------------------ minimal change

BASE = [
    {"id": "a", "participants": ["0", "1"]},
    {"id": "b", "participants": ["0", "2"]},
    {"id": "c", "participants": ["3", "4"]},
    {"id": "d", "participants": ["1", "5"]},
]
PREVIOUS = [
    {"meeting": "a", "slot": "2", "table": "T1"},
    {"meeting": "b", "slot": "3", "table": "T1"},
    {"meeting": "c", "slot": "4", "table": "T2"},
    {"meeting": "d", "slot": "3", "table": "T2"},
]


def test_replanning_moves_only_what_it_must_and_keeps_locks():
    participants = [{"id": "0", "unavailable": ["2"]}, *people("1", "2", "3", "4", "5")]
    data = make(
        4,
        2,
        participants,
        [*BASE, {"id": "e", "participants": ["3", "5"]}],
        previous=PREVIOUS,
        locked=["c"],
    )
    result = run(data)
    assert result.status == "optimal"
    assert result.moved == 1  # only "a" had to move
    placed = {a.meeting: (a.slot, a.table) for a in result.assignments}
    assert placed["c"] == ("4", "T2")
    assert placed["b"][0] == "3" and placed["d"][0] == "3"
    assert result.to_dict()["moved"] == 1


def test_unchanged_problem_moves_nothing():
    data = make(4, 2, people("0", "1", "2", "3", "4", "5"), BASE, previous=PREVIOUS)
    result = run(data)
    assert result.moved == 0 and result.table_changes == 0


def test_locked_meeting_must_reference_previous():
    with pytest.raises(ProblemError, match='locked meeting "a": not in "previous"'):
        parse_problem(make(2, 1, people("0", "1"), BASE[:1], locked=["a"]))


# ------------------------------------------------------------- organisations, stands


def test_organisation_representatives_meet_in_one_block():
    participants = [
        {"id": "a1", "organisation": "A"},
        {"id": "a2", "organisation": "A"},
        *people("x0", "x1", "x2", "x3"),
    ]
    meetings = [
        {"id": "1", "participants": ["a1", "x0"]},
        {"id": "2", "participants": ["a1", "x1"]},
        {"id": "3", "participants": ["a2", "x2"]},
        {"id": "4", "participants": ["a2", "x3"], "slots": ["5", "6"]},
    ]
    result = run(make(6, 1, participants, meetings, organisation_blocks=True))
    slots = sorted(int(a.slot) for a in result.assignments)
    assert slots == list(range(slots[0], slots[0] + 4))
    assert result.breaks == 0


def test_stand_table_is_used_and_reserved():
    participants = [{"id": "S", "table": "T3"}, *people("x", "y", "z", "w")]
    meetings = [
        {"id": "1", "participants": ["S", "x"]},
        {"id": "2", "participants": ["S", "y"]},
        {"id": "3", "participants": ["z", "w"]},
        {"id": "4", "participants": ["x", "y"]},
    ]
    result = run(make(3, 3, participants, meetings))
    tables = {a.meeting: a.table for a in result.assignments}
    assert tables["1"] == tables["2"] == "T3"
    assert tables["3"] != "T3" and tables["4"] != "T3"


def test_two_different_stands_in_one_meeting_conflict():
    participants = [{"id": "A", "table": "T1"}, {"id": "B", "table": "T2"}]
    result = run(make(2, 3, participants, [{"id": "m", "participants": ["A", "B"]}]))
    assert result.status == "infeasible"
    assert "stand at table T1" in result.explanation[0]
    assert "stand at table T2" in result.explanation[0]


def test_consecutive_meetings_keep_their_table():
    meetings = [{"id": str(i), "participants": ["host", f"g{i}"]} for i in range(3)]
    result = run(make(3, 3, people("host", "g0", "g1", "g2"), meetings))
    assert result.breaks == 0
    assert len({a.table for a in result.assignments}) == 1


def test_meeting_of_three():
    meetings = [
        {"id": "trio", "participants": ["a", "b", "c"]},
        {"id": "ab", "participants": ["a", "b"]},
        {"id": "bc", "participants": ["b", "c"]},
    ]
    result = run(make(3, 1, people("a", "b", "c"), meetings))
    assert result.status == "optimal" and result.breaks == 0
    assert len({a.slot for a in result.assignments}) == 3


# ------------------------------------------------------------ progress, stop, JSON


def test_progress_is_reported_and_stop_is_honoured():
    meetings = [{"id": str(i), "participants": [str(i), str(i + 1)]} for i in range(6)]
    seen = []
    result = run(make(6, 2, people(*map(str, range(7))), meetings), on_progress=seen.append)
    assert seen[0].placed == 0 and seen[-1].placed == 6 and seen[-1].total == 6
    assert seen[-1].breaks == result.breaks
    stopped = run(make(6, 2, people(*map(str, range(7))), meetings), should_stop=lambda: True)
    assert stopped.status in ("optimal", "feasible", "unknown")


def test_problem_and_result_round_trip():
    data = make(
        3,
        2,
        [
            {"id": "a", "label": "Ann", "organisation": "O", "table": "T1", "unavailable": ["3"]},
            *people("b"),
        ],
        [{"id": "m", "participants": ["a", "b"], "optional": True, "priority": 3, "label": "M"}],
        fairness=1,
        organisation_blocks=True,
        previous=[{"meeting": "m", "slot": "1", "table": "T1"}],
        locked=["m"],
    )
    problem = parse_problem(data)
    assert Problem.from_dict(problem.to_dict()) == problem
    result = solve(problem, time_limit=2)
    assert Result.from_dict(result.to_dict()) == Result.from_dict(result.to_dict())
    assert Result.from_dict(result.to_dict()).to_dict() == result.to_dict()


@pytest.mark.parametrize(
    "mutate, message",
    [
        (
            lambda d: d["meetings"].append({"id": "12", "participants": ["a", "99"]}),
            'meeting "12": unknown participant "99"',
        ),
        (
            lambda d: d["meetings"].append({"id": "m", "participants": ["a", "b"]}),
            'meeting "m": duplicate id',
        ),
        (
            lambda d: d["meetings"].append({"id": "x", "participants": ["a"]}),
            'meeting "x": needs at least two participants',
        ),
        (
            lambda d: d["participants"].append({"id": "c", "unavailable": ["9"]}),
            'participant "c": unknown slot "9"',
        ),
        (lambda d: d.update(fairness="two"), '"fairness" must be null'),
        (lambda d: d.pop("slots"), '"slots" must be a list'),
        (
            lambda d: d["meetings"].append({"id": "y", "participants": ["a", "b"], "after": ["q"]}),
            'meeting "y": unknown meeting "q"',
        ),
    ],
)
def test_malformed_problems_name_the_offending_item(mutate, message):
    data = make(2, 1, people("a", "b"), [{"id": "m", "participants": ["a", "b"]}])
    mutate(data)
    with pytest.raises(ProblemError, match=message.replace('"', ".").replace("(", ".")):
        parse_problem(data)
