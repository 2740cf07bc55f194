"""Global lower bounds on breaks that no participant's own meetings show: the
slot-capacity bound (full slots) and the linear relaxation that links partners through
their meetings.  Neither may exceed the true optimum (checked by brute force)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from sched_gen import brute_force, partners, problems

from matchmaker.scheduling import Result, bounds, parse_problem, solve, solver
from matchmaker.scheduling.solver import Engine

#: A safety net, not a measurement: the runs below end by themselves once they have
#: proven the optimum; a busy machine only makes them take longer.
LIMIT = 30


def _bounds(data: dict) -> tuple[list[int], int, int]:
    """(each participant's own bound, the capacity bound, the relaxation bound)."""
    engine = Engine(parse_problem(data), 5, 1, None, None)
    inst = engine.inst
    meetings = list(range(inst.n_meetings))
    lower, fatal = engine.lower_bounds(meetings, exact=True)
    assert not fatal
    return (
        lower,
        bounds.capacity_bound(inst, meetings, lower),
        bounds.relaxation_bound(inst, meetings, lower).bound,
    )


def _full_event() -> dict:
    """Three slots, two tables, six meetings: every table is taken in every slot.
    Participant 4 meets in all three slots; 1, 3, 5 and 6 have two meetings each and,
    without a break, are all busy in the middle slot: five people where two tables
    seat four."""
    pairs = [("4", "1"), ("6", "5"), ("1", "3"), ("5", "4"), ("4", "2"), ("3", "6")]
    return {
        "format": "matchmaker.scheduling/1",
        "slots": [{"id": str(i), "session": "day"} for i in (1, 2, 3)],
        "tables": ["T1", "T2"],
        "participants": [{"id": str(i), "unavailable": []} for i in range(1, 7)],
        "meetings": [{"id": f"m{j}", "participants": list(p)} for j, p in enumerate(pairs, 1)],
        "fairness": None,
    }


def test_full_slots_force_a_break_that_no_participant_shows_alone():
    data = _full_event()
    lower, capacity, relaxed = _bounds(data)
    assert sum(lower) == 0  # each participant alone fits without a break
    assert capacity == 1
    assert relaxed <= 1
    assert brute_force(data) == (6, 1)
    result = solve(parse_problem(data), time_limit=LIMIT, workers=2)
    assert (result.status, result.breaks, result.bound) == ("optimal", 1, 1)


def test_with_a_third_table_the_bound_falls_back_to_the_participants_own():
    data = _full_event()
    data["tables"].append("T3")
    lower, capacity, relaxed = _bounds(data)
    assert capacity == relaxed == sum(lower) == 0
    assert brute_force(data) == (6, 0)


def test_a_participant_pushed_around_fixed_meetings_counts_two_breaks():
    """One table, five slots; meetings fixed in slots 2 and 4 leave A's three meetings
    slots 1, 3 and 5: two breaks, beyond the patterns with one break that the bound
    lists one by one (so it counts A as "two or more")."""
    people = ["A", "B", "C", "D", "E", "F", "G", "H"]
    data = {
        "format": "matchmaker.scheduling/1",
        "slots": [{"id": str(i), "session": "day"} for i in range(1, 6)],
        "tables": ["T1"],
        "participants": [{"id": p, "unavailable": []} for p in people],
        "meetings": [
            {"id": "ab", "participants": ["A", "B"]},
            {"id": "ac", "participants": ["A", "C"]},
            {"id": "ad", "participants": ["A", "D"]},
            {"id": "ef", "participants": ["E", "F"], "fixed_slot": "2"},
            {"id": "gh", "participants": ["G", "H"], "fixed_slot": "4"},
        ],
        "fairness": None,
    }
    lower, capacity, relaxed = _bounds(data)
    assert sum(lower) == 0
    assert capacity == 2
    assert relaxed <= 2
    assert brute_force(data) == (5, 2)


def test_partners_who_each_fit_alone_still_force_a_break():
    """A and C meet in the last slot; each also meets B.  A alone fits without a break
    (the last two slots), so does C, but B cannot be in the next-to-last slot twice: one
    of them has a break.  No slot is full, so only the relaxation that links partners
    sees it."""
    data = partners(1)
    lower, capacity, relaxed = _bounds(data)
    assert sum(lower) == capacity == 0
    assert relaxed == 1
    assert brute_force(data) == (3, 1)
    result = solve(parse_problem(data), time_limit=LIMIT, workers=2)
    assert (result.status, result.breaks, result.bound) == ("optimal", 1, 1)


def _required(data: dict) -> dict:
    for m in data["meetings"]:
        m.pop("optional", None)
    return data


@settings(
    deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
@given(problems(max_slots=5, max_meetings=6, max_people=5).map(_required))
def test_global_bounds_never_exceed_the_optimum(data):
    expected = brute_force(data)
    if expected is None:
        return
    lower, capacity, relaxed = _bounds(data)
    assert sum(lower) <= capacity <= expected[1]
    assert sum(lower) <= relaxed <= expected[1]


def _sessions_apart(optional_filler: bool = False) -> dict:
    """A meets B in the morning (slots 1-2), C in the afternoon (slots 5-6) and D at any
    time: no three consecutive slots can hold all three, so A has a break, though A's
    meetings can use every slot (the runs of A's possible slots show nothing).  With
    ``optional_filler`` B is in slot 1, C in slot 3 and the optional D in slot 2."""
    meetings = [
        {"id": "ab", "participants": ["A", "B"], "session": "am"},
        {"id": "ac", "participants": ["A", "C"], "session": "pm"},
        {"id": "ad", "participants": ["A", "D"]},
    ]
    if optional_filler:
        meetings[0]["slots"] = ["1"]
        meetings[1].update({"session": "mid", "slots": ["3"]})
        meetings[2].update({"slots": ["2"], "optional": True})
    return {
        "format": "matchmaker.scheduling/1",
        "slots": [
            {"id": str(i), "session": ("am", "mid", "pm")[(i - 1) // 2]} for i in range(1, 7)
        ],
        "tables": ["1", "2"],
        "participants": [{"id": x, "unavailable": []} for x in "ABCD"],
        "meetings": meetings,
        "fairness": None,
    }


def test_large_events_count_a_break_for_meetings_that_fit_no_unbroken_run():
    # Events above the exact model's size take the cheap per-participant bound; it must
    # see A's break (it was 0: every slot is possible for some meeting of A's).
    data = _sessions_apart()
    engine = Engine(parse_problem(data), 5, 1, None, None)
    lower, fatal = engine.lower_bounds(list(range(engine.inst.n_meetings)), exact=False)
    assert not fatal
    assert sum(lower) == 1
    assert brute_force(data) == (3, 1)


def test_an_optional_meeting_that_can_fill_the_gap_keeps_the_bound_at_zero():
    data = _sessions_apart(optional_filler=True)
    engine = Engine(parse_problem(data), 5, 1, None, None)
    meetings = list(range(engine.inst.n_meetings))
    for exact in (False, True):
        lower, fatal = engine.lower_bounds(meetings, exact=exact)
        assert not fatal and sum(lower) == 0
    assert brute_force(data)[1] == 0


@settings(
    deadline=None, max_examples=80, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
@given(problems(max_slots=6, max_meetings=7, max_people=4))
def test_per_participant_bounds_never_exceed_the_optimum(data):
    # Both: the cheap one of large events and the exact one given almost no time (its
    # floor from the windows, then whatever CP-SAT proves).
    expected = brute_force(data)
    if expected is None:
        return
    engine = Engine(parse_problem(data), 5, 1, None, None)
    inst = engine.inst
    cheap = sum(
        bounds.block_lower_bound(inst, p, inst.meetings_of[p]) for p in range(inst.n_participants)
    )
    assert cheap <= expected[1]
    hurried = [
        bounds.participant_min_breaks(inst, p, inst.meetings_of[p], time_limit=0.001)
        for p in range(inst.n_participants)
    ]
    assert sum(b or 0 for b in hurried) <= expected[1]


def test_events_above_the_exact_model_with_every_meeting_optional_keep_the_bound(monkeypatch):
    # The app marks every meeting optional.  Once local search places them all, every
    # schedule of top priority places them, so A's break counts in the bound (it was 0).
    monkeypatch.setattr(solver, "EXACT_LIMIT", 0)
    data = _sessions_apart()
    for m in data["meetings"]:
        m["optional"] = True
    # (Local search runs to the time limit; the greedy start places all three.)
    result = solve(parse_problem(data), time_limit=2, workers=1)
    assert len(result.assignments) == 3
    assert result.bound == 1 == result.breaks
    assert result.status == "optimal"
    assert result.bound_reasons and "participant A" in result.bound_reasons[0]


def test_the_bound_says_which_participants_force_breaks_and_why():
    # Sessions: A's meetings are tied to the morning and the afternoon.
    result = solve(parse_problem(_sessions_apart()), time_limit=LIMIT, workers=2)
    assert (result.breaks, result.bound) == (1, 1)
    assert result.bound_reasons == [
        "1 break because participant A has meetings tied to sessions too far apart to be "
        "held back to back."
    ]
    # Absences: no sessions now, but B is free only in the morning and C only in the
    # afternoon.
    data = _sessions_apart()
    for m in data["meetings"]:
        m.pop("session", None)
    data["participants"][1]["unavailable"] = ["3", "4", "5", "6"]
    data["participants"][2]["unavailable"] = ["1", "2", "3", "4"]
    result = solve(parse_problem(data), time_limit=LIMIT, workers=2)
    assert (result.breaks, result.bound) == (1, 1)
    (why,) = result.bound_reasons
    assert why.startswith("1 break because participant A has") and "absences" in why
    # The words travel with the result (the app keeps its dict).
    assert Result.from_dict(result.to_dict()).bound_reasons == result.bound_reasons


def test_a_bound_from_full_slots_says_the_solver_proved_it():
    result = solve(parse_problem(_full_event()), time_limit=LIMIT, workers=2)
    assert (result.breaks, result.bound) == (1, 1)
    assert result.bound_reasons == [
        "1 break, proven by the solver from all the meetings together: the tables each "
        "slot has and when partners can meet."
    ]


def test_no_reasons_without_a_bound():
    data = _full_event()
    data["tables"].append("T3")
    result = solve(parse_problem(data), time_limit=LIMIT, workers=2)
    assert (result.breaks, result.bound, result.bound_reasons) == (0, 0, [])
    assert "bound_reasons" not in result.to_dict()
