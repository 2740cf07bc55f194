"""The retention task, run by the job worker once a day."""

from __future__ import annotations

from huey import crontab

from ..extensions import db, huey
from . import retention


@huey.periodic_task(crontab(minute="41", hour="3"))
def apply_retention() -> None:
    """Warn owners 30 days ahead and anonymise events past their retention date."""
    with huey.flask_app.app_context():
        try:
            retention.apply_retention()
            db.session.commit()
        finally:
            db.session.remove()
