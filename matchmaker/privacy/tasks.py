"""The retention task, run by the job worker once a day."""

from __future__ import annotations

from huey import crontab

from ..extensions import app_task, db, huey
from . import retention


@app_task(retries=2, retry_delay=60)
def mail_my_data(user_id: int) -> None:
    """'Download my data' for a large account: the JSON, mailed to its address."""
    from ..accounts.models import User
    from ..mailings.outbox import queue_mail
    from .mydata import as_json

    user = db.session.get(User, user_id)
    if user is None:
        return
    queue_mail(
        user.email,
        "Your data from Matchmaker",
        "Here is everything Matchmaker holds about you, as you asked: the attached JSON "
        "file. You can also see it on your account page, under 'Your data'.",
        attachment=("my-matchmaker-data.json", as_json(user)),
    )
    db.session.commit()


@huey.periodic_task(crontab(minute="41", hour="3"))
def apply_retention() -> None:
    """Warn owners 30 days ahead and anonymise events past their retention date."""
    with huey.flask_app.app_context():
        try:
            retention.apply_retention()
            db.session.commit()
        finally:
            db.session.remove()
