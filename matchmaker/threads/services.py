"""Message threads: a meeting request's (its two sides and the organisers; the request's
message is the first post) and a participant's direct thread with the organisers.

A new post notifies the other readers in the app at once, and by mail at most once every
MAIL_EVERY per thread and reader, all new posts in one message (``tasks.mail_digest``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from .. import ratelimit
from ..dbtypes import utcnow
from ..errors import Invalid
from ..events.models import Event
from ..extensions import db
from ..meetings.models import MeetingRequest
from ..notifications.models import Notification
from ..notifications.services import after_commit
from ..participants.models import Participant
from .models import MAX_POST_LENGTH, ThreadMailNotice, ThreadPost

#: New posts of one thread are mailed to a reader at most this often.
MAIL_EVERY = timedelta(minutes=15)

#: Messages one account may post in ten minutes (beyond that it is a flood).
POSTS_PER_10_MINUTES = 30


@dataclass
class Post:
    author: str
    body: str
    created_at: datetime
    mine: bool = False
    id: int = 0


@dataclass
class Thread:
    """One thread: a request's or a participant's direct one with the organisers."""

    event: Event
    request: MeetingRequest | None = None
    participant: Participant | None = None

    @property
    def direct(self) -> Participant:
        """The participant of a direct thread (a thread has a request or a participant)."""
        assert self.participant is not None, "a thread without a request has a participant"
        return self.participant

    @property
    def key(self) -> str:
        return f"r{self.request.id}" if self.request else f"p{self.direct.id}"

    def condition(self):
        if self.request:
            return ThreadPost.request_id == self.request.id
        return ThreadPost.participant_id == self.direct.id

    def sides(self) -> list[Participant]:
        if self.request:
            return [self.request.requester, self.request.recipient]
        return [self.direct]

    def title(self) -> str:
        if self.request:
            return f"{self.request.requester.label} and {self.request.recipient.label}"
        return f"{self.direct.label} and the organisers"


def posts(thread: Thread, user) -> list[Post]:
    """The thread in order; a request's message comes first."""
    found = []
    if thread.request is not None and thread.request.message:
        req = thread.request
        found.append(
            Post(
                author=req.requester.label,
                body=req.message,
                created_at=req.created_at,
                mine=req.requester.user_id == user.id,
            )
        )
    rows = db.session.scalars(select(ThreadPost).where(thread.condition()).order_by(ThreadPost.id))
    found += [
        Post(r.author_label, r.body, r.created_at, mine=r.author_id == user.id, id=r.id)
        for r in rows
    ]
    return found


def _author_label(thread: Thread, user) -> str:
    for side in thread.sides():
        if side.user_id == user.id:
            return side.label
    return f"{user.name} (organiser)"


def readers_to_tell(thread: Thread, author) -> list:
    """Who hears of a new post: the thread's sides but the author (an organiser's post
    goes to every side; a side's to the other side, or to the organisers in a direct
    thread, who have nobody else to read it)."""
    users = [s.user for s in thread.sides() if s.user is not None and s.user_id != author.id]
    if thread.participant is not None and any(s.user_id == author.id for s in thread.sides()):
        from ..teams.services import full_organisers

        # Owners and organisers only: the desk and viewers cannot open this thread.
        users = full_organisers(thread.event)
    return users


def add_post(thread: Thread, author, body: str) -> ThreadPost:
    # Counted first: ``ratelimit.check`` commits (see ratelimit).
    ratelimit.check(
        f"post:{author.id}",
        POSTS_PER_10_MINUTES,
        600,
        "You have sent many messages in a short time. Try again in {wait}.",
        "body",
    )
    body = (body or "").replace("\r\n", "\n").strip()
    if not body:
        raise Invalid("Write a message first.", "body")
    if len(body) > MAX_POST_LENGTH:
        raise Invalid(
            f"Your message is {len(body):,} characters long; a message can have at most "
            f"{MAX_POST_LENGTH:,}. Shorten it, or send it in two parts.",
            "body",
        )
    post = ThreadPost(
        event_id=thread.event.id,
        request_id=thread.request.id if thread.request else None,
        participant_id=thread.participant.id if thread.participant else None,
        author_id=author.id,
        author_label=_author_label(thread, author)[:300],
        body=body,
    )
    db.session.add(post)
    db.session.flush()
    for reader in readers_to_tell(thread, author):
        _tell(thread, reader, post)
    return post


def link_for(thread: Thread, reader) -> str:
    from flask import url_for

    slug = thread.event.slug
    if thread.request:
        return url_for("threads.request_thread", slug=slug, request_id=thread.request.id)
    if thread.event.is_organised_by(reader):
        return url_for("threads.organiser_thread", slug=slug, participant_id=thread.direct.id)
    return url_for("threads.my_thread", slug=slug)


def _tell(thread: Thread, reader, post: ThreadPost) -> None:
    """In the app at once (no mail with it); by mail in the reader's next digest."""
    db.session.add(
        Notification(
            user_id=reader.id,
            event_id=thread.event.id,
            kind="thread",
            message=f"New message from {post.author_label}",
            link=link_for(thread, reader),
        )
    )
    notice = _notice(thread.key, reader.id)
    due = notice.last_mailed_at + MAIL_EVERY if notice.last_mailed_at else utcnow()
    delay = max(0.0, (due - utcnow()).total_seconds())
    from .tasks import mail_digest

    key, reader_id, event_id = thread.key, reader.id, thread.event.id
    after_commit(lambda: mail_digest.schedule((event_id, key, reader_id), delay=delay))


def _notice(key: str, user_id: int) -> ThreadMailNotice:
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    db.session.execute(
        insert(ThreadMailNotice)
        .values(thread=key, user_id=user_id, mailed_up_to=0)
        .on_conflict_do_nothing(index_elements=["thread", "user_id"])
    )
    return db.session.get_one(ThreadMailNotice, (key, user_id), populate_existing=True)


def claim_digest(key: str, user_id: int, newest: int) -> int | None:
    """Take the right to mail ``user_id`` the posts after their last digest, up to
    ``newest``: one statement that succeeds only if nobody took it since we read (two
    workers, two scheduled jobs) and the last digest is MAIL_EVERY old. Returns the id
    the new posts start after, or None."""
    notice = db.session.get(ThreadMailNotice, (key, user_id), populate_existing=True)
    if notice is None or notice.mailed_up_to >= newest:
        return None
    now = utcnow()
    if notice.last_mailed_at and notice.last_mailed_at + MAIL_EVERY > now:
        return None
    since = notice.mailed_up_to
    taken = db.session.execute(
        update(ThreadMailNotice)
        .where(
            ThreadMailNotice.thread == key,
            ThreadMailNotice.user_id == user_id,
            ThreadMailNotice.mailed_up_to == since,
        )
        .values(mailed_up_to=newest, last_mailed_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]  # DML gives a CursorResult
    return since if taken == 1 else None
