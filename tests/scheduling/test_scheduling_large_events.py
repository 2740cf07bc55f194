"""Events too large for CP-SAT's neighbourhoods: local search improves the schedule
through the whole run, and the largest events are placed entirely and validly.

Nothing here depends on the machine's speed.  Local search runs a fixed amount of work
(``steps``: a deadline never reached, and a ``should_stop`` that counts), seeded, so it
makes the same moves on any machine; the engine's runs are checked for what holds at any
time limit (valid, every meeting placed, never worse than a schedule it showed).  What
the engine reaches within a given number of seconds is a figure of
``bench/large_events.py``, not an assertion."""

from __future__ import annotations

import itertools
import sys
import threading
import time
from collections import Counter

import pytest

from bench.scheduler_scale import generate
from matchmaker.scheduling import check_result, large, parse_problem, solve, solver
from matchmaker.scheduling.instance import Instance, build_instance, total_breaks


def steps(n: int):
    """``should_stop`` for a fixed amount of work: false for its first ``n`` calls, then
    true.  Local search asks it every 128 interchanges (and every 256 single moves)."""
    calls = itertools.count(1)
    return lambda: next(calls) > n


def never() -> float:
    """A deadline no run reaches: the work is counted by ``steps``.  (Annealing's heat
    follows the share of this time spent, so it stays at its first, low value.)"""
    return time.monotonic() + 3600


def valid(inst: Instance, slot_of: dict[int, int]) -> bool:
    """Every meeting in an allowed slot, nobody in two meetings at once, no slot with more
    meetings than tables."""
    busy = Counter((p, s) for m, s in slot_of.items() for p in inst.members[m])
    return (
        all(s in inst.domain[m] for m, s in slot_of.items())
        and all(n == 1 for n in busy.values())
        and all(n <= inst.n_tables for n in Counter(slot_of.values()).values())
    )


def test_local_search_closes_gaps_and_leaves_locked_meetings_alone():
    # A meets B, C and D in slots 1, 3 and 5: two breaks for A.  The locked meeting with
    # D stays in slot 5, so the best is A busy in 3, 4, 5 (one break fewer each time).
    data = {
        "format": "matchmaker.scheduling/1",
        "slots": [{"id": str(i + 1)} for i in range(5)],
        "tables": ["T1"],
        "participants": [{"id": p} for p in "ABCD"],
        "meetings": [
            {"id": "ab", "participants": ["A", "B"]},
            {"id": "ac", "participants": ["A", "C"]},
            {"id": "ad", "participants": ["A", "D"]},
        ],
        "previous": [{"meeting": "ad", "slot": "5", "table": "T1"}],
        "locked": ["ad"],
        "fairness": None,
    }
    inst = build_instance(parse_problem(data))
    start = {0: 0, 1: 2, 2: 4}
    assert total_breaks(inst, start) == 2
    made = large.polish(inst, [0, 1, 2], start, never(), steps(20))
    assert total_breaks(inst, made) == 0
    assert made[2] == 4
    assert sorted(made.values()) == [2, 3, 4]


def greedy_start(size=(60, 300, 20, 20), seed=3):
    """A generated event (by default 60 companies and 300 meetings in 20 slots) and its
    greedy schedule, which places every meeting."""
    inst = build_instance(parse_problem(generate(*size, seed=seed)))
    meetings = list(range(inst.n_meetings))
    start = large.Greedy(inst, meetings).run()
    assert len(start) == size[1] and valid(inst, start)
    return inst, meetings, start


def test_local_search_never_hands_back_a_worse_schedule(monkeypatch):
    # So hot that almost every interchange that adds breaks is kept: the schedule
    # wanders far above where it started, and the best one met must come back.
    monkeypatch.setattr(large, "HEAT_START", 100.0)
    monkeypatch.setattr(large, "HEAT_END", 100.0)
    inst, meetings, start = greedy_start()
    made = large.polish(inst, meetings, start, never(), steps(40))
    assert len(made) == 300 and valid(inst, made)
    assert total_breaks(inst, made) <= total_breaks(inst, start)


def test_local_search_reports_its_best_schedule_while_it_runs(monkeypatch):
    # The organiser watches the breaks fall: every report is a whole, valid schedule, the
    # best met so far, so the breaks reported never rise; the schedule handed back at the
    # end is no worse than the last report.  (A report every 512 interchanges: 10 here.)
    monkeypatch.setattr(large, "REPORT_EVERY", 0.0)
    inst, meetings, start = greedy_start()
    reports = []
    made = large.polish(inst, meetings, start, never(), steps(40), report=reports.append)
    assert len(reports) >= 4
    assert all(len(r) == 300 and valid(inst, r) for r in reports)
    breaks = [total_breaks(inst, r) for r in reports]
    assert breaks == sorted(breaks, reverse=True)
    assert breaks[0] <= total_breaks(inst, start)
    assert total_breaks(inst, made) <= breaks[-1] < total_breaks(inst, start)


def test_local_search_keeps_improving_a_large_event_through_its_work(monkeypatch):
    # 120 companies, 800 meetings, 30 slots: above ``LOCAL_LIMIT`` (meeting, slot) pairs,
    # where local search is the engine's search from above.  From the greedy schedule
    # (255 breaks), a fixed amount of work removes over a quarter of the breaks (255 ->
    # 184), and its second half still removes breaks the first half left (208 -> 184).
    monkeypatch.setattr(large, "REPORT_EVERY", 0.0)
    inst, meetings, start = greedy_start((120, 800, 30, 50), seed=1)
    assert sum(len(d) for d in inst.domain) > solver.LOCAL_LIMIT
    reports = []
    made = large.polish(inst, meetings, start, never(), steps(100), report=reports.append)
    assert len(made) == 800 and valid(inst, made)
    first, half = total_breaks(inst, start), total_breaks(inst, reports[len(reports) // 2])
    assert total_breaks(inst, made) < half < first
    assert total_breaks(inst, made) <= 0.8 * first


def solve_generated(
    size: tuple[int, int, int, int], seed: int, pairs_above: int, limit: float, workers: int = 2
):
    """A generated event of (companies, meetings, slots, tables) with more (meeting,
    slot) pairs than ``pairs_above``, solved; every placement valid and every meeting
    placed.  Returns the result and the progress reports."""
    problem = parse_problem(generate(*size, seed=seed))
    inst = build_instance(problem)
    assert sum(len(d) for d in inst.domain) > pairs_above
    seen = []
    result = solve(problem, time_limit=limit, workers=workers, on_progress=seen.append)
    assert check_result(problem, result) == []  # also: the breaks reported are the schedule's
    assert len(result.assignments) == size[1]
    return result, seen


@pytest.mark.slow
@pytest.mark.parametrize("workers", [2, 1])
def test_a_large_event_never_ends_worse_than_a_schedule_it_showed(workers):
    # 120 companies, 800 meetings, 30 slots: the search from above is local search.
    # However far it gets in its time, the organiser is handed a valid schedule of every
    # meeting, no worse than the first schedule or any schedule shown while it ran (the
    # reports with every meeting placed), and the last report is that schedule.
    result, seen = solve_generated((120, 800, 30, 50), 1, solver.LOCAL_LIMIT, 5, workers)
    shown = [p.breaks for p in seen[:-1] if p.breaks is not None and p.placed == p.total]
    assert shown, "the first schedule is shown before the end"
    assert result.breaks <= min(shown)
    assert seen[-1].breaks == result.breaks and seen[-1].placed == 800
    assert result.bound is not None and result.bound <= result.breaks


@pytest.mark.slow
def test_the_largest_events_are_placed_entirely_and_validly():
    # 600 companies, 3,000 meetings, 24 slots: more pairs than the exact model takes.
    result, seen = solve_generated((600, 3000, 24, 150), 2, solver.EXACT_LIMIT, 4)
    assert result.status == "feasible"
    # The organiser watching the run sees the breaks before the end (once the first
    # climb is done, whatever the time limit), and the end is no worse.
    during = [p.breaks for p in seen[:-1] if p.breaks is not None]
    assert during
    assert result.breaks <= min(during)


@pytest.mark.slow
def test_replanning_the_largest_events_moves_only_what_changed():
    # Holds at any speed: the greedy placement keeps every meeting in its previous slot
    # when it can and is not timed, and local search never moves a meeting that is in its
    # previous slot, so the moves are the greedy repair's, or fewer.
    data = generate(600, 3000, 24, 150, seed=2)
    first = solve(parse_problem(data), time_limit=4, workers=2)
    assert len(first.assignments) == 3000
    data["previous"] = [
        {"meeting": a.meeting, "slot": a.slot, "table": a.table} for a in first.assignments
    ]
    # Nothing changed: nothing moves, and the breaks stay.
    again = solve(parse_problem(data), time_limit=4, workers=2)
    assert again.moved == 0
    assert again.breaks == first.breaks
    # One company cannot make one of its slots any more: that meeting moves, and few
    # others make room for it (local search alone would move hundreds).
    gone = first.assignments[0]
    who = next(m for m in data["meetings"] if m["id"] == gone.meeting)["participants"][0]
    person = next(p for p in data["participants"] if p["id"] == who)
    person["unavailable"] = sorted({*person.get("unavailable", []), gone.slot})
    problem = parse_problem(data)
    changed = solve(problem, time_limit=4, workers=2)
    assert check_result(problem, changed) == []
    assert len(changed.assignments) == 3000
    moved_slot = {a.meeting: a.slot for a in changed.assignments}
    assert moved_slot[gone.meeting] != gone.slot
    assert 1 <= changed.moved <= 5


def test_the_engine_hands_the_gil_over_quickly_while_it_runs_and_restores_it():
    # CP-SAT's thread needs the GIL now and then; beside local search in Python, the
    # default 5 ms interval left "at most 7 breaks" on 120 companies unsettled for 30 s.
    before = sys.getswitchinterval()
    problem = parse_problem(generate(30, 90, 12, 10, seed=4))
    during: list[float] = []

    def run() -> None:
        solve(
            problem,
            time_limit=1,
            workers=2,
            on_progress=lambda p: during.append(sys.getswitchinterval()),
        )

    # Two engines at once (two jobs in the worker): the second to finish restores it.
    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert during and all(v == pytest.approx(solver.SWITCH_INTERVAL) for v in during)
    assert sys.getswitchinterval() == pytest.approx(before)


def band(n: int, seed: int = 3) -> dict:
    """``n`` companies along a value chain, each meeting the next two (hidden order: the
    ids are shuffled), in ``n`` slots: a schedule without a break exists only when
    partners' windows overlap."""
    import random

    chain = list(range(n))
    random.Random(seed).shuffle(chain)  # chain[i]: the id of the i-th company
    meetings = [
        {"id": f"{i}-{j}", "participants": [str(chain[i]), str(chain[j])]}
        for i in range(n)
        for j in (i + 1, i + 2)
        if j < n
    ]
    return {
        "format": "matchmaker.scheduling/1",
        "slots": [{"id": str(s)} for s in range(n)],
        "tables": [str(t) for t in range(n // 2)],
        "participants": [{"id": str(p)} for p in range(n)],
        "meetings": meetings,
        "fairness": None,
        "chain": chain,
    }


def test_the_layout_finds_the_value_chain_hidden_in_the_meetings():
    """The meeting graph's Fiedler order puts every company beside its partners, so
    that the windows the greedy prefers overlap for every meeting's two members (the
    spread along the order and one move each: a deadline already past)."""
    data = band(16)
    position = {str(p): i for i, p in enumerate(data.pop("chain"))}
    inst = build_instance(parse_problem(data))
    meetings = list(range(inst.n_meetings))
    order = [position[inst.participant_ids[p]] for p in large.fiedler_order(inst, meetings)]
    assert order in (sorted(order), sorted(order, reverse=True))
    windows = large.layout(inst, meetings, deadline=0.0)
    for m in meetings:
        (a, la), (b, lb) = (windows[p] for p in inst.members[m])
        assert max(a, b) < min(a + la, b + lb), inst.meeting_ids[m]
    assert [length for _, length in windows] == [len(ms) for ms in inst.meetings_of]


def test_the_greedy_keeps_to_the_windows_it_is_given():
    """With windows (``large.layout``) the greedy places meetings inside both members'
    windows where it can: on a value chain of 40, most meetings, and no more breaks
    than without."""
    data = band(40)
    data.pop("chain")
    inst = build_instance(parse_problem(data))
    meetings = list(range(inst.n_meetings))
    windows = large.layout(inst, meetings, deadline=0.0)

    def inside(slot_of: dict[int, int]) -> int:
        return sum(
            all(w[0] <= s < w[0] + w[1] for w in (windows[p] for p in inst.members[m]))
            for m, s in slot_of.items()
        )

    plain = large.Greedy(inst, meetings, seed=0)
    plain.run()
    guided = large.Greedy(inst, meetings, seed=0, windows=windows)
    guided.run()
    assert valid(inst, guided.slot_of) and len(guided.slot_of) == len(meetings)
    assert inside(guided.slot_of) >= 0.75 * len(meetings) > inside(plain.slot_of)
    assert total_breaks(inst, guided.slot_of) <= total_breaks(inst, plain.slot_of)
