"""The command line: ``python -m matchmaker.scheduling solve``."""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys

from matchmaker.scheduling import check_result, parse_problem

ROOT = pathlib.Path(__file__).resolve().parents[2]
PROBLEM = {
    "format": "matchmaker.scheduling/1",
    "slots": [{"id": "1"}, {"id": "2"}],
    "tables": ["T1"],
    "participants": [{"id": "a"}, {"id": "b"}, {"id": "c"}],
    "meetings": [
        {"id": "1", "participants": ["a", "b"]},
        {"id": "2", "participants": ["a", "c"]},
    ],
    "fairness": 2,
}


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "matchmaker.scheduling", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_solve_writes_result_to_out(tmp_path):
    src = tmp_path / "problem.json"
    src.write_text(json.dumps(PROBLEM))
    out = tmp_path / "result.json"
    proc = cli("solve", str(src), "--time-limit", "5", "--workers", "1", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    result = json.loads(out.read_text())
    assert result["status"] == "optimal" and result["breaks"] == 0 and result["moved"] == 0
    assert check_result(parse_problem(PROBLEM), result) == []


def test_solve_prints_to_stdout(tmp_path):
    src = tmp_path / "problem.json"
    src.write_text(json.dumps(PROBLEM))
    proc = cli("solve", str(src), "--time-limit", "5")
    assert proc.returncode == 0
    assert len(json.loads(proc.stdout)["assignments"]) == 2


def test_malformed_problem_exits_2_naming_the_item(tmp_path):
    bad = json.loads(json.dumps(PROBLEM))
    bad["meetings"].append({"id": "12", "participants": ["a", "99"]})
    src = tmp_path / "bad.json"
    src.write_text(json.dumps(bad))
    proc = cli("solve", str(src))
    assert proc.returncode == 2
    assert 'meeting "12": unknown participant "99"' in proc.stderr
    assert proc.stdout == ""


def test_invalid_json_and_missing_file_exit_2(tmp_path):
    src = tmp_path / "broken.json"
    src.write_text("{not json")
    assert cli("solve", str(src)).returncode == 2
    proc = cli("solve", str(tmp_path / "missing.json"))
    assert proc.returncode == 2 and "cannot read" in proc.stderr
