"""Print the length of the app's view functions (issue 27's "median handler length").

A handler is a function decorated with ``<blueprint>.route/get/post/put/patch/delete(...)``;
its length is the lines from ``def`` to its last line (decorators not counted).

    .venv/bin/python scripts/handler_lengths.py [package-dir]
"""

import ast
import statistics
import sys
from pathlib import Path

VERBS = {"route", "get", "post", "put", "patch", "delete"}


def is_route(decorator: ast.expr) -> bool:
    return (
        isinstance(decorator, ast.Call)
        and isinstance(decorator.func, ast.Attribute)
        and decorator.func.attr in VERBS
    )


def handlers(root: Path) -> list[tuple[int, str]]:
    found = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and any(
                is_route(d) for d in node.decorator_list
            ):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                found.append((length, f"{path}:{node.lineno} {node.name}"))
    return found


def main() -> None:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "matchmaker")
    found = handlers(root)
    lengths = [length for length, _ in found]
    print(f"handlers: {len(found)}")
    print(f"median: {statistics.median(lengths)}  max: {max(lengths)}")
    for length, where in sorted(found, reverse=True)[:5]:
        print(f"{length:4d}  {where}")


if __name__ == "__main__":
    main()
