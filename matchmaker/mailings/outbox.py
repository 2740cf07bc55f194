"""The outbox: every message to one recipient is a row (queued, sending, sent or logged,
failed with the server's answer, skipped), and the job worker delivers it.

A row is claimed before it is sent, in one statement that only succeeds while the row is
still queued (``UPDATE ... WHERE status = 'queued' RETURNING``): two workers, or a job
run twice after a restart, can never both send it. A temporary refusal (an SMTP 4xx
answer, a connection that failed) puts the row back in the queue with a back-off; a
permanent one (5xx) marks it failed with the server's words.
"""

from __future__ import annotations

import logging
import smtplib
from contextlib import contextmanager
from datetime import timedelta

from flask import current_app
from sqlalchemy import and_, select, update

from ..dbtypes import utcnow
from ..extensions import db
from ..notifications.services import after_commit
from . import preferences
from .message import build_message, to_html, to_text
from .models import OPTIONAL_CATEGORIES, OutboxMail

log = logging.getLogger(__name__)

#: Attempts before a temporary failure becomes a permanent one.
MAX_ATTEMPTS = 5


def backoff(attempts: int) -> timedelta:
    """Wait before the next attempt: 1, 2, 4, 8... minutes (at most an hour)."""
    return timedelta(minutes=min(60, 2 ** max(0, attempts - 1)))


def queue_mail(
    to: str,
    subject: str,
    text: str,
    *,
    html: str | None = None,
    category: str = "required",
    event_id: int | None = None,
    participant_id: int | None = None,
    attachment: tuple[str, str] | None = None,
) -> OutboxMail | None:
    """Put one message in the outbox; the worker sends it once the transaction commits.

    ``text`` may use the simple formatting of ``message.to_html``; the HTML part is made
    from it unless given. Nothing is queued for an address without an '@'.
    """
    if not to or "@" not in to:
        return None
    row = OutboxMail(
        to_address=to,
        subject=subject[:300],
        text_body=to_text(text),
        html_body=html if html is not None else to_html(text),
        category=category,
        event_id=event_id,
        participant_id=participant_id,
        attachment_name=attachment[0] if attachment else None,
        attachment=attachment[1] if attachment else None,
    )
    db.session.add(row)
    db.session.flush()
    from .tasks import deliver_outbox_mail

    mail_id = row.id
    after_commit(lambda: deliver_outbox_mail(mail_id))
    return row


def claim(mail_id: int) -> bool:
    """Take the row for sending if it is still queued (and committed as taken)."""
    now = utcnow()
    taken = db.session.execute(
        update(OutboxMail)
        .where(OutboxMail.id == mail_id, OutboxMail.status == "queued")
        .values(status="sending", attempts=OutboxMail.attempts + 1, claimed_at=now)
        .returning(OutboxMail.id)
        .execution_options(synchronize_session=False)
    ).scalar()
    db.session.commit()
    return taken is not None


def claim_batch(mailing_id: int, size: int) -> list[int]:
    """Claim up to ``size`` of the mailing's due rows in one statement (and commit);
    a row another worker took meanwhile is simply not in the answer."""
    now = utcnow()
    due = (
        select(OutboxMail.id)
        .where(
            OutboxMail.mailing_id == mailing_id,
            OutboxMail.status == "queued",
            OutboxMail.next_attempt_at <= now,
        )
        .order_by(OutboxMail.id)
        .limit(size)
    )
    ids = list(db.session.scalars(due))
    if not ids:
        db.session.commit()
        return []
    taken = db.session.scalars(
        update(OutboxMail)
        .where(OutboxMail.id.in_(ids), OutboxMail.status == "queued")
        .values(status="sending", attempts=OutboxMail.attempts + 1, claimed_at=now)
        .returning(OutboxMail.id)
        .execution_options(synchronize_session=False)
    ).all()
    db.session.commit()
    return sorted(taken)


class Connection:
    """One SMTP connection, opened when first needed and reused for a batch."""

    def __init__(self, config) -> None:
        self.config = config
        self.smtp: smtplib.SMTP | None = None

    def open(self) -> smtplib.SMTP:
        if self.smtp is None:
            config = self.config
            smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30)
            if config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
            smtp.ehlo_or_helo_if_needed()
            self.smtp = smtp
        return self.smtp

    def send(self, message, sender: str, to: str) -> str:
        """Send; the server's answer to the message ("250 OK ...")."""
        smtp = self.open()
        code, answer = smtp.mail(sender)
        if code != 250:
            smtp.rset()
            raise smtplib.SMTPSenderRefused(code, answer, sender)
        code, answer = smtp.rcpt(to)
        if code not in (250, 251):
            smtp.rset()
            raise smtplib.SMTPRecipientsRefused({to: (code, answer)})
        # SMTP wants CRLF line ends; data() sends bytes as they are.
        code, answer = smtp.data(message.as_bytes(policy=message.policy.clone(linesep="\r\n")))
        if code != 250:
            raise smtplib.SMTPDataError(code, answer)
        return f"{code} {answer.decode('utf-8', 'replace')}".strip()

    def drop(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (OSError, smtplib.SMTPException):
                pass
            self.smtp = None


@contextmanager
def connection():
    conn = Connection(current_app.config)
    try:
        yield conn
    finally:
        conn.drop()


def _server_answer(error: Exception) -> tuple[int | None, str]:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(error.recipients.values()))
        return code, f"{code} {text.decode('utf-8', 'replace')}"
    if isinstance(error, smtplib.SMTPResponseException):
        raw = error.smtp_error
        said = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
        return error.smtp_code, f"{error.smtp_code} {said}"
    return None, f"{type(error).__name__}: {error}"


def _content(row: OutboxMail) -> tuple[str, str, str]:
    """Subject, text and HTML of the row (a mailing's are filled in for its recipient)."""
    if row.text_body is None and row.mailing is not None:
        from .mailings import personalise

        return personalise(row.mailing, row.participant_id)
    return row.subject, row.text_body or "", row.html_body or to_html(row.text_body or "")


def deliver(mail_id: int, conn: Connection, commit: bool = True) -> timedelta | None:
    """Send a claimed row and record the outcome (committed unless ``commit`` is false:
    a mailing commits a batch's outcomes together); the wait before a retry when the
    refusal was temporary, else None."""
    # Not committing: the outcome waits in the session, unflushed (the caller holds
    # autoflush off), so no write lock is held while the batch's messages go out.
    done = db.session.commit if commit else (lambda: None)
    row = db.session.get_one(OutboxMail, mail_id)
    config = current_app.config
    if not preferences.wants(row.to_address, row.category):
        row.status, row.answer = "skipped", f"{row.category} turned off by the recipient"
        done()
        return None
    subject, text, html = _content(row)
    row.subject = subject[:300]
    unsubscribe = (
        preferences.preferences_url(row.to_address, row.category)
        if row.category in OPTIONAL_CATEGORIES
        else None
    )
    attachment = (row.attachment_name, row.attachment or "") if row.attachment_name else None
    message = build_message(
        sender=config["MAIL_DEFAULT_SENDER"],
        to=row.to_address,
        subject=subject,
        text=text,
        html=html,
        unsubscribe_url=unsubscribe,
        attachment=attachment,
    )
    if not config.get("MAIL_SERVER"):
        # Development: the message is in the log and on the organiser's outbox page.
        log.info("MAIL_SERVER not set; not e-mailing %s: %s\n%s", row.to_address, subject, text)
        row.status, row.answer, row.sent_at = (
            "logged",
            "written to the log (no MAIL_SERVER)",
            utcnow(),
        )
        done()
        return None
    try:
        answer = conn.send(message, config["MAIL_DEFAULT_SENDER"], row.to_address)
    except (smtplib.SMTPException, OSError) as error:
        conn.drop()
        code, answer = _server_answer(error)
        temporary = code is None or 400 <= code < 500
        row.answer = answer[:2000]
        if temporary and row.attempts < MAX_ATTEMPTS:
            wait = backoff(row.attempts)
            row.status, row.next_attempt_at = "queued", utcnow() + wait
            done()
            log.warning(
                "mail %s to %s deferred (%s), retry in %s", mail_id, row.to_address, answer, wait
            )
            return wait
        row.status = "failed"
        done()
        log.warning("mail %s to %s failed: %s", mail_id, row.to_address, answer)
        return None
    row.status, row.answer, row.sent_at = "sent", answer[:2000], utcnow()
    done()
    return None


def stale_claims(older_than: timedelta) -> list[int]:
    """Rows left 'sending' by a worker that stopped mid-message."""
    limit = utcnow() - older_than
    return list(
        db.session.scalars(
            select(OutboxMail.id).where(
                and_(OutboxMail.status == "sending", OutboxMail.claimed_at < limit)
            )
        )
    )
