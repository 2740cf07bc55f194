"""Benchmark: does a relaxation built on windows prove breaks on a generated event (issue
25)?  Figures only; the results are in ``docs/scheduling.md`` ("Windows and capacity do
not force the breaks either").

A participant without a break fills a window of as many consecutive slots as they have
meetings.  So, for the participants not yet at a floor of their own
(``bounds.block_lower_bound``), CP-SAT chooses a window start (among those where their
meetings fit, ``bounds.fits_one_block``) and whether they are "unbroken" (the presence of
an optional interval):

* two unbroken partners' windows overlap, and each window meets the meeting's slots;
* no slot has more than two people a table inside unbroken windows (a cumulative);
* ``--hall``: Hall's condition at both ends of each unbroken window: its first k slots
  need k meetings with a partner whose window has started by then (a broken partner can
  be anywhere), and the same for its last k slots;

minimising the broken participants.  A proven minimum above 0 would be breaks that no
participant's own meetings show.  It prints the solutions and the proven bound over time.

``--assign S``: then, for the windows found, the most meetings that fit inside both their
members' windows (one meeting a person a slot, ``tables`` a slot), by CP-SAT in S
seconds, with its proven maximum, and the breaks of that partial schedule.

    .venv/bin/python bench/window_relaxation.py [--event day1500] [--seed 1]
        [--time-limit 60] [--hall] [--assign 20]
"""

from __future__ import annotations

import argparse
import pathlib
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

from ortools.sat.python import cp_model  # noqa: E402

from bench.medium_events import EVENTS  # noqa: E402
from bench.scheduler_scale import generate, planted  # noqa: E402
from matchmaker.scheduling import bounds, parse_problem  # noqa: E402
from matchmaker.scheduling.instance import Instance, build_instance, total_breaks  # noqa: E402


def windows_model(inst: Instance, floors: list[int], hall: bool):
    """The model above: (model, start per participant, unbroken per participant)."""
    n_slots = inst.n_slots
    starts: dict[int, list[int]] = {}
    for p in range(inst.n_participants):
        ms = inst.meetings_of[p]
        if not ms or floors[p]:
            continue
        doms = [inst.domain[m] for m in ms]
        ok = [s for s in range(n_slots - len(ms) + 1) if fits_in(doms, s, len(ms))]
        if ok:
            starts[p] = ok
    model = cp_model.CpModel()
    start, unbroken, intervals = {}, {}, []
    size = {p: len(inst.meetings_of[p]) for p in starts}
    for p, ok in starts.items():
        start[p] = model.new_int_var_from_domain(cp_model.Domain.from_values(ok), f"s{p}")
        unbroken[p] = model.new_bool_var(f"u{p}")
        intervals.append(
            model.new_optional_fixed_size_interval_var(start[p], size[p], unbroken[p], f"w{p}")
        )
    model.add_cumulative(intervals, [1] * len(intervals), 2 * inst.n_tables)
    for m, members in enumerate(inst.members):
        dom = inst.domain[m]
        for p in members:
            if p in start:
                model.add(start[p] <= dom[-1]).only_enforce_if(unbroken[p])
                model.add(start[p] + size[p] - 1 >= dom[0]).only_enforce_if(unbroken[p])
        for i, p in enumerate(members):
            for q in members[i + 1 :]:
                if p in start and q in start:
                    both = [unbroken[p], unbroken[q]]
                    model.add(start[p] <= start[q] + size[q] - 1).only_enforce_if(both)
                    model.add(start[q] <= start[p] + size[p] - 1).only_enforce_if(both)
    if hall:
        for p in start:
            partners = [q for m in inst.meetings_of[p] for q in inst.members[m] if q != p]
            for k in range(1, size[p]):
                first, last = [], []
                for q in partners:
                    if q not in start:
                        first.append(1)
                        last.append(1)
                        continue
                    a, b = model.new_bool_var(""), model.new_bool_var("")
                    model.add(start[q] <= start[p] + k - 1).only_enforce_if([a, unbroken[q]])
                    model.add(start[q] + size[q] >= start[p] + size[p] - k + 1).only_enforce_if(
                        [b, unbroken[q]]
                    )
                    first.append(a)
                    last.append(b)
                model.add(sum(first) >= k).only_enforce_if(unbroken[p])
                model.add(sum(last) >= k).only_enforce_if(unbroken[p])
    model.minimize(sum(1 - u for u in unbroken.values()))
    return model, start, unbroken


def fits_in(doms: list[list[int]], s: int, n: int) -> bool:
    """Whether meetings with domains ``doms`` fill the window of ``n`` slots from ``s``."""
    window = set(range(s, s + n))
    return bounds.fits_one_block([[t for t in d if t in window] for d in doms])


def assign(inst: Instance, windows: dict[int, tuple[int, int]], limit: float) -> None:
    """The most meetings inside both members' windows; prints it and its proven maximum."""
    model = cp_model.CpModel()
    x: dict[tuple[int, int], cp_model.IntVar] = {}
    for m, members in enumerate(inst.members):
        if not all(p in windows for p in members):
            continue
        lo = max(windows[p][0] for p in members)
        hi = min(windows[p][0] + windows[p][1] for p in members)
        for s in inst.domain[m]:
            if lo <= s < hi:
                x[m, s] = model.new_bool_var("")
    by: dict[tuple, list] = {}
    for (m, s), v in x.items():
        by.setdefault(("m", m), []).append(v)
        by.setdefault(("s", s), []).append(v)
        for p in inst.members[m]:
            by.setdefault(("p", p, s), []).append(v)
    for key, vs in by.items():
        if key[0] == "s":
            model.add(sum(vs) <= inst.n_tables)
        else:
            model.add_at_most_one(vs)
    model.maximize(sum(x.values()))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = limit
    solver.parameters.num_workers = 2
    status = solver.solve(model)
    made = {m: s for (m, s), v in x.items() if solver.value(v)}
    print(
        f"inside both windows: {len(made)} of {inst.n_meetings} meetings "
        f"(at most {solver.best_objective_bound:.0f}, {solver.status_name(status)}, "
        f"{solver.wall_time:.1f} s); that partial schedule has {total_breaks(inst, made)} breaks"
    )


class Trace(cp_model.CpSolverSolutionCallback):
    def on_solution_callback(self) -> None:
        print(
            f"  {self.wall_time:.1f} s: {self.objective_value:.0f} broken, "
            f"bound {self.best_objective_bound:.0f}",
            flush=True,
        )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--event", default="day1500", choices=sorted(EVENTS))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--hall", action="store_true")
    ap.add_argument("--assign", type=float, default=0.0)
    args = ap.parse_args()
    people, meetings, slots, tables, sessions, _ = EVENTS[args.event]
    if meetings:
        data = generate(people, meetings, slots, tables, args.seed, sessions=sessions)
    else:
        data = planted(people, slots, tables, args.seed)
        data.pop("planted")
    inst = build_instance(parse_problem(data))
    floors = [
        bounds.block_lower_bound(inst, p, inst.meetings_of[p]) for p in range(inst.n_participants)
    ]
    t0 = time.monotonic()
    model, start, unbroken = windows_model(inst, floors, args.hall)
    print(
        f"{args.event} seed {args.seed}{' with Hall' if args.hall else ''}: floors {sum(floors)}, "
        f"{len(start)} participants with a window, model built in {time.monotonic() - t0:.1f} s"
    )
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = args.time_limit
    solver.parameters.num_workers = 2
    status = solver.solve(model, Trace())
    proven = int(solver.best_objective_bound + 0.999)
    print(
        f"{solver.status_name(status)}: {solver.objective_value:.0f} broken at best, "
        f"proven at least {proven}: breaks >= {sum(floors) + proven} "
        f"(floors {sum(floors)}), {solver.wall_time:.1f} s"
    )
    if args.assign and status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        windows = {
            p: (solver.value(start[p]), len(inst.meetings_of[p]))
            for p in start
            if solver.value(unbroken[p])
        }
        assign(inst, windows, args.assign)


if __name__ == "__main__":
    main()
