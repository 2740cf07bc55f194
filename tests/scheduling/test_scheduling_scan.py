"""The single-break scan of the search (``BreakSearch.scan_single_break``): when the
bound is one break above the sum of the participants' own bounds, "only participant p
takes the extra break" is asked for each p in turn.  One of them holding finds an
optimal schedule; all of them refuted proves the bound one higher.

A triangle of meetings (A-B, B-C, A-C) on one table forces one break however it is
placed, yet none of its participants alone needs one: their own bounds are 0, so the
bound of one break above them is exactly what the scan decides."""

from __future__ import annotations

import time

from matchmaker.scheduling import parse_problem
from matchmaker.scheduling.instance import build_instance, total_breaks
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


def search_at_scan(data: dict, gap: int) -> tuple[BreakSearch, object]:
    """A search whose bound has just reached one above the participants' own bounds,
    with a valid schedule known: meeting m in slot gap * m."""
    inst = build_instance(parse_problem(data))
    meetings = list(range(inst.n_meetings))
    built = build_model(inst, meetings, [0] * inst.n_participants)
    search = BreakSearch(
        built, 0, time.monotonic() + 30, lambda: False, lambda *a: None, {}, inst.members
    )
    first = [(m, gap * m) for m in meetings]
    search.offer(first, total_breaks(inst, dict(first)))
    assert search.best > 1
    search.raise_lower(1)
    assert search.scan == "on"
    return search, inst


def test_scan_finds_the_schedule_where_one_participant_takes_the_break():
    search, inst = search_at_scan(triangles(1), gap=2)  # 3 breaks to begin with
    search.scan_single_break()
    assert search.best == 1
    assert total_breaks(inst, dict(search.solution)) == 1
    assert search.done.is_set()  # best meets the bound: proven optimal


def test_scan_refuting_everyone_raises_the_bound():
    # Two triangles: each forces its own break, so no single participant can take the
    # only one; all six are refuted and the bound rises to 2.
    search, _ = search_at_scan(triangles(2), gap=1)
    search.scan_single_break()
    assert search.scan_refuted == 6
    assert search.lower == 2
