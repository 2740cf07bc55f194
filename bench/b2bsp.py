"""Benchmark: the 140 B2BSP instances of Bofill et al. (JAIR 2022).

Prints, per instance and in total: status, breaks, best known, seconds — for the engine
(``matchmaker.scheduling.solve``) and, side by side, for a textbook CP-SAT model (one
boolean per meeting and slot, break starts counted per participant).  Every engine
result is checked with ``check_result``.  Figures only; nothing is asserted.

    .venv/bin/python bench/b2bsp.py [--only PATTERN] [--time-limit 10] [--workers 2] [--no-textbook]
"""

from __future__ import annotations

import argparse
import csv
import fnmatch
import json
import pathlib
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

from ortools.sat.python import cp_model  # noqa: E402

from matchmaker.scheduling import check_result, parse_problem, solve  # noqa: E402

DATA = pathlib.Path(__file__).resolve().parent / "data" / "b2bsp"


def textbook(problem, time_limit: float, workers: int) -> tuple[str, int | None, float]:
    """The textbook model: x[m,s] for every meeting and slot, break starts per participant."""
    t0 = time.monotonic()
    model = cp_model.CpModel()
    S = len(problem.slots)
    idx = {s.id: i for i, s in enumerate(problem.slots)}
    x = {(m.id, s): model.new_bool_var("") for m in problem.meetings for s in range(S)}
    for m in problem.meetings:
        model.add_exactly_one(x[m.id, s] for s in range(S))
        for s, slot in enumerate(problem.slots):
            if (m.session and slot.session != m.session) or (
                m.fixed_slot and m.fixed_slot != slot.id
            ):
                model.add(x[m.id, s] == 0)
        for a in m.after:
            for s in range(S):
                model.add(x[m.id, s] + sum(x[a, t] for t in range(s, S)) <= 1)
    for s in range(S):
        model.add(sum(x[m.id, s] for m in problem.meetings) <= len(problem.tables))
    per = []
    for p in problem.participants:
        ms = [m.id for m in problem.meetings if p.id in m.participants]
        busy = []
        for s in range(S):
            b = model.new_bool_var("")
            model.add(b == sum(x[m, s] for m in ms))
            busy.append(b)
        for u in p.unavailable:
            model.add(busy[idx[u]] == 0)
        later = [model.new_bool_var("") for _ in range(S)]  # busy in some slot > s
        for s in range(S):
            rest = busy[s + 1 :]
            model.add_max_equality(later[s], rest if rest else [0])
        starts = []
        for s in range(1, S):
            st = model.new_bool_var("")
            model.add(st >= busy[s - 1] - busy[s] + later[s] - 1)
            starts.append(st)
        per.append(sum(starts))
    if problem.fairness is not None:
        lo = model.new_int_var(0, S, "")
        for e in per:
            model.add(e >= lo)
            model.add(e <= lo + problem.fairness)
    model.minimize(sum(per))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = workers
    status = solver.solve(model)
    name = {
        cp_model.OPTIMAL: "optimal",
        cp_model.FEASIBLE: "feasible",
        cp_model.INFEASIBLE: "infeasible",
    }.get(status, "unknown")
    breaks = (
        int(solver.objective_value) if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None
    )
    return name, breaks, time.monotonic() - t0


def solved(status: str, breaks, best: str) -> bool:
    if best == "infeasible":
        return status == "infeasible"
    return status == "optimal" and str(breaks) == best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", default="*", help="glob on instance names, e.g. 'forum-13*'")
    ap.add_argument("--time-limit", type=float, default=10.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--no-textbook", action="store_true")
    args = ap.parse_args()
    with open(DATA / "best-known.csv") as fh:
        best = {row["instance"]: row["best_known"] for row in csv.DictReader(fh)}
    names = [n for n in best if fnmatch.fnmatch(n, args.only) or args.only in n]
    head = f"{'instance':32} {'status':10} {'breaks':>6} {'best':>10} {'sec':>6}"
    if not args.no_textbook:
        head += f" | {'textbook':10} {'breaks':>6} {'sec':>6}"
    print(head, flush=True)
    tot = {
        "n": 0,
        "ok": 0,
        "sec": 0.0,
        "max": 0.0,
        "worse": 0,
        "invalid": 0,
        "tb_ok": 0,
        "tb_sec": 0.0,
        "tb_max": 0.0,
    }
    for name in names:
        problem = parse_problem(json.loads((DATA / f"{name}.json").read_text()))
        result = solve(problem, time_limit=args.time_limit, workers=args.workers)
        errors = check_result(problem, result)
        tot["n"] += 1
        tot["ok"] += solved(result.status, result.breaks, best[name])
        tot["sec"] += result.seconds
        tot["max"] = max(tot["max"], result.seconds)
        tot["invalid"] += bool(errors)
        if (
            best[name] != "infeasible"
            and result.breaks is not None
            and result.breaks > int(best[name])
        ):
            tot["worse"] += 1
        line = f"{name:32} {result.status:10} {str(result.breaks):>6} {best[name]:>10}"
        line += f" {result.seconds:6.2f}"
        if errors:
            line += f" INVALID: {errors[:3]}"
        if not args.no_textbook:
            st, br, sec = textbook(problem, args.time_limit, args.workers)
            tot["tb_ok"] += solved(st, br, best[name])
            tot["tb_sec"] += sec
            tot["tb_max"] = max(tot["tb_max"], sec)
            line += f" | {st:10} {str(br):>6} {sec:6.2f}"
        print(line, flush=True)
    print(
        f"TOTAL engine: {tot['ok']}/{tot['n']} proven optimal or infeasible as best known, "
        f"{tot['worse']} worse than best known, {tot['invalid']} invalid, "
        f"total {tot['sec']:.1f} s, max {tot['max']:.2f} s"
    )
    if not args.no_textbook:
        print(
            f"TOTAL textbook: {tot['tb_ok']}/{tot['n']} proven optimal or infeasible, "
            f"total {tot['tb_sec']:.1f} s, max {tot['tb_max']:.2f} s; "
            f"time ratio textbook/engine {tot['tb_sec'] / max(tot['sec'], 1e-9):.1f}"
        )


if __name__ == "__main__":
    main()
