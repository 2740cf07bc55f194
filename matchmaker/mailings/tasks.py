"""The worker's side of mail: single messages, mailings (paced, in chunks that hand on
to the next, so a restart loses nothing), and the watchdog that takes up a mailing whose
job was lost."""

from __future__ import annotations

import logging
import os
import time
from datetime import timedelta

from flask import current_app
from huey import crontab
from sqlalchemy import select, update

from ..dbtypes import utcnow
from ..extensions import app_task, db, huey
from . import outbox
from .mailings import finish_if_done, prepare_feeds
from .models import Mailing, OutboxMail

log = logging.getLogger(__name__)

#: A chunk of a mailing sends for at most this long, then queues the next chunk: a
#: worker stopping (gracefully) finishes its chunk and the next worker goes on.
CHUNK_SECONDS = 10.0
#: Rows claimed (and their outcomes committed) together: one SQLite commit costs as
#: much as several SMTP messages. A worker killed mid-batch leaves at most this many
#: rows "sending", which the watchdog marks failed rather than send twice.
BATCH = 10
#: A mailing whose job has shown no sign of life for this long is taken up again.
QUIET_FOR = timedelta(minutes=2)
#: A row claimed this long ago and still "sending": its worker died mid-message.
STUCK_FOR = timedelta(minutes=10)


def mail_rate() -> float:
    """Messages a second (``MAIL_RATE``, default 10): what the mail server accepts."""
    return float(current_app.config.get("MAIL_RATE") or os.environ.get("MAIL_RATE") or 10)


@app_task()
def deliver_outbox_mail(mail_id: int) -> str:
    """Send one outbox row (not a mailing's: those go by ``send_mailing``)."""
    if not outbox.claim(mail_id):
        return "taken"
    with outbox.connection() as conn:
        wait = outbox.deliver(mail_id, conn)
    if wait is not None:
        deliver_outbox_mail.schedule((mail_id,), delay=wait.total_seconds())
        return "deferred"
    return "done"


@app_task()
def send_mailing(mailing_id: int) -> str:
    """Send the mailing's due rows for up to CHUNK_SECONDS, paced, then hand on."""
    mailing = db.session.get(Mailing, mailing_id)
    if mailing is None or mailing.status == "done":
        return "done"
    interval = 1.0 / max(mail_rate(), 0.1)
    stop_at = time.monotonic() + CHUNK_SECONDS
    with outbox.connection() as conn:
        while time.monotonic() < stop_at:
            batch = outbox.claim_batch(mailing_id, BATCH)
            if not batch:
                break
            prepare_feeds(mailing_id, batch)
            with db.session.no_autoflush:
                for mail_id in batch:  # a claimed batch is finished, even past time
                    started = time.monotonic()
                    outbox.deliver(mail_id, conn, commit=False)
                    time.sleep(max(0.0, interval - (time.monotonic() - started)))
            _heartbeat(mailing_id)  # commits the batch's outcomes too
        else:
            send_mailing(mailing_id)  # time is up: the rest in the next chunk
            return "continued"
    if finish_if_done(mailing_id):
        return "done"
    # Only rows waiting for a retry remain: come back when the first is due.
    due = db.session.scalar(
        select(OutboxMail.next_attempt_at)
        .where(OutboxMail.mailing_id == mailing_id, OutboxMail.status == "queued")
        .order_by(OutboxMail.next_attempt_at)
        .limit(1)
    )
    db.session.commit()
    delay = max(1.0, (due - utcnow()).total_seconds()) if due else 1.0
    send_mailing.schedule((mailing_id,), delay=delay)
    return "waiting"


def _heartbeat(mailing_id: int) -> None:
    db.session.execute(
        update(Mailing).where(Mailing.id == mailing_id).values(heartbeat_at=utcnow())
    )
    db.session.commit()


def take_up_lost_work() -> dict[str, int]:
    """Mailings quiet for QUIET_FOR with rows left get a new job; rows stuck 'sending'
    (their worker died mid-message) are marked failed, not sent again: the server may
    have accepted them, and a person must not get a mailing twice."""
    now = utcnow()
    stuck = outbox.stale_claims(STUCK_FOR)
    if stuck:
        db.session.execute(
            update(OutboxMail)
            .where(OutboxMail.id.in_(stuck), OutboxMail.status == "sending")
            .values(
                status="failed",
                answer="interrupted: the worker stopped while sending; not sent again "
                "(it may have arrived)",
            )
        )
    quiet = list(
        db.session.scalars(
            select(Mailing.id).where(
                Mailing.status == "sending", Mailing.heartbeat_at < now - QUIET_FOR
            )
        )
    )
    for mailing_id in quiet:
        db.session.execute(update(Mailing).where(Mailing.id == mailing_id).values(heartbeat_at=now))
    lone = list(
        db.session.scalars(
            select(OutboxMail.id).where(
                OutboxMail.mailing_id.is_(None),
                OutboxMail.status == "queued",
                OutboxMail.next_attempt_at < now - QUIET_FOR,
            )
        )
    )
    db.session.commit()
    for mailing_id in quiet:
        send_mailing(mailing_id)
    for mail_id in lone:
        deliver_outbox_mail(mail_id)
    return {"stuck": len(stuck), "mailings": len(quiet), "single": len(lone)}


@huey.periodic_task(crontab(minute="*"))
def watch_outbox() -> None:
    with huey.flask_app.app_context():
        try:
            take_up_lost_work()
        finally:
            db.session.remove()


@huey.periodic_task(crontab(minute="*/10"))
def send_reminders() -> None:
    """Every reminder due (deadlines, requests waiting, tomorrow's agenda)."""
    from .reminders import send_due_reminders

    with huey.flask_app.app_context():
        try:
            send_due_reminders()
        finally:
            db.session.remove()
