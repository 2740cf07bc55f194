"""The single-break scan of the search (``search.SingleBreakScan``): when the
bound is one break above the sum of the participants' own bounds, "only participant p
takes the extra break" is asked for each p in turn.  One of them holding finds an
optimal schedule; all of them refuted proves the bound one higher.

A triangle of meetings (A-B, B-C, A-C) on one table forces one break however it is
placed, yet none of its participants alone needs one: their own bounds are 0, so the
bound of one break above them is exactly what the scan decides."""

from __future__ import annotations

import time

from sched_gen import partners

from matchmaker.scheduling import bounds, parse_problem
from matchmaker.scheduling.instance import (
    breaks_of,
    build_instance,
    slots_by_participant,
    total_breaks,
)
from matchmaker.scheduling.model import build_model
from matchmaker.scheduling.search import BreakSearch


def triangles(n: int) -> dict:
    people, meetings = [], []
    for t in range(n):
        a, b, c = (f"{t}{x}" for x in "abc")
        people += [{"id": a}, {"id": b}, {"id": c}]
        for i, pair in enumerate([(a, b), (b, c), (a, c)]):
            meetings.append({"id": f"{t}-{i}", "participants": list(pair)})
    return {
        "format": "matchmaker.scheduling/1",
        "slots": [{"id": str(s)} for s in range(3 * n + 2)],
        "tables": ["1"],
        "participants": people,
        "meetings": meetings,
        "fairness": None,
    }


def new_search(data: dict, report=lambda *a: None, first=None) -> tuple[BreakSearch, object]:
    """A fresh search over every meeting of ``data`` (bound 0, 30 s, no hint)."""
    inst = build_instance(parse_problem(data))
    built = build_model(inst, list(range(inst.n_meetings)), [0] * inst.n_participants)
    search = BreakSearch(
        built, 0, time.monotonic() + 30, lambda: False, report, {}, inst.members, first
    )
    return search, inst


def search_at_scan(data: dict, gap: int) -> tuple[BreakSearch, object]:
    """A search whose bound has just reached one above the participants' own bounds,
    with a valid schedule known: meeting m in slot gap * m."""
    search, inst = new_search(data)
    first = [(m, gap * m) for m in range(inst.n_meetings)]
    search.offer(first, total_breaks(inst, dict(first)))
    assert search.best > 1
    search.raise_lower(1)
    assert search.scan == "on"
    return search, inst


def test_scan_finds_the_schedule_where_one_participant_takes_the_break():
    search, inst = search_at_scan(triangles(1), gap=2)  # 3 breaks to begin with
    search.scanner.run()
    assert search.best == 1
    assert total_breaks(inst, dict(search.solution)) == 1
    assert search.done.is_set()  # best meets the bound: proven optimal


def test_scan_refuting_everyone_raises_the_bound():
    # Two triangles: each forces its own break, so no single participant can take the
    # only one; all six are refuted and the bound rises to 2.
    search, _ = search_at_scan(triangles(2), gap=1)
    search.scanner.run()
    assert search.scanner.refuted == 6
    assert search.lower == 2


def test_scan_starts_while_the_search_from_above_makes_the_first_schedule():
    # With two workers the first (greedy) schedule is left to the search from above, so
    # the bound can reach the scan before any schedule exists; the scan must start then,
    # not wait for a schedule the search from below would never see arrive.
    made = {m: 2 * m for m in range(3)}  # slots 0, 2, 4: 3 breaks
    calls = []

    def first(stop):
        calls.append(stop())
        return dict(made), total_breaks(inst, made)

    search, inst = new_search(triangles(1), first=first)
    search.raise_lower(1)
    assert search.best is None and search.scan == "on"
    search.run(workers=2)
    assert calls == [False]  # made once, by the search from above, not asked to stop
    assert search.best == 1 and search.lower == 1
    assert total_breaks(inst, dict(search.solution)) == 1


def test_without_a_first_schedule_or_its_promise_the_scan_waits():
    search, _ = new_search(triangles(1))
    search.raise_lower(1)
    assert search.scan == "no"


def test_the_first_schedule_made_above_is_offered_and_reported():
    made = {m: 2 * m for m in range(6)}  # two triangles
    reports = []

    def first(stop):
        search.state.deadline = time.monotonic()  # nothing else after it
        return dict(made), total_breaks(inst, made)

    search, inst = new_search(
        triangles(2),
        report=lambda breaks, bound, placed: reports.append((breaks, placed)),
        first=first,
    )
    search.above.run()
    assert search.best == total_breaks(inst, made) > 2
    assert dict(search.solution) == made and search.above.first is None
    assert reports == [(search.best, inst.n_meetings)]


def search_with_relaxation(data: dict) -> tuple[BreakSearch, object, list]:
    """A search whose ``relax`` is the real relaxation bound, counting its calls."""
    search, inst = new_search(data)
    meetings = list(range(inst.n_meetings))
    calls = []

    def relax() -> bounds.Relaxation:
        calls.append(search.lower)
        return bounds.relaxation_bound(inst, meetings, [0] * inst.n_participants)

    search.below.relax = relax
    return search, inst, calls


def offer_a_break_for_everyone(search: BreakSearch, inst) -> None:
    """Offer a valid schedule of ``partners(n)`` with a break for everyone: per copy,
    A-B in slot 0, C-B in slot 2, A-C in its fixed slot 4."""
    slot = {"ab": 0, "cb": 2, "ac": 4}
    made = {m: slot[i.split("-")[1]] for m, i in enumerate(inst.meeting_ids)}
    search.offer(list(made.items()), total_breaks(inst, made))


def test_the_relaxation_is_asked_once_the_own_bounds_are_refuted_and_skips_the_scan():
    search, inst, calls = search_with_relaxation(partners(2))
    offer_a_break_for_everyone(search, inst)  # so the scan could start
    assert search.best == 6
    search.below.run()
    assert calls == [1]  # once, after "no break at all" was refuted
    assert search.lower == search.best == 2  # its bound 2: proven by the first "yes"
    assert search.scan == "no"  # one break above the own bounds was never asked


def test_the_relaxation_is_not_asked_when_the_own_bounds_hold():
    search, _, calls = search_with_relaxation(partners(2, closed=False))
    search.below.run()
    assert search.best == search.lower == 0
    assert calls == []


def broken(inst, solution) -> set[str]:
    """The participants with a break in ``solution``."""
    per = slots_by_participant(inst, dict(solution))
    return {inst.participant_ids[p] for p, sl in enumerate(per) if breaks_of(sl) > 0}


def test_the_relaxation_names_who_takes_the_breaks_and_asking_only_them_finds_the_optimum():
    search, inst, calls = search_with_relaxation(partners(3))
    search.raise_lower(1)  # "no break at all" refuted
    assert search.below.relax_once() and calls == [1]
    assert search.lower == 3  # one break per copy
    support = {inst.participant_ids[p] for p in search.state.support}
    assert support and len(support) < inst.n_participants
    search.above.decide_support(seed=0)
    assert search.best == search.lower == 3  # optimal: the bound is met
    assert search.done.is_set()
    assert broken(inst, search.solution) <= support


def test_the_relaxation_s_participants_first_improve_the_schedule_for_a_hint():
    # A valid schedule with a break for everyone, then the fewest breaks among the
    # relaxation's participants: a better schedule, where only they have breaks,
    # offered to the search and kept as the hint of their decisions.
    search, inst, _ = search_with_relaxation(partners(3))
    offer_a_break_for_everyone(search, inst)
    worst = search.best
    assert worst == 9
    search.raise_lower(1)
    assert search.below.relax_once()
    held = {p: 0 for p in range(inst.n_participants) if p not in search.state.support}
    hint = search.above.support_start(held, seed=0)
    assert hint is not None and search.best < worst
    assert total_breaks(inst, dict(hint)) == search.best
    support = {inst.participant_ids[p] for p in search.state.support}
    assert broken(inst, hint) <= support


def test_only_participants_who_cannot_take_the_break_prove_nothing():
    # In partners(1), A or C must take the break (A-C is in the last slot, and B cannot
    # meet both of them next to it); B alone with breaks is refuted at every budget.
    search, inst = new_search(partners(1))
    ids = inst.participant_ids
    search.raise_lower(1)
    search.state.support = [ids.index("0b")]
    search.above.decide_support(seed=0)
    assert search.best is None and search.lower == 1  # refuted, but the bound stays
    # 1 and 2 breaks refuted; 3 waits until the bound is 2 or more.
    assert search.above.support_k == 3 and search.state.support == [ids.index("0b")]
    search.state.support, search.above.support_k = [ids.index("0c")], 0
    search.above.decide_support(seed=0)
    assert search.best == search.lower == 1
    assert broken(inst, search.solution) == {"0c"}


def test_after_a_refuted_budget_the_core_based_search_proves_the_optimum():
    # Three triangles: three breaks, one per triangle, and nobody's own bound shows any.
    # The search from below refutes "no break at all", then the core-based search finds
    # the optimum and its proof at once instead of one budget decision per break.
    search, inst = new_search(triangles(3))
    asked = []
    decide = search.solving.decide

    def counted(k, *args, **kw):
        asked.append(k)
        return decide(k, *args, **kw)

    search.solving.decide = counted
    search.below.run()
    assert asked == [0]
    assert search.best == search.lower == 3
    assert search.done.is_set()
    assert total_breaks(inst, dict(search.solution)) == 3


def test_the_core_based_search_proves_the_best_schedule_optimal():
    # Nothing better than the best schedule exists: the core-based search, asked below
    # it, finds none, and the bound meets the best; the schedule is kept.
    search, inst = new_search(triangles(3))
    made = [(m, m) for m in range(inst.n_meetings)]  # A-B, B-C, A-C: A has a break
    search.offer(made, total_breaks(inst, dict(made)))
    assert search.best == 3
    search.raise_lower(1)
    search.below.core_search(30)
    assert search.lower == search.best == 3
    assert search.done.is_set() and search.solution == made


def test_when_the_relaxation_names_who_takes_the_break_the_single_break_scan_is_not_run():
    # partners(1): the relaxation's bound is one above the own bounds, where the scan
    # would start, but it also names who takes the break; their question (asked from
    # above) and the core-based search below cover it.
    search, inst, calls = search_with_relaxation(partners(1))
    offer_a_break_for_everyone(search, inst)
    search.raise_lower(1)
    assert search.below.relax_once() and search.lower == 1
    assert search.state.support
    assert search.scan == "no"


def spread_triangles(n: int) -> tuple[BreakSearch, object]:
    """``n`` triangles whose meetings are spread (triangle t in slots t, t + n, t + 2n):
    everyone has a break, 3n in all, where one per triangle is the optimum."""
    search, inst = new_search(triangles(n))
    spread = [(m, (m % 3) * n + m // 3) for m in range(inst.n_meetings)]
    search.offer(spread, total_breaks(inst, dict(spread)))
    assert search.best == 3 * n and search.lower == 0
    return search, inst


def test_the_search_from_above_turns_to_local_search_when_its_neighbourhoods_stall():
    """Far above the bound (10 breaks or more), two neighbourhoods in a row that find
    nothing hand the rest of the run to local search; a better schedule from anywhere
    in between starts the count again."""
    search, inst = spread_triangles(6)
    above = search.above
    assert not above.stalled(search.lower, search.best)
    above.after_lns(False, search.state.improved_at)
    assert not above.stalled(search.lower, search.best)
    # The search from below finds something better meanwhile: the count starts again.
    since = search.state.improved_at
    better = [(m, (m % 3) * 6 + m // 3) for m in range(inst.n_meetings)]
    better[1], better[2] = (1, 18), (2, 19)  # triangle 0: one break less
    time.sleep(0.01)
    search.offer(better, total_breaks(inst, dict(better)))
    assert search.state.improved_at != since
    above.after_lns(False, since)
    assert not above.stalled(search.lower, search.best)
    above.after_lns(False, search.state.improved_at)
    above.after_lns(False, search.state.improved_at)
    assert above.stalled(search.lower, search.best)
    # A neighbourhood that improves resets it.
    above.after_lns(True, search.state.improved_at)
    assert not above.stalled(search.lower, search.best)


def test_close_to_the_bound_the_neighbourhoods_keep_the_search():
    """Within 10 breaks of the bound the neighbourhoods are what reaches the optimum of
    tightly packed events: however often they fail, no local search."""
    search, _ = spread_triangles(3)  # 9 breaks, bound 0
    for _ in range(5):
        search.above.after_lns(False, search.state.improved_at)
    assert not search.above.stalled(search.lower, search.best)
