"""Large CSV imports run in the job worker, all or nothing, with progress for the page.

A file of more than ``LARGE_IMPORT_ROWS`` lines would hold a web request (and a server
thread) for many seconds: it is checked and saved by a task instead. The task's state
(checking n of N, done, refused with the lines, failed) lives in the queue's own
key-value store (``huey.put``), which the web process and the worker share (SQLite file
or Redis), keyed by event and a random id: only that event's organisers can read it.
"""

from __future__ import annotations

import logging
import secrets

from ..errors import DomainError
from ..extensions import app_task, db, huey

log = logging.getLogger(__name__)

#: Files with more lines than this are imported by the worker.
LARGE_IMPORT_ROWS = 200
#: The page learns of progress every this many lines.
PROGRESS_EVERY = 25


def _key(event_id: int, job_id: str) -> str:
    return f"participant-import:{event_id}:{job_id}"


def job_state(event, job_id: str) -> dict | None:
    """What the import ``job_id`` of ``event`` has done so far (None: no such import)."""
    if not job_id or len(job_id) > 64:
        return None
    return huey.get(_key(event.id, job_id), peek=True)


def _save(event_id: int, job_id: str, **state) -> None:
    huey.put(_key(event_id, job_id), state)


def start_import(event, organiser, data: bytes, total: int) -> str:
    """Queue the import of ``data`` (``total`` lines, read already); returns its id."""
    job_id = secrets.token_urlsafe(12)
    _save(event.id, job_id, state="queued", done=0, total=total)
    import_in_worker(job_id, event.id, organiser.id, data)
    return job_id


@app_task()
def import_in_worker(job_id: str, event_id: int, organiser_id: int, data: bytes) -> None:
    from ..accounts.models import User
    from ..events.models import Event
    from .imports import ImportRefused, import_csv

    previous = huey.get(_key(event_id, job_id), peek=True) or {}
    if previous.get("state") in ("done", "refused", "failed"):
        return  # run twice (a retry): the first run's outcome stands
    event, organiser = db.session.get(Event, event_id), db.session.get(User, organiser_id)
    total = previous.get("total", 0)
    if event is None or organiser is None:
        _save(event_id, job_id, state="failed", done=0, total=total, lines=[])
        return

    def progress(done: int) -> None:
        if done % PROGRESS_EVERY == 0:
            _save(event_id, job_id, state="checking", done=done, total=total)

    try:
        added = import_csv(event, organiser, data, progress=progress)
        db.session.commit()
    except ImportRefused as refusal:
        db.session.rollback()
        _save(event_id, job_id, state="refused", done=total, total=total, lines=refusal.lines)
        return
    except DomainError as refusal:
        db.session.rollback()
        _save(event_id, job_id, state="refused", done=0, total=total, lines=[refusal.message])
        return
    except Exception:
        db.session.rollback()
        log.exception("participant import %s of event %s failed", job_id, event_id)
        _save(event_id, job_id, state="failed", done=0, total=total, lines=[])
        raise
    _save(event_id, job_id, state="done", done=total, total=total, added=len(added))
