"""Tell users what happened: in the app always, by e-mail when SMTP is configured."""

from __future__ import annotations

from sqlalchemy import event as sa_event
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, joinedload

from ..dbtypes import utcnow
from ..extensions import db
from ..web import site_url
from .models import Notification


def after_commit(callback) -> None:
    """Run ``callback`` once the current transaction commits (never on rollback)."""
    db.session.info.setdefault("after_commit", []).append(callback)


# SQLAlchemy says "after_commit" when a savepoint is released too, and "after_rollback"
# when one is rolled back: a CSV import sent each line's invitation as the line's
# savepoint ended, even when a later line made the whole import fail, and a savepoint
# refused inside a request dropped the mails queued before it. So the queue runs only
# when the session's own transaction commits; a savepoint's rollback drops only what
# was queued inside it (its mark: the queue's length when it began); the end of the
# session's transaction without a commit drops the rest.


@sa_event.listens_for(Session, "after_transaction_create")
def _mark_savepoint(session: Session, transaction) -> None:
    if transaction.nested:
        marks = session.info.setdefault("after_commit_marks", [])
        marks.append(len(session.info.get("after_commit", [])))


@sa_event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    if session.get_nested_transaction() is not None:  # a savepoint released: keep going
        session.info.get("after_commit_marks", [None]).pop()
        return
    session.info.pop("after_commit_marks", None)
    for callback in session.info.pop("after_commit", []):
        callback()


@sa_event.listens_for(Session, "after_soft_rollback")
def _drop_savepoint_callbacks(session: Session, transaction) -> None:
    if transaction.nested:
        marks = session.info.get("after_commit_marks") or [0]
        del session.info.get("after_commit", [])[marks.pop() :]


@sa_event.listens_for(Session, "after_transaction_end")
def _drop_after_commit(session: Session, transaction) -> None:
    if transaction.parent is None:  # committed (and run), rolled back or closed
        session.info.pop("after_commit_marks", None)
        session.info.pop("after_commit", None)


def notify(user, message: str, *, kind: str, link: str = "", event=None) -> Notification | None:
    """Record an in-app notification for ``user`` and e-mail it after commit."""
    if user is None:
        return None
    note = Notification(
        user_id=user.id, event_id=event.id if event else None, kind=kind, message=message, link=link
    )
    db.session.add(note)
    # By mail too, through the outbox (without MAIL_SERVER: the log and the outbox page).
    from ..mailings.outbox import queue_mail

    body = f"{message}\n\n{site_url()}{link}" if link else message
    queue_mail(
        user.email, "Matchmaker: " + message[:60], body, event_id=event.id if event else None
    )
    return note


def unread_count(user) -> int:
    return (
        db.session.scalar(
            select(func.count(Notification.id)).where(
                Notification.user_id == user.id, Notification.read_at.is_(None)
            )
        )
        or 0
    )


def recent_notifications(user, limit: int = 50) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification)
            .options(joinedload(Notification.event))
            .where(Notification.user_id == user.id)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
        )
    )


def mark_all_read(user) -> None:
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )


def mark_read_about(user_id: int, link: str) -> None:
    """Mark read the user's notifications that point at ``link``: what they asked for is
    done (a meeting request answered or withdrawn), so they are no longer news."""
    db.session.execute(
        update(Notification)
        .where(
            Notification.user_id == user_id,
            Notification.link == link,
            Notification.read_at.is_(None),
        )
        .values(read_at=utcnow())
    )
