"""E-mail through SMTP, sent by the job worker."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from flask import current_app

from ..extensions import app_task
from ..singleline import one_line

log = logging.getLogger(__name__)


def deliver(to: str, subject: str, body: str) -> bool:
    """Send one message now. Without MAIL_SERVER, log that nothing was sent."""
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        # Development: the message (an invitation's or a confirmation's link) is in the log.
        log.info("MAIL_SERVER not set; not e-mailing %s: %s\n%s", to, subject, body)
        return False
    message = EmailMessage()
    message["From"] = config["MAIL_DEFAULT_SENDER"]
    message["To"] = to
    # One line, whatever a name in it held: a line break would make EmailMessage raise.
    message["Subject"] = one_line(subject)
    message.set_content(body)
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(message)
    return True


@app_task(retries=3, retry_delay=60)
def send_mail(to: str, subject: str, body: str) -> bool:
    return deliver(to, subject, body)
