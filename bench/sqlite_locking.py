"""SQLite locking with several connections: which way of sending BEGIN holds up.

A loop like the solver worker's heartbeat (read the run, wait 0.5 s, write, commit)
runs beside two writers like web requests (read, insert, commit) for 5 s, on one
SQLite file, once per set-up:

- ``driver``: Python's sqlite3 decides (BEGIN before the first INSERT/UPDATE/DELETE;
  savepoints are not real: see matchmaker/database.py);
- ``recipe``: SQLAlchemy's documented recipe, a deferred BEGIN at the first statement;
- ``immediate``: BEGIN IMMEDIATE at the first statement;
- ``app``: the app's set-up (``matchmaker.database.configure_engine``).

    .venv/bin/python bench/sqlite_locking.py

Prints, per set-up, the heartbeat's failures and the writers' successes, failures and
latency. Measured on the 2-core development machine (2026-12): driver 0 / 142 ok,
median 21 ms; recipe 9 heartbeat failures / 14 ok, median 554 ms; immediate 0 / 2 ok,
5.4 s each; app 0 / 123 ok, median 30 ms.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from sqlalchemy import create_engine, event, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from matchmaker.database import configure_engine  # noqa: E402

SECONDS = 5.0


def _begin_with(engine, sql: str) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA busy_timeout = 15000")

    @event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql(sql)


SETUPS = {
    "driver": lambda engine: None,
    "recipe": lambda engine: _begin_with(engine, "BEGIN"),
    "immediate": lambda engine: _begin_with(engine, "BEGIN IMMEDIATE"),
    "app": configure_engine,
}


def measure(name: str, folder: Path) -> str:
    engine = create_engine(f"sqlite:///{folder / (name + '.db')}")
    SETUPS[name](engine)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE runs (id INTEGER PRIMARY KEY, beat INTEGER)")
        conn.exec_driver_sql("CREATE TABLE notes (id INTEGER PRIMARY KEY, x TEXT)")
        conn.exec_driver_sql("INSERT INTO runs VALUES (1, 0)")
    stop = threading.Event()
    heartbeat_failures, writer_failures, latencies = [], [], []

    def heartbeat():
        with engine.connect() as conn:
            while not stop.is_set():
                try:
                    conn.execute(text("SELECT beat FROM runs WHERE id = 1")).all()
                    time.sleep(0.5)
                    conn.execute(text("UPDATE runs SET beat = beat + 1 WHERE id = 1"))
                    conn.commit()
                except Exception as error:
                    heartbeat_failures.append(error)
                    conn.rollback()

    def writer():
        with engine.connect() as conn:
            while not stop.is_set():
                started = time.perf_counter()
                try:
                    conn.execute(text("SELECT count(*) FROM notes")).all()
                    conn.execute(text("INSERT INTO notes (x) VALUES ('n')"))
                    conn.commit()
                    latencies.append(time.perf_counter() - started)
                except Exception as error:
                    writer_failures.append(error)
                    conn.rollback()
                time.sleep(0.05)

    threads = [threading.Thread(target=heartbeat)] + [
        threading.Thread(target=writer) for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    time.sleep(SECONDS)
    stop.set()
    for thread in threads:
        thread.join()
    engine.dispose()
    median = statistics.median(latencies) * 1000 if latencies else float("nan")
    return (
        f"{name:9}  heartbeat failures {len(heartbeat_failures):2}   writes ok "
        f"{len(latencies):3}, failed {len(writer_failures):2}, median {median:7.1f} ms, "
        f"max {max(latencies, default=float('nan')) * 1000:7.1f} ms"
    )


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as folder:
        for name in SETUPS:
            print(measure(name, Path(folder)), flush=True)
