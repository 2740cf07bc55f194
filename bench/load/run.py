"""The event-day load test: seed, serve, load with locust, print the figures.

    .venv/bin/python bench/load/run.py [--sizes 200,1000,2000] [--backends sqlite,postgresql]
                                       [--seconds 90] [--web-workers 2] [--threads 8]

The defaults are the event day's six measurements (about 11 minutes in all).

For each backend: a fresh database (a SQLite file in a temporary folder; PostgreSQL from
BENCH_DATABASE_URL, whose schema is wiped, or scripts/pg.sh's cluster, database
``matchmaker_bench``) seeded by bench/load/seed.py with the largest size (the event has
that many participants; a run at a smaller size has fewer of them online). For each
size: gunicorn (``--web-workers`` workers of ``--threads`` threads, gthread as in the
README's deployment, no access log) on a free loopback port, then locust headless
(bench/load/locustfile.py) with that many participants plus two desk clerks for
``--seconds``; participants come online at ``size/60`` a second (everybody within the
first minute), about ``--logins`` of them logging in afresh (the start-of-day burst; the
others hold the session cookie of an earlier log-in), so keep ``--seconds`` above 60.

Printed per size: p50/p95/p99 (ms) and the count and failures per request kind, the
request rate, the server's CPU per request (gunicorn's processes, user + system, over
the run, divided by the requests; on PostgreSQL the database server's beside it, all
of its processes, when they can be read) and the load average beside them (the machine may be
shared: figures from a busy machine are upper bounds); at the end a summary, one line
per run. Everything stays on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SECRET = "bench-load-secret"
TICK = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """User + system CPU of ``pid`` and its children still alive (gunicorn's workers)."""
    total = 0.0
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    except OSError:
        pass
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / TICK  # utime, stime
    return total


def database_url(backend: str, tmp: str) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp}/bench.db"
    url = os.environ.get("BENCH_DATABASE_URL")
    if not url:
        pg = subprocess.run(
            [str(REPO / "scripts/pg.sh"), "ensure"], capture_output=True, text=True, check=True
        ).stdout.strip()
        url = pg.rsplit("/", 1)[0] + "/matchmaker_bench"
        from sqlalchemy import create_engine, text

        admin = create_engine(pg.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("DROP DATABASE IF EXISTS matchmaker_bench WITH (FORCE)"))
            conn.execute(text("CREATE DATABASE matchmaker_bench"))
        admin.dispose()
    else:
        from sqlalchemy import create_engine, text

        engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def seed(env: dict, size: int, tmp: str) -> Path:
    result = subprocess.run(
        [sys.executable, "-m", "bench.load.seed", "--participants", str(size)],
        cwd=REPO, env=env, capture_output=True, text=True,
    )  # fmt: skip
    if result.returncode != 0:
        sys.exit(result.stderr[-3000:])
    path = Path(tmp) / "plan.json"
    path.write_text(result.stdout.strip().splitlines()[-1])
    return path


def serve(env: dict, port: int, workers: int, threads: int, log: Path) -> subprocess.Popen:
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "--workers", str(workers), "--threads", str(threads),
         "--bind", f"127.0.0.1:{port}", "--timeout", "120", "--keep-alive", "30",
         "--worker-connections", "4000", "wsgi:app"],
        cwd=REPO, env=env, stdout=open(log, "w"), stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 90
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                sys.exit("gunicorn did not start:\n" + log.read_text()[-3000:])
            time.sleep(0.2)
    time.sleep(2)  # every worker imported the app
    return process


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def load(env: dict, port: int, users: int, seconds: int, prefix: str) -> None:
    rate = max(2.0, users / 60)
    subprocess.run(
        [str(BIN / "locust"), "-f", str(REPO / "bench/load/locustfile.py"), "--headless",
         "--host", f"http://127.0.0.1:{port}", "-u", str(users + 2), "-r", f"{rate:.1f}",
         "-t", f"{seconds}s", "--csv", prefix, "--only-summary", "--loglevel", "WARNING",
         "--stop-timeout", "5"],
        cwd=REPO, env=env, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def postmaster_pid(url: str) -> int | None:
    """The PostgreSQL server's main process on this machine (its backends are its
    children), to count the database's CPU too; None when it cannot be read."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as conn:
            folder = conn.execute(text("SHOW data_directory")).scalar()
        return int(Path(folder, "postmaster.pid").read_text().split()[0])
    except Exception:  # not a superuser, another machine: no figure
        return None
    finally:
        engine.dispose()


def report(
    prefix: str, cpu: float, seconds: float, before: tuple, after: tuple, db_cpu: float | None
) -> dict:
    with open(f"{prefix}_stats.csv") as f:
        rows = list(csv.DictReader(f))
    total = next((r for r in rows if r["Name"] == "Aggregated"), None)
    print(f"{'request':26} {'count':>7} {'fail':>5} {'p50':>6} {'p95':>6} {'p99':>6}  (ms)")
    for r in sorted(rows, key=lambda r: (r["Name"] == "Aggregated", r["Name"])):
        print(
            f"{r['Name'][:26]:26} {r['Request Count']:>7} {r['Failure Count']:>5} "
            f"{r['50%']:>6} {r['95%']:>6} {r['99%']:>6}"
        )
    requests = int(total["Request Count"]) if total else 0
    if requests:
        print(
            f"{requests / seconds:.0f} requests/s; server CPU {1000 * cpu / requests:.2f} ms "
            f"per request ({cpu:.1f} s in {seconds:.0f} s)"
            + (
                f"; database server CPU {1000 * db_cpu / requests:.2f} ms per request"
                if db_cpu is not None
                else ""
            )
        )
    print(
        f"load average (1, 5, 15 min) before {before[0]:.2f} {before[1]:.2f} {before[2]:.2f}, "
        f"after {after[0]:.2f} {after[1]:.2f} {after[2]:.2f}"
    )
    with open(f"{prefix}_failures.csv") as f:
        failures = list(csv.DictReader(f))
    for r in failures[:5]:
        print(f"  failure: {r['Name']}: {r['Error'][:100]} x{r['Occurrences']}")
    kinds = [r for r in rows if r["Name"] != "Aggregated" and r["95%"] not in ("", "N/A")]
    worst = max(kinds, key=lambda r: float(r["95%"]), default=None)
    return {
        "rate": requests / seconds,
        "p95": f"{worst['95%']} ({worst['Name']})" if worst else "-",
        "failures": int(total["Failure Count"]) if total else 0,
        "requests": requests,
        "cpu": 1000 * cpu / requests if requests else 0.0,
        "db_cpu": 1000 * db_cpu / requests if requests and db_cpu is not None else None,
        "load": after[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="200,1000,2000")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--seconds", type=int, default=90)
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument(
        "--threads", type=int, default=8, help="threads per gunicorn worker (gthread; make run: 8)"
    )
    parser.add_argument(
        "--logins", type=int, default=300, help="participants who log in during the run"
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    began = time.monotonic()
    summary = []
    for backend in args.backends.split(","):
        tmp = tempfile.mkdtemp(prefix="matchmaker-load-")
        url = database_url(backend, tmp)
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "SECRET_KEY": SECRET,
            "HUEY_SQLITE_PATH": f"{tmp}/huey.db",
            "MATCHMAKER_ENV": "development",
            "LOAD_SECONDS": str(args.seconds),
        }
        env.pop("REDIS_URL", None)
        print(f"\n=== {backend}: seeding {max(sizes)} participants", flush=True)
        plan = seed(env, max(sizes), tmp)
        env["LOAD_PLAN"] = str(plan)
        db_pid = postmaster_pid(url) if backend == "postgresql" else None
        meetings = json.loads(plan.read_text())["meetings"]
        for size in sizes:
            port = free_port()
            log = Path(tmp) / f"gunicorn-{size}.log"
            server = serve(env, port, args.web_workers, args.threads, log)
            env["LOAD_LOGIN_EVERY"] = str(max(1, size // max(1, args.logins)))
            try:
                print(
                    f"\n--- {backend}, {size} participants online (of {max(sizes)}, "
                    f"{meetings} published meetings), {args.web_workers} gunicorn workers "
                    f"x {args.threads} threads, {args.seconds} s, password hashes at once: "
                    f"{env.get('PASSWORD_HASH_CONCURRENCY') or 'default'}; "
                    f"{-(-size // int(env['LOAD_LOGIN_EVERY']))} log in during the run",
                    flush=True,
                )
                before, cpu0, t0 = os.getloadavg(), cpu_seconds(server.pid), time.monotonic()
                db0 = cpu_seconds(db_pid) if db_pid else None
                load(env, port, size, args.seconds, f"{tmp}/locust-{size}")
                cpu, elapsed = cpu_seconds(server.pid) - cpu0, time.monotonic() - t0
                db_cpu = cpu_seconds(db_pid) - db0 if db_pid and db0 is not None else None
                figures = report(
                    f"{tmp}/locust-{size}", cpu, elapsed, before, os.getloadavg(), db_cpu
                )
                summary.append((backend, size, figures))
            finally:
                stop(server)
    print(
        f"\n=== summary ({args.web_workers} gunicorn workers x {args.threads} threads, "
        f"{args.seconds} s each)\n{'backend':10} {'online':>6} {'req/s':>6} {'fail':>5} "
        f"{'app CPU':>8} {'db CPU':>7} {'load':>5}  worst p95 ms (request)"
    )
    for backend, size, f in summary:
        db = f"{f['db_cpu']:7.2f}" if f["db_cpu"] is not None else f"{'-':>7}"
        print(
            f"{backend:10} {size:6} {f['rate']:6.0f} {f['failures']:5} {f['cpu']:8.2f} {db} "
            f"{f['load']:5.1f}  {f['p95']}"
        )
    print("(CPU in ms per request; load: the 1-minute load average at the end of the run)")
    print(f"(all measurements took {(time.monotonic() - began) / 60:.1f} min)")


if __name__ == "__main__":
    main()
