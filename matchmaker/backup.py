"""``flask db backup FILE`` and ``flask db restore FILE``: the SQLite default's backups.

The copy is made with SQLite's online backup API (``sqlite3.Connection.backup``) in one
step: it reads the whole database inside one read transaction, so the copy is exactly
the database as it was when the backup began, while the app keeps running (a writer
waits for the copy like for any other reader, within its busy timeout). Copying the file
with ``cp`` instead can catch a write half-way and give a corrupt copy.

``restore`` checks the backup (``PRAGMA integrity_check``, an Alembic revision), keeps
the current database beside it (``<db>.before-restore-<UTC time>``), and asks for
``--yes``. It writes through the same backup API, so a server still running never reads
a half-copied file; it then moves every data version past the old database's and the
backup's, so no process serves a feed or a page cached from before the restore. Stop the
app first all the same: a request in flight during the restore may have read the old
data and write a change on top of the restored one.

PostgreSQL has its own tools; the commands say which (see README, "Backups").
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import click
from flask_migrate.cli import db as db_cli

from .extensions import db

PG_HELP = (
    "This database is PostgreSQL: use its own tools, which copy a consistent snapshot "
    "while the app runs.\n"
    '  back up:  pg_dump --format=custom --file=matchmaker.dump "$DATABASE_URL"\n'
    '  restore:  pg_restore --clean --if-exists --no-owner --dbname="$DATABASE_URL" '
    "matchmaker.dump\n"
    "(see README.md, Backups)."
)


def sqlite_path() -> Path:
    """The app's SQLite file, or a ClickException that explains what to do instead."""
    url = db.engine.url
    if url.get_backend_name() != "sqlite":
        raise click.ClickException(PG_HELP)
    if not url.database or url.database == ":memory:":
        raise click.ClickException("The database is in memory: there is nothing to back up.")
    return Path(url.database)


def copy_database(source: Path | str, target: Path | str) -> None:
    """Copy SQLite database ``source`` over ``target`` in one read transaction."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    try:
        dst = sqlite3.connect(target, timeout=30)
        try:
            src.backup(dst)  # pages=-1: everything in one step, one consistent snapshot
        finally:
            dst.close()
    finally:
        src.close()


def check_database(path: Path) -> str:
    """The Alembic revision of a sound database file; ClickException when it is not one."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            result = conn.execute("PRAGMA integrity_check").fetchone()[0]
            revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as error:
        raise click.ClickException(f"{path} is not a Matchmaker database ({error}).") from None
    if result != "ok":
        raise click.ClickException(f"{path} fails SQLite's integrity check: {result}")
    if revision is None:
        raise click.ClickException(f"{path} has no schema revision: not a Matchmaker backup.")
    return revision[0]


def bump_versions(path: Path, floor: int) -> None:
    """Move every data version (``changes.ChangeCounter``) past ``floor``."""
    conn = sqlite3.connect(path, timeout=30)
    try:
        with conn:
            conn.execute("UPDATE change_counters SET value = value + ?", (floor + 1,))
    finally:
        conn.close()


def _max_version(path: Path) -> int:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT coalesce(max(value), 0) FROM change_counters").fetchone()[0]
    except sqlite3.DatabaseError:
        return 0
    finally:
        conn.close()


@db_cli.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite FILE if it exists.")
def backup_command(file: Path, force: bool) -> None:
    """Copy the SQLite database to FILE while the app runs (consistent)."""
    source = sqlite_path()
    if file.resolve() == source.resolve():
        raise click.ClickException("FILE is the database itself.")
    if file.exists() and not force:
        raise click.ClickException(f"{file} exists; choose another name or pass --force.")
    tmp = file.with_name(file.name + ".partial")
    tmp.unlink(missing_ok=True)
    copy_database(source, tmp)
    revision = check_database(tmp)
    tmp.replace(file)
    click.echo(f"Backed up {source} to {file} (schema revision {revision}).")


@db_cli.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Replace the database without asking.")
def restore_command(file: Path, yes: bool) -> None:
    """Replace the SQLite database with backup FILE (the current one is kept aside)."""
    target = sqlite_path()
    revision = check_database(file)
    if not yes:
        click.confirm(
            f"Replace {target} with {file} (schema revision {revision})? Stop the app "
            "first: changes made since that backup are lost",
            abort=True,
        )
    db.engine.dispose()  # this process's own connections must not hold the old file
    kept = None
    if target.exists():
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        kept = target.with_name(f"{target.name}.before-restore-{stamp}")
        copy_database(target, kept)
    # The versions move on in a staged copy, so the live file goes from old to new in
    # one step (the backup API's), never showing the backup's versions to a server.
    floor = max(_max_version(file), _max_version(target) if target.exists() else 0)
    staged = target.with_name(target.name + ".restoring")
    staged.unlink(missing_ok=True)
    try:
        copy_database(file, staged)
        bump_versions(staged, floor)
        copy_database(staged, target)
    finally:
        staged.unlink(missing_ok=True)
    click.echo(f"Restored {target} from {file} (schema revision {revision}).")
    if kept:
        click.echo(f"The database as it was is kept in {kept}.")
    click.echo("Run `flask --app wsgi db upgrade` if the backup is older than this version.")
