"""Scale benchmark: a generated event of 2,000 participants, 10,000 meetings, 51 slots
(three sessions of 17) and 300 tables.  Prints seconds, peak RSS, breaks (and the first
breaks reported), placed/total and when every meeting was first placed (the
engine then spends the rest of the time limit removing breaks); every result is
checked with ``check_result``.  Figures only.

    .venv/bin/python bench/scheduler_scale.py [--participants 2000] [--meetings 10000]
        [--slots 51] [--tables 300] [--time-limit 60] [--seed 1]
"""

from __future__ import annotations

import argparse
import pathlib
import random
import resource
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

from matchmaker.scheduling import check_result, parse_problem, solve  # noqa: E402


def generate(
    n_people: int, n_meetings: int, n_slots: int, n_tables: int, seed: int, sessions: int = 3
) -> dict:
    rng = random.Random(seed)
    per_session = max(1, n_slots // sessions)
    slots = [
        {"id": str(i + 1), "session": f"s{min(i // per_session, sessions - 1) + 1}"}
        for i in range(n_slots)
    ]
    participants = []
    for i in range(n_people):
        p = {"id": str(i + 1), "label": f"Company {i + 1}"}
        if rng.random() < 0.2:  # some people arrive late or leave early
            start = rng.randrange(n_slots)
            p["unavailable"] = [str(s + 1) for s in range(start, min(n_slots, start + 4))]
        participants.append(p)
    pairs: set[tuple[int, int]] = set()
    meetings = []
    while len(meetings) < n_meetings:
        a, b = rng.randrange(n_people), rng.randrange(n_people)
        if a == b or (min(a, b), max(a, b)) in pairs:
            continue
        pairs.add((min(a, b), max(a, b)))
        m = {"id": str(len(meetings) + 1), "participants": [str(a + 1), str(b + 1)]}
        if rng.random() < 0.1:
            m["session"] = f"s{rng.randrange(sessions) + 1}"
        meetings.append(m)
    return {
        "format": "matchmaker.scheduling/1",
        "name": f"generated-{n_people}-{n_meetings}-{n_slots}-{n_tables}",
        "slots": slots,
        "tables": [str(t + 1) for t in range(n_tables)],
        "participants": participants,
        "meetings": meetings,
        "fairness": None,
    }


def planted(n_people: int, n_slots: int, n_tables: int, seed: int, mean: float = 10.0) -> dict:
    """An event with a schedule of few breaks by construction: each participant gets a
    window of about ``mean`` consecutive slots, and in each slot the people whose
    window it is are paired at random (pairs not met yet, at most ``n_tables``
    meetings); each pair is a meeting.  Partners' windows overlap, as when interests
    run along a value chain.  The planted schedule is ``data["planted"]`` (meeting id
    -> slot id); its breaks bound the optimum from above."""
    rng = random.Random(seed)
    size = [max(2, min(n_slots, round(rng.gauss(mean, 3)))) for _ in range(n_people)]
    start = [rng.randrange(0, n_slots - k + 1) for k in size]
    met: set[tuple[int, int]] = set()
    meetings, plan = [], {}
    for t in range(n_slots):
        here = [p for p in range(n_people) if start[p] <= t < start[p] + size[p]]
        rng.shuffle(here)
        free, placed = set(here), 0
        for p in here:
            if p not in free or placed >= n_tables:
                continue
            others = sorted(q for q in free if q != p and (min(p, q), max(p, q)) not in met)
            if not others:
                continue
            q = rng.choice(others)
            free -= {p, q}
            met.add((min(p, q), max(p, q)))
            mid = str(len(meetings) + 1)
            meetings.append({"id": mid, "participants": [str(p + 1), str(q + 1)]})
            plan[mid] = str(t + 1)
            placed += 1
    return {
        "format": "matchmaker.scheduling/1",
        "name": f"planted-{n_people}-{n_slots}-{n_tables}",
        "slots": [{"id": str(i + 1)} for i in range(n_slots)],
        "tables": [str(t + 1) for t in range(n_tables)],
        "participants": [{"id": str(i + 1), "label": f"Company {i + 1}"} for i in range(n_people)],
        "meetings": meetings,
        "fairness": None,
        "planted": plan,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--participants", type=int, default=2000)
    ap.add_argument("--meetings", type=int, default=10000)
    ap.add_argument("--slots", type=int, default=51)
    ap.add_argument("--tables", type=int, default=300)
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    data = generate(args.participants, args.meetings, args.slots, args.tables, args.seed)
    t0 = time.monotonic()
    problem = parse_problem(data)
    placed_at: list[float] = []  # solver seconds when every meeting was first placed
    first: list[tuple[int, float]] = []  # the first schedule's breaks, and when

    def progress(p) -> None:
        if not placed_at and p.placed == p.total:
            placed_at.append(p.elapsed)
        if not first and p.breaks is not None:
            first.append((p.breaks, p.elapsed))

    result = solve(problem, time_limit=args.time_limit, workers=args.workers, on_progress=progress)
    seconds = time.monotonic() - t0
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    errors = check_result(problem, result)
    print(f"instance       {data['name']}")
    print(f"status         {result.status}")
    print(f"seconds        {seconds:.1f} (solver {result.seconds:.1f})")
    print(f"peak RSS       {peak_mib:.0f} MiB")
    print(f"breaks         {result.breaks} (lower bound {result.bound})")
    if first:
        print(f"first reported {first[0][0]} breaks at {first[0][1]:.1f} s")
    print(f"placed/total   {len(result.assignments)}/{len(problem.meetings)}")
    when = f"{placed_at[0]:.1f} s" if placed_at else "never"
    print(f"all placed at  {when} (then breaks are reduced until the time limit)")
    print(f"violations     {len(errors)}" + (f": {errors[:3]}" if errors else ""))


if __name__ == "__main__":
    main()
