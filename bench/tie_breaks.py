"""Benchmark: the tie-breaks (``"tie_break": "early" | "spread"``) against none.

For the demo mission (``bench/data/demo-mission.json``, the problem the app builds for
``flask demo load``), a generated Enterprise Europe Network day (300 companies, 2,000
meetings, 30 slots in three sessions of one day, 120 tables) and the 10,000-meeting
event of ``scheduler_scale.py`` (2,000 companies, 51 slots in three sessions: two on
the first day, one on the second, 300 tables): per run, status, breaks (and bound),
placed, idle slots (free slots before a busy one of the same day), the first and last
busy slot of each day (positions within the day, 0 = its first slot), mean days on site
per participant, the peak (most meetings in one slot), seconds, and the checker's
verdict; with a tie-break, the breaks of the schedule the break stage handed to it
("from N"), which the tie-break may not raise; and the machine's load average
(1 min) when the run ended.  Only prints.

    .venv/bin/python bench/tie_breaks.py [--only demo,een,large] [--scale 1]
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

from bench.scheduler_scale import generate  # noqa: E402
from matchmaker.scheduling import check_result, parse_problem, shape, solve  # noqa: E402
from matchmaker.scheduling.instance import build_instance, total_breaks  # noqa: E402
from matchmaker.scheduling.shape import day_spans, figures  # noqa: E402

DATA = pathlib.Path(__file__).resolve().parent / "data"


def with_days(data: dict, day_of_session: dict[str, str]) -> dict:
    """Give generated slots start times, so that sessions fall on days."""
    minute: dict[str, int] = {}
    for s in data["slots"]:
        day = day_of_session[s["session"]]
        m = minute.setdefault(day, 9 * 60)
        s["start"] = f"{day}T{m // 60:02d}:{m % 60:02d}:00+02:00"
        minute[day] = m + 25
    return data


def instances(only: set[str], scale: float):
    if "demo" in only:
        yield (
            "demo mission (71 meetings, 23 slots, 12 tables)",
            json.loads((DATA / "demo-mission.json").read_text()),
            20 * scale,
        )
    if "een" in only:
        data = generate(300, 2000, 30, 120, seed=1)
        days = {"s1": "2027-03-09", "s2": "2027-03-09", "s3": "2027-03-09"}
        yield "EEN day (300 companies, 2,000 meetings, 30 slots)", with_days(data, days), 30 * scale
    if "large" in only:
        data = generate(2000, 10000, 51, 300, seed=1)
        days = {"s1": "2027-03-09", "s2": "2027-03-09", "s3": "2027-03-10"}
        yield "10,000 meetings (2,000 companies, 51 slots)", with_days(data, days), 60 * scale


#: The breaks of each schedule handed to the tie-break stage (the break stage's best).
HANDED: list[int] = []
_improve = shape.improve


def _watched_improve(engine, slot_of, deadline):
    HANDED.append(total_breaks(engine.inst, slot_of))
    return _improve(engine, slot_of, deadline)


def measure(name: str, data: dict, limit: float, rule: str | None) -> None:
    HANDED.clear()
    data = dict(data)
    data.pop("tie_break", None)
    if rule:
        data["tie_break"] = rule
    problem = parse_problem(data)
    result = solve(problem, time_limit=limit, workers=2)
    inst = build_instance(problem)
    mid = {m: i for i, m in enumerate(inst.meeting_ids)}
    slot_of = {mid[a.meeting]: inst.slot_index[a.slot] for a in result.assignments}
    early = figures(inst, slot_of, "early")
    spread = figures(inst, slot_of, "spread")
    people = len({p for m in slot_of for p in inst.members[m]}) or 1
    spans = ["-" if d is None else f"{d[1]}..{d[2]}" for d in day_spans(inst, slot_of)]
    shown = result.tie_break or {}
    bounds = {k: v for k, v in shown.items() if k.endswith("_bound")}
    print(
        f"{name:52s} {rule or 'none':6s} {result.status:8s} breaks {result.breaks} "
        f"{f'(from {HANDED[0]}) ' if HANDED else ''}"
        f"(bound {result.bound}) placed {len(result.assignments)}/{len(problem.meetings)} "
        f"idle {early['idle_slots']} busy per day {' '.join(spans)} "
        f"days/participant {early['participant_days'] / people:.2f} peak {spread['peak']} "
        f"{bounds or ''} {result.seconds:.1f} s "
        f"violations {len(check_result(problem, result))} "
        f"load {os.getloadavg()[0]:.1f}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", default="demo,een,large")
    parser.add_argument("--scale", type=float, default=1.0, help="times the time limits")
    args = parser.parse_args()
    shape.improve = _watched_improve  # the solver calls it through the module
    for name, data, limit in instances(set(args.only.split(",")), args.scale):
        rules = [None, "early", "spread"] if "demo" in name else [None, "early"]
        for rule in rules:
            measure(name, data, limit, rule)


if __name__ == "__main__":
    main()
