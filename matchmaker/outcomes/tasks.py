"""The outcome mails' periodic task (job worker, every ten minutes)."""

from __future__ import annotations

from huey import crontab

from ..extensions import db, huey
from . import mailing


@huey.periodic_task(crontab(minute="*/10"))
def send_outcome_mails() -> None:
    """Surveys, reminders, second stage and follow-up reminders that are due; each once
    (the rows it writes commit with it)."""
    with huey.flask_app.app_context():
        try:
            mailing.send_due()
            db.session.commit()
        finally:
            db.session.remove()
