"""Command line of the scheduling engine::

    python -m matchmaker.scheduling solve PROBLEM.json
        [--time-limit S] [--workers N] [--out RESULT.json]

Exit status: 0 when a result was written (whatever its status), 2 for a malformed
problem or unreadable file (message on stderr naming the offending item).
"""

from __future__ import annotations

import argparse
import json
import sys

from .problem import ProblemError, parse_problem
from .solver import solve


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m matchmaker.scheduling")
    sub = parser.add_subparsers(dest="command", required=True)
    cmd = sub.add_parser("solve", help="schedule a problem in the matchmaker.scheduling/1 format")
    cmd.add_argument("problem", help="PROBLEM.json ('-' for stdin)")
    cmd.add_argument("--time-limit", type=float, default=10.0, help="seconds (default 10)")
    cmd.add_argument("--workers", type=int, default=2, help="CP-SAT workers (default 2)")
    cmd.add_argument("--out", help="write the result here instead of stdout")
    args = parser.parse_args(argv)
    try:
        if args.problem == "-":
            data = json.load(sys.stdin)
        else:
            with open(args.problem, encoding="utf-8") as fh:
                data = json.load(fh)
        problem = parse_problem(data)
    except OSError as exc:
        print(f"error: cannot read {args.problem}: {exc.strerror}", file=sys.stderr)
        return 2
    except json.JSONDecodeError as exc:
        print(f"error: {args.problem} is not valid JSON: {exc}", file=sys.stderr)
        return 2
    except ProblemError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    result = solve(problem, time_limit=args.time_limit, workers=args.workers)
    text = json.dumps(result.to_dict(), indent=1)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as fh:
            fh.write(text + "\n")
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
