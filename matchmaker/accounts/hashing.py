"""At most ``PASSWORD_HASH_CONCURRENCY`` password hashes at a time on this machine.

A password check is scrypt: about 0.1 s of one core and 32 MiB, on purpose. When 300
people log in within a minute, unbounded hashes take every core, and the polls, agendas
and check-ins of everybody already in wait behind them. Each hash takes a slot first: a
lock file (``flock``) of a few in a folder shared by the machine's processes (gunicorn's
workers, the job worker), so the limit holds across processes, and a process that dies
releases its slot with its files. A login that finds no free slot waits for one; with
threaded workers (gunicorn ``--threads``) the other requests of its process go on
meanwhile (OpenSSL's scrypt releases the GIL). The hash itself is unchanged (werkzeug's
scrypt, n=2**15, r=8, p=1): the bound limits how many at once, not how strong each is.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

from flask import current_app


def _folder() -> Path:
    configured = current_app.config.get("PASSWORD_HASH_LOCK_DIR")
    if configured:
        return Path(configured)
    # One folder per installation (its instance folder), in the machine's temp folder.
    tag = hashlib.sha256(current_app.instance_path.encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"matchmaker-hash-slots-{tag}"


@contextmanager
def hash_slot():
    """Hold one of the machine's password-hashing slots for the ``with`` block."""
    slots = int(current_app.config.get("PASSWORD_HASH_CONCURRENCY") or 0)
    if slots <= 0:
        yield
        return
    folder = _folder()
    folder.mkdir(parents=True, exist_ok=True)
    held = None
    for n in range(slots):
        handle = open(folder / f"slot-{n}", "a")  # noqa: SIM115 (closed below)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            continue
        held = handle
        break
    if held is None:  # every slot busy: wait for one
        held = open(folder / f"slot-{os.getpid() % slots}", "a")  # noqa: SIM115
        fcntl.flock(held, fcntl.LOCK_EX)
    try:
        yield
    finally:
        held.close()  # releases the lock
