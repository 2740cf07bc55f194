"""`flask db backup` / `flask db restore`: a consistent copy of the SQLite file while the
app writes, brought back whole. These tests make their own SQLite databases (the
commands are the SQLite default's backup story), so they run the same on both passes."""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest
from flask_migrate import upgrade

from matchmaker import create_app
from matchmaker.extensions import db, init_huey


@pytest.fixture
def sqlite_app(app, tmp_path):
    """A factory of apps on fresh, migrated SQLite files (the suite's app is restored)."""

    def make(name: str, migrate: bool = True):
        other = create_app(
            {
                "SECRET_KEY": "backup-test",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / name}",
                "HUEY_IMMEDIATE": True,
            }
        )
        if migrate:
            with other.app_context():
                upgrade()
                db.engine.dispose()
        return other

    try:
        yield make
    finally:
        init_huey(app)  # create_app re-pointed the shared Huey instances


def cli(app, *args, **kwargs):
    result = app.test_cli_runner().invoke(args=["db", *args], **kwargs)
    with app.app_context():
        db.engine.dispose()
    return result


def test_a_backup_taken_while_rows_are_committed_holds_every_earlier_row(sqlite_app, tmp_path):
    live = sqlite_app("live.db")
    path = tmp_path / "live.db"
    setup = sqlite3.connect(path)
    setup.execute("CREATE TABLE probe (id INTEGER PRIMARY KEY, payload TEXT NOT NULL)")
    # Enough pages that copying them takes a while beside the writer.
    setup.executemany("INSERT INTO probe (payload) VALUES (?)", [("x" * 500,)] * 4000)
    setup.commit()
    setup.close()

    committed = [4000]  # the highest id known to be committed
    stop = threading.Event()

    def writer():
        conn = sqlite3.connect(path, timeout=30, isolation_level=None)
        while not stop.is_set():
            conn.execute("BEGIN IMMEDIATE")
            row_id = conn.execute("INSERT INTO probe (payload) VALUES ('w')").lastrowid
            conn.execute("COMMIT")
            committed[0] = row_id
            time.sleep(0.001)
        conn.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        time.sleep(0.2)
        before = committed[0]
        result = cli(live, "backup", str(tmp_path / "copy.db"))
        time.sleep(0.2)
    finally:
        stop.set()
        thread.join()
    assert result.exit_code == 0, result.output
    assert before > 4000  # the writer was committing while the backup ran
    assert committed[0] > before

    fresh = sqlite_app("fresh.db", migrate=False)
    result = cli(fresh, "restore", str(tmp_path / "copy.db"), "--yes")
    assert result.exit_code == 0, result.output

    conn = sqlite3.connect(tmp_path / "fresh.db")
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    ids = [r[0] for r in conn.execute("SELECT id FROM probe ORDER BY id")]
    conn.close()
    assert ids[-1] >= before  # every row committed before the backup began
    assert ids == list(range(1, len(ids) + 1))  # and a snapshot: no gap, nothing torn


def test_restore_asks_first_and_keeps_the_database_it_replaces(sqlite_app, tmp_path):
    live = sqlite_app("live.db")
    conn = sqlite3.connect(tmp_path / "live.db")
    conn.execute("INSERT INTO change_counters (name, value) VALUES ('backup-test', 7)")
    conn.commit()
    conn.close()
    assert cli(live, "backup", str(tmp_path / "copy.db")).exit_code == 0
    conn = sqlite3.connect(tmp_path / "live.db")
    conn.execute("UPDATE change_counters SET value = 9")
    conn.execute("CREATE TABLE made_later (id INTEGER PRIMARY KEY)")
    conn.commit()
    conn.close()

    refused = cli(live, "restore", str(tmp_path / "copy.db"), input="n\n")
    assert refused.exit_code != 0 and "Aborted" in refused.output
    assert _tables(tmp_path / "live.db") >= {"made_later"}  # untouched

    result = cli(live, "restore", str(tmp_path / "copy.db"), input="y\n")
    assert result.exit_code == 0, result.output
    assert "made_later" not in _tables(tmp_path / "live.db")
    kept = list(tmp_path.glob("live.db.before-restore-*"))
    assert len(kept) == 1 and "made_later" in _tables(kept[0])
    # Caches keyed by a data version (feeds, directory) must not take the restored
    # data for what they cached: the versions move past both databases'.
    conn = sqlite3.connect(tmp_path / "live.db")
    assert conn.execute("SELECT min(value) FROM change_counters").fetchone()[0] > 9
    conn.close()


def test_restore_refuses_a_file_that_is_not_a_sound_backup(sqlite_app, tmp_path):
    live = sqlite_app("live.db")
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    result = cli(live, "restore", str(junk), "--yes")
    assert result.exit_code != 0 and "not a Matchmaker database" in result.output
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    result = cli(live, "restore", str(empty), "--yes")
    assert result.exit_code != 0 and "not a Matchmaker database" in result.output
    assert "alembic_version" in _tables(tmp_path / "live.db")


def test_on_postgresql_the_commands_name_pg_dump_and_pg_restore(app):
    other = create_app(
        {
            "SECRET_KEY": "backup-test",
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:9/none",
            "HUEY_IMMEDIATE": True,
        }
    )
    try:
        for command in ("backup", "restore"):
            result = other.test_cli_runner().invoke(args=["db", command, __file__])
            assert result.exit_code != 0
            assert "pg_dump" in result.output and "pg_restore" in result.output
    finally:
        init_huey(app)


def _tables(path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    finally:
        conn.close()
