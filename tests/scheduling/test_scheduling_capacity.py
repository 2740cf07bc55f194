"""Capacity planning: the fewest tables, the bottleneck participants, the slots more."""

from __future__ import annotations

from itertools import combinations

from matchmaker.scheduling import parse_problem
from matchmaker.scheduling.capacity import plan


def problem(slots: int, tables: int, pairs, people=None) -> dict:
    people = people or sorted({p for pair in pairs for p in pair})
    return {
        "format": "matchmaker.scheduling/1",
        "slots": [{"id": str(i)} for i in range(slots)],
        "tables": [f"T{i}" for i in range(tables)],
        "participants": [{"id": p, "label": f"Company {p}"} for p in people],
        "meetings": [{"id": f"{a}-{b}", "participants": [a, b]} for a, b in pairs],
        "fairness": None,
    }


def test_four_companies_meeting_each_other_in_three_slots_need_two_tables():
    pairs = list(combinations("ABCD", 2))  # 6 meetings, each company has 3
    cap = plan(parse_problem(problem(3, 5, pairs)), time_limit=10)
    assert cap.bottlenecks == []
    assert (cap.tables_needed, cap.tables_bound) == (2, 2) and cap.tables_proven
    assert cap.unplaced_with_tables == 0 and cap.extra_slots is None


def test_too_few_tables_asks_for_more_slots():
    pairs = list(combinations("ABCD", 2))
    cap = plan(parse_problem(problem(3, 1, pairs)), time_limit=10)
    assert cap.tables_needed == 2
    assert cap.unplaced_with_tables == 3  # one table, three slots: three of six meetings
    assert (cap.extra_slots, cap.extra_slots_bound) == (3, 3) and cap.extra_slots_proven


def test_a_company_with_more_meetings_than_slots_is_the_bottleneck():
    pairs = [("A", x) for x in "BCDE"]  # A has four meetings, three slots
    cap = plan(parse_problem(problem(3, 4, pairs)), time_limit=10)
    assert [(b.participant, b.meetings, b.slots) for b in cap.bottlenecks] == [("Company A", 4, 3)]
    assert cap.left_out == 1
    assert cap.tables_needed == 1  # what can be placed needs one table a slot
    assert (cap.extra_slots, cap.extra_slots_bound) == (1, 1)
