"""Research (issue 25, part 3): the paper's MaxSAT encoding of the B2B scheduling problem,
rebuilt for an instance of ``benchmarks/b2bsp/``, written as WCNF and given to a MaxSAT
solver from PyPI with a time limit; the schedule is checked by the project's checker.

The encoding follows the published description (Bofill, Garcia, Suy, Villaret, "MaxSAT-
based scheduling of B2B meetings", CPAIOR 2015, extended in JAIR 2022 with the implied
constraints) as far as its equations are known here: the paper itself was not on this
machine; its equations were taken from an independent public transcription that cites
them by number (see docs/scheduling.md, "The paper's MaxSAT encoding, reproduced").

- ``schedule[m, t]`` for every meeting and slot (slots a meeting may not take: unit
  clauses); exactly one slot per meeting (commander encoding, groups of 3); at most one
  meeting of a participant per slot (pairwise); at most ``tables`` meetings per slot
  (cardinality network); forbidden slots, fixed slots, precedences (pairwise).
- ``usedSlot[p, t]`` <-> some meeting of ``p`` in ``t``.
- Implied constraints: exactly ``|meetings(p)|`` used slots per participant (IC1), at
  most ``meeting size x tables`` participants busy per slot (IC2), both as cardinality
  networks.
- Breaks: ``fromSlot[p, t]`` (``p`` busy in ``t`` or earlier); ``endHole[p, t]`` <->
  free in ``t``, busy before, busy in ``t + 1`` (one per gap, as the project counts
  breaks); a sorting network per participant over its ``endHole`` gives ``sortedHole``
  (unary count of the breaks), of which the first floor((T - 1) / 2) are kept.
- Objective: a soft unit ``not sortedHole[p, k]`` of weight 1 for each kept output.
- Fairness d: ``sortedHole[p, k] -> max[k]``, ``min[k] -> sortedHole[p, k]``,
  ``dif[k] <-> max[k] xor min[k]``, at most d of ``dif`` true.

Each solve runs in a child process killed at the time limit (one at a time).

    .venv/bin/python bench/maxsat_encoding.py INSTANCE... [--solver uwrmaxsat|rc2|evalmaxsat]
        [--time-limit 60 | --cpu-limit 60] [--wcnf-dir DIR] [--no-implied] [--soft endhole]

``INSTANCE`` is a name in /work/shared/benchmarks/b2bsp (``forum-13crafc.forb0007``) or
a path to a problem JSON.  Needs ``bench/requirements.txt`` (python-sat, hermax).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import pathlib
import resource
import sys
import tempfile
import time

from pysat.card import CardEnc, EncType
from pysat.formula import WCNF, IDPool

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

BENCHMARKS = pathlib.Path(os.environ.get("B2BSP_DIR", "/work/shared/benchmarks/b2bsp"))


class PaperEncoding:
    """The WCNF of one problem (``matchmaker.scheduling/1`` as a dict)."""

    def __init__(self, problem: dict, implied: bool = True, soft: str = "sorted"):
        self.problem = problem
        self.pool = IDPool()
        self.hard: list[list[int]] = []
        self.soft: list[int] = []
        self.slots = [s["id"] for s in problem["slots"]]
        self.session = [s.get("session") for s in problem["slots"]]
        self.tables = len(problem["tables"])
        self.meetings = problem["meetings"]
        if any(m.get("optional") for m in self.meetings):
            raise SystemExit("optional meetings are not part of the paper's problem")
        self.people = sorted({p for m in self.meetings for p in m["participants"]})
        self.of: dict[str, list[int]] = {p: [] for p in self.people}
        for i, m in enumerate(self.meetings):
            for p in m["participants"]:
                self.of[p].append(i)
        self.unavailable = {
            p["id"]: set(p.get("unavailable", [])) for p in problem.get("participants", [])
        }
        self.size = max(len(m["participants"]) for m in self.meetings)
        self.sorted_holes: dict[str, list[int]] = {}
        self._false = None
        self.build(implied, soft)

    # Variables -----------------------------------------------------------------------
    def x(self, m: int, t: int) -> int:
        return self.pool.id(("schedule", m, t))

    def used(self, p: str, t: int) -> int:
        return self.pool.id(("usedSlot", p, t))

    def aux(self) -> int:
        return self.pool.id(("aux", self.pool.top + 1))

    def false(self) -> int:
        if self._false is None:
            self._false = self.aux()
            self.hard.append([-self._false])
        return self._false

    # Constraint encodings ------------------------------------------------------------
    def at_most_one(self, lits: list[int]) -> None:
        for i, a in enumerate(lits):
            for b in lits[i + 1 :]:
                self.hard.append([-a, -b])

    def exactly_one(self, lits: list[int]) -> None:
        """Klieber and Kwon's commander encoding, groups of 3 (pairwise below 6)."""
        if len(lits) < 6:
            self.hard.append(list(lits))
            self.at_most_one(lits)
            return
        commanders = []
        for i in range(0, len(lits), 3):
            group, c = lits[i : i + 3], self.aux()
            self.at_most_one(group)
            self.hard.append([-c, *group])  # commander -> one of its group
            self.hard.extend([[c, -g] for g in group])  # a group member -> its commander
            commanders.append(c)
        self.exactly_one(commanders)

    def cardinality(self, lits: list[int], bound: int, exact: bool = False) -> None:
        """At most (or exactly) ``bound`` of ``lits``: cardinality networks."""
        if bound >= len(lits) and not exact:
            return
        if bound == 0:
            self.hard.extend([[-v] for v in lits])
            return
        if exact and bound == len(lits):
            self.hard.extend([[v] for v in lits])
            return
        if bound > len(lits):
            self.hard.append([])
            return
        make = CardEnc.equals if exact else CardEnc.atmost
        self.hard.extend(make(lits=lits, bound=bound, vpool=self.pool, encoding=EncType.cardnetwrk))

    def comparator(self, a: int, b: int) -> tuple[int, int]:
        """(a or b, a and b), both directions of each equivalence."""
        hi, lo = self.aux(), self.aux()
        self.hard += [[-a, hi], [-b, hi], [a, b, -hi]]
        self.hard += [[a, -lo], [b, -lo], [-a, -b, lo]]
        return hi, lo

    def merge(self, wires: list[int]) -> list[int]:
        if len(wires) == 2:
            return list(self.comparator(*wires))
        odd, even = self.merge(wires[0::2]), self.merge(wires[1::2])
        out = [odd[0]]
        for i in range(len(even) - 1):
            out += self.comparator(even[i], odd[i + 1])
        return out + [even[-1]]

    def sort(self, wires: list[int]) -> list[int]:
        """Batcher's odd-even merge sort, outputs in decreasing order (true first)."""
        n = 1
        while n < len(wires):
            n *= 2
        wires = wires + [self.false()] * (n - len(wires))

        def rec(ws: list[int]) -> list[int]:
            if len(ws) == 1:
                return ws
            half = len(ws) // 2
            return self.merge(rec(ws[:half]) + rec(ws[half:]))

        return rec(wires)

    # The model -----------------------------------------------------------------------
    def allowed(self, m: dict) -> set[int]:
        slots = set(range(len(self.slots)))
        if m.get("session") is not None:
            slots = {t for t in slots if self.session[t] == m["session"]}
        if m.get("slots"):
            slots &= {self.slots.index(s) for s in m["slots"]}
        if m.get("fixed_slot") is not None:
            slots &= {self.slots.index(m["fixed_slot"])}
        return slots

    def build(self, implied: bool, soft: str) -> None:
        T = len(self.slots)
        index = {m["id"]: i for i, m in enumerate(self.meetings)}
        for i, m in enumerate(self.meetings):
            ok = self.allowed(m)
            self.exactly_one([self.x(i, t) for t in sorted(ok)])
            self.hard.extend([[-self.x(i, t)] for t in range(T) if t not in ok])
            for p in m["participants"]:  # forbidden slots of its participants
                bad = {self.slots.index(s) for s in self.unavailable.get(p, ())}
                self.hard.extend([[-self.x(i, t)] for t in sorted(bad)])
            for before in m.get("after", []):  # precedence, pairwise
                j = index[before]
                for t in range(T):
                    for u in range(t, T):
                        self.hard.append([-self.x(j, u), -self.x(i, t)])
        for t in range(T):
            self.cardinality([self.x(i, t) for i in range(len(self.meetings))], self.tables)
            for p in self.people:
                mine = [self.x(i, t) for i in self.of[p]]
                self.at_most_one(mine)
                self.hard.extend([[-v, self.used(p, t)] for v in mine])
                self.hard.append([-self.used(p, t), *mine])
        if implied:
            for p in self.people:  # IC1
                self.cardinality([self.used(p, t) for t in range(T)], len(self.of[p]), True)
            for t in range(T):  # IC2
                self.cardinality([self.used(p, t) for p in self.people], self.size * self.tables)
        keep = (T - 1) // 2
        for p in self.people:
            prefix, ends = [], []
            for t in range(T):  # fromSlot
                f, u = self.pool.id(("fromSlot", p, t)), self.used(p, t)
                self.hard.append([-u, f])
                if t == 0:
                    self.hard.append([u, -f])
                else:
                    self.hard += [[-prefix[-1], f], [prefix[-1], u, -f]]
                prefix.append(f)
            for t in range(T - 1):  # endHole: free in t, busy before, busy in t + 1
                e = self.pool.id(("endHole", p, t))
                u, nxt, f = self.used(p, t), self.used(p, t + 1), prefix[t]
                self.hard += [[-e, -u], [-e, f], [-e, nxt], [u, -f, -nxt, e]]
                ends.append(e)
            self.sorted_holes[p] = self.sort(ends)[:keep] if ends else []
            if soft == "endhole":
                self.soft += [-e for e in ends]
            else:
                self.soft += [-v for v in self.sorted_holes[p]]
        d = self.problem.get("fairness")
        if d is not None and keep:
            difs = []
            for k in range(keep):
                hi, lo, dif = self.aux(), self.aux(), self.aux()
                for p in self.people:
                    s = self.sorted_holes[p][k]
                    self.hard += [[-s, hi], [-lo, s]]
                self.hard += [[lo, hi, -dif], [lo, -hi, dif], [-lo, hi, dif], [-lo, -hi, -dif]]
                difs.append(dif)
            self.cardinality(difs, d)

    def wcnf(self) -> WCNF:
        w = WCNF()
        w.extend(self.hard)
        for lit in self.soft:
            w.append([lit], weight=1)
        return w

    def schedule(self, model: list[int]) -> dict[int, int]:
        true = {v for v in model if v > 0}
        return {
            i: t
            for i in range(len(self.meetings))
            for t in range(len(self.slots))
            if self.x(i, t) in true
        }


def _solve(name: str, wcnf: WCNF, out, cpu_limit: float | None) -> None:
    """In the child process: (status, cost, model) or an error.  With ``cpu_limit`` the
    kernel stops the child after that much CPU time (SIGXCPU)."""
    if cpu_limit:
        seconds = int(cpu_limit)
        resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))
    try:
        if name == "rc2":
            from pysat.examples.rc2 import RC2

            with RC2(wcnf, solver="g3", adapt=True, exhaust=True, minz=True) as rc2:
                model = rc2.compute()
                out.send(("optimum", rc2.cost, model) if model else ("unsat", None, None))
            return
        from hermax import non_incremental

        cls = {
            "uwrmaxsat": non_incremental.UWrMaxSATCompetition,
            "evalmaxsat": non_incremental.EvalMaxSAT,
        }[name]
        solver = cls(formula=wcnf)
        ok = solver.solve()
        status = solver.get_status().name.lower()
        out.send((status, solver.get_cost() if ok else None, solver.get_model() if ok else None))
    except Exception as exc:  # reported by the parent
        out.send(("error", None, repr(exc)))


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def solve(name: str, wcnf: WCNF, limit: float, cpu_limit: float | None = None):
    """Wall-clock ``limit``; with ``cpu_limit`` the child's CPU time is what stops it
    (steadier on a shared machine), the wall-clock limit then only guards."""
    ctx = multiprocessing.get_context("fork")
    cpu0 = _children_cpu()
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_solve, args=(name, wcnf, child, cpu_limit))
    t0 = time.perf_counter()
    proc.start()
    child.close()
    answer = ("timeout", None, None)
    if parent.poll(limit):
        try:
            answer = parent.recv()
        except EOFError:  # the child died: the CPU limit, or a crash
            answer = ("timeout" if cpu_limit else "crashed", None, None)
    seconds = time.perf_counter() - t0
    if proc.is_alive():
        proc.kill()
    proc.join()
    cpu = _children_cpu() - cpu0
    return (*answer, seconds, cpu)


def check(problem: dict, enc: PaperEncoding, slot_of: dict[int, int]) -> tuple[int, list[str]]:
    """Tables given slot by slot, then the project's checker; returns (breaks, errors)."""
    from matchmaker.scheduling import check_result, parse_problem

    busy: dict[str, list[int]] = {}
    per_slot: dict[int, int] = {}
    assignments = []
    for i, t in sorted(slot_of.items()):
        k = per_slot.get(t, 0)
        per_slot[t] = k + 1
        m = enc.meetings[i]
        table = problem["tables"][k] if k < len(problem["tables"]) else "?"
        assignments.append({"meeting": m["id"], "slot": enc.slots[t], "table": table})
        for p in m["participants"]:
            busy.setdefault(p, []).append(t)
    breaks = sum(
        sum(1 for a, b in zip(s, s[1:], strict=False) if b - a > 1)
        for s in (sorted(v) for v in busy.values())
    )
    result = {"status": "feasible", "breaks": breaks, "bound": 0, "assignments": assignments}
    return breaks, check_result(parse_problem(problem), result)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("instances", nargs="+")
    parser.add_argument("--solver", default="uwrmaxsat", choices=["uwrmaxsat", "rc2", "evalmaxsat"])
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument(
        "--cpu-limit", type=float, default=None, help="stop at this CPU time instead (seconds)"
    )
    parser.add_argument("--wcnf-dir", default=None, help="where the WCNF files go (a temp dir)")
    parser.add_argument("--no-implied", action="store_true", help="leave IC1 and IC2 out")
    parser.add_argument(
        "--soft", default="sorted", choices=["sorted", "endhole"], help="soft units on"
    )
    args = parser.parse_args()
    out_dir = pathlib.Path(args.wcnf_dir or tempfile.mkdtemp(prefix="b2b-wcnf-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    best = {}
    for line in (BENCHMARKS / "best-known.csv").read_text().splitlines()[1:]:
        cells = line.split(",")
        best[cells[0]] = (cells[2], cells[3])
    limit = f"{args.cpu_limit:.0f} s CPU" if args.cpu_limit else f"{args.time_limit:.0f} s"
    print(f"# {args.solver}, {limit} limit, load average {os.getloadavg()}")
    print(
        f"{'instance':26} {'vars':>7} {'hard':>8} {'soft':>5} {'build s':>7} {'solve s':>7} "
        f"{'CPU s':>6} {'result':24} {'best known (paper s)':>20}  check"
    )
    for name in args.instances:
        path = pathlib.Path(name)
        if not path.exists():
            path = BENCHMARKS / f"{name}.json"
        problem = json.loads(path.read_text())
        t0 = time.perf_counter()
        enc = PaperEncoding(problem, implied=not args.no_implied, soft=args.soft)
        wcnf = enc.wcnf()
        built = time.perf_counter() - t0
        wcnf.to_file(str(out_dir / f"{problem['name']}.wcnf"))
        if args.cpu_limit:
            wall = max(args.time_limit, 6 * args.cpu_limit)
            status, cost, model, seconds, cpu = solve(args.solver, wcnf, wall, args.cpu_limit)
        else:
            status, cost, model, seconds, cpu = solve(args.solver, wcnf, args.time_limit)
        verdict, checked = status, ""
        if model and status not in ("error", "crashed"):
            breaks, errors = check(problem, enc, enc.schedule(model))
            proven = status in ("optimum", "optimal")
            verdict = f"{breaks} breaks, {'proven' if proven else 'not proven'}"
            checked = "ok" if not errors else f"{len(errors)} errors: {errors[:2]}"
            if cost is not None and cost != breaks and args.soft == "sorted":
                checked += f" (solver's cost {cost})"
        elif status == "timeout":
            verdict = f"unsettled after {cpu:.0f} s CPU"
        elif status == "error":
            verdict = f"error {model}"
        known, paper = best.get(problem["name"], ("?", "?"))
        print(
            f"{problem['name']:26} {wcnf.nv:7d} {len(wcnf.hard):8d} {len(wcnf.soft):5d} "
            f"{built:7.2f} {seconds:7.2f} {cpu:6.1f} {verdict:24} {known:>12} ({paper:>5})"
            f"  {checked}",
            flush=True,
        )
    print(f"# WCNF files in {out_dir}; load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
