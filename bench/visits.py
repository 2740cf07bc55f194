"""Benchmark: trade visits with the meetings.

A generated mission: 120 participants, 6 visits x 2 options x 15-25 places (each option
2-3 hours, 4-7 slots blocked with travel), every participant ranks 2-4 visits (30 % name
a preferred group), 600 meetings over 2 days x 2 sessions x 8 slots, 24 tables.  Prints
the visit stage (each lexicographic figure, whether proven optimal, its time), the
meeting objectives of the joint run (status, breaks, bound, placed) and the time; checks
the result with ``check_result``.  ``--compare`` also solves the meetings without visits.
Figures only; nothing is asserted.  The load average is printed: the machine is shared.

    .venv/bin/python bench/visits.py [--time-limit 60] [--workers 2] [--seed 26] [--compare]
                                     [--meetings 600]
"""

from __future__ import annotations

import argparse
import os
import pathlib
import random
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

from matchmaker.scheduling import check_result, parse_problem, solve  # noqa: E402
from matchmaker.scheduling.visits import allocate  # noqa: E402


def mission(seed: int, people: int = 120, meetings: int = 600) -> dict:
    rng = random.Random(seed)
    slots = []
    for day in (1, 2):
        for part, hour in (("am", 9), ("pm", 14)):
            for i in range(8):
                minute = hour * 60 + i * 25
                at = f"{minute // 60:02d}:{minute % 60:02d}"
                slots.append(
                    {
                        "id": f"d{day}{part}{i}",
                        "session": f"d{day}{part}",
                        "start": f"2027-03-0{8 + day}T{at}:00+02:00",
                    }
                )
    ids = [s["id"] for s in slots]
    pids = [str(p) for p in range(1, people + 1)]
    pairs = set()
    while len(pairs) < meetings:
        a, b = rng.sample(pids, 2)
        pairs.add((min(a, b), max(a, b)))
    visits = []
    for v in range(6):
        options = []
        for o in range(2):
            length = rng.randint(4, 7)
            day_part = rng.randrange(4)
            first = day_part * 8 + rng.randint(0, 8 - length)
            options.append(
                {
                    "id": f"v{v}o{o}",
                    "start_slot": ids[first],
                    "end_slot": ids[first + length - 1],
                    "places": rng.randint(15, 25),
                }
            )
        visits.append({"id": f"v{v}", "label": f"Visit {v}", "options": options})
    # Some visits are more popular than others.
    weights = [6, 5, 4, 3, 2, 1]
    wishes = []
    for p in pids:
        chosen: list[int] = []
        want = rng.randint(2, 4)
        while len(chosen) < want:
            v = rng.choices(range(6), weights)[0]
            if v not in chosen:
                chosen.append(v)
        for rank, v in enumerate(chosen, start=1):
            wish = {"participant": p, "visit": f"v{v}", "rank": rank}
            if rng.random() < 0.3:
                wish["options"] = [f"v{v}o{rng.randrange(2)}"]
            wishes.append(wish)
    return {
        "format": "matchmaker.scheduling/1",
        "name": f"visits-{seed}",
        "slots": slots,
        "tables": [str(t) for t in range(1, 25)],
        "participants": [{"id": p} for p in pids],
        "meetings": [
            {"id": str(i), "participants": list(pair), "optional": True}
            for i, pair in enumerate(sorted(pairs), start=1)
        ],
        "fairness": None,
        "tie_break": "early",
        "visits": visits,
        "visit_wishes": wishes,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=26)
    parser.add_argument("--compare", action="store_true")
    parser.add_argument("--meetings", type=int, default=600)
    args = parser.parse_args()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    data = mission(args.seed, meetings=args.meetings)
    problem = parse_problem(data)
    places = sum(o["places"] for v in data["visits"] for o in v["options"])
    print(
        f"{len(problem.participants)} participants, {len(problem.meetings)} meetings, "
        f"{len(problem.slots)} slots, 6 visits x 2 options, {places} places, "
        f"{len(problem.visit_wishes)} wishes"
    )
    t0 = time.monotonic()
    alone = allocate(problem, args.time_limit * 0.25, args.workers)
    print(
        f"visit stage alone: {time.monotonic() - t0:.2f} s, proven={alone.proven}, "
        f"figures={alone.figures}"
    )
    t0 = time.monotonic()
    result = solve(problem, time_limit=args.time_limit, workers=args.workers)
    seconds = time.monotonic() - t0
    errors = check_result(problem, result)
    v = result.visits
    print(f"joint run: {seconds:.1f} s (limit {args.time_limit:.0f} s)")
    print(f"  visits: proven={v['proven']} figures={v['figures']}")
    joint = v.get("joint")
    print(
        "  joint stage (visit figures held, meetings' priority maximised): "
        + (
            f"priority={joint['priority']} proven={joint['proven']} {joint['seconds']:.2f} s"
            + (f" (greedy on the first allocation: {joint['greedy']})" if "greedy" in joint else "")
            if joint
            else "not run (nothing to gain or no answer in time)"
        )
    )
    waiting = sum(len(w) for w in v["waitlist"].values())
    print(f"  waitlist entries: {waiting}")
    print(
        f"  meetings: status={result.status} breaks={result.breaks} bound={result.bound} "
        f"placed={len(result.assignments)}/{len(problem.meetings)} "
        f"tie_break={result.tie_break}"
    )
    print(f"  checker: {'ok' if not errors else errors[:5]}")
    if args.compare:
        plain = parse_problem({k: d for k, d in data.items() if not k.startswith("visit")})
        t0 = time.monotonic()
        base = solve(plain, time_limit=args.time_limit, workers=args.workers)
        print(
            f"without visits: {time.monotonic() - t0:.1f} s status={base.status} "
            f"breaks={base.breaks} bound={base.bound} placed={len(base.assignments)}"
        )
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
