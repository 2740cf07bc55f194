"""Mail about new posts: one message per thread and reader at most every 15 minutes."""

from __future__ import annotations

from sqlalchemy import or_, select

from ..accounts.models import User
from ..events.models import Event
from ..extensions import app_task, db
from ..mailings.outbox import queue_mail
from ..meetings.models import MeetingRequest
from ..participants.models import Participant
from ..web import site_url
from . import services
from .models import ThreadPost


def _thread(event: Event, key: str) -> services.Thread | None:
    kind, number = key[0], int(key[1:])
    if kind == "r":
        req = db.session.get(MeetingRequest, number)
        return services.Thread(event, request=req) if req else None
    participant = db.session.get(Participant, number)
    return services.Thread(event, participant=participant) if participant else None


@app_task()
def mail_digest(event_id: int, key: str, user_id: int) -> int:
    """Mail ``user_id`` the thread's posts since their last digest (not their own)."""
    event, user = db.session.get(Event, event_id), db.session.get(User, user_id)
    thread = _thread(event, key) if event else None
    if event is None or thread is None or user is None:
        return 0
    newest = db.session.scalar(
        select(ThreadPost.id).where(thread.condition()).order_by(ThreadPost.id.desc()).limit(1)
    )
    since = services.claim_digest(key, user_id, newest or 0)
    if since is None:
        db.session.commit()
        return 0
    posts = db.session.scalars(
        select(ThreadPost)
        .where(
            thread.condition(),
            ThreadPost.id > since,
            or_(ThreadPost.author_id.is_(None), ThreadPost.author_id != user_id),
        )
        .order_by(ThreadPost.id)
    ).all()
    if posts:
        text = "\n\n".join(f"{p.author_label} wrote:\n\n{p.body}" for p in posts)
        with event_request_context():
            link = site_url() + services.link_for(thread, user)
        queue_mail(
            user.email,
            f"{event.name}: {len(posts)} new message(s) from {thread.title()}"[:300],
            f"{text}\n\nAnswer here: {link}\n",
            event_id=event.id,
        )
    db.session.commit()
    return len(posts)


def event_request_context():
    from flask import current_app

    return current_app.test_request_context("/")
