"""Erasure: an account deleted by its owner, or an event's participants anonymised when
its retention date passes.

A participation is never deleted: its row stays, named "Former participant", so the
partners' agendas and the organisers' figures stay as they were (a meeting that
happened still counts). What identifies the person goes: name, e-mail, phone, role,
biography, opportunities, bookmarks, availability, private notes, messages' text,
calendar feeds. Their pending requests are called off.
"""

from __future__ import annotations

from sqlalchemy import delete, func, or_, select, update

from ..dbtypes import utcnow
from ..errors import Conflict, Invalid
from ..extensions import db

FORMER = "Former participant"


def anonymise_participant(participant) -> None:
    """Erase what identifies ``participant``, keep the row and its meetings."""
    from ..calendar.models import CalendarFeed
    from ..meetings.models import MeetingRequest
    from ..outcomes.models import SurveyAnswer, SurveyResponse
    from ..participants.models import Favourite, Opportunity, Unavailability
    from ..threads.models import ThreadPost

    pid = participant.id
    _unname(participant.event_id, participant.name)
    participant.name = FORMER
    participant.email = ""
    participant.phone = ""
    participant.role_title = ""
    participant.bio = ""
    participant.languages = ""
    participant.listed = False
    participant.share_contact = False
    participant.user_id = None
    participant.anonymised_at = utcnow()
    db.session.execute(delete(Opportunity).where(Opportunity.participant_id == pid))
    db.session.execute(
        delete(Favourite).where(or_(Favourite.participant_id == pid, Favourite.target_id == pid))
    )
    db.session.execute(delete(Unavailability).where(Unavailability.participant_id == pid))
    db.session.execute(delete(CalendarFeed).where(CalendarFeed.participant_id == pid))
    db.session.execute(
        update(SurveyAnswer)
        .where(SurveyAnswer.participant_id == pid)
        .values(note="", agreement_note="")
    )
    db.session.execute(
        update(SurveyResponse).where(SurveyResponse.participant_id == pid).values(comment="")
    )
    db.session.execute(
        update(MeetingRequest).where(MeetingRequest.requester_id == pid).values(message="")
    )
    db.session.execute(
        update(MeetingRequest)
        .where(
            or_(MeetingRequest.requester_id == pid, MeetingRequest.recipient_id == pid),
            MeetingRequest.status == "pending",
        )
        .values(status="cancelled", reason=f"{FORMER}: the account was deleted.")
    )
    db.session.execute(
        update(ThreadPost)
        .where(ThreadPost.participant_id == pid)
        .values(body="(deleted)", author_label=FORMER)
    )
    db.session.flush()


def _unname(event_id: int, name: str) -> None:
    """Notices and mail already sent to others about the event name the person in their
    text ("Anna Virtanen (Hydroline Oy) asks to meet you"): the name goes there too."""
    from ..mailings.models import OutboxMail
    from ..notifications.models import Notification

    if not name.strip() or name == FORMER:
        return
    for model, columns in (
        (Notification, ("message",)),
        (OutboxMail, ("subject", "text_body", "html_body")),
    ):
        db.session.execute(
            update(model)
            .where(model.event_id == event_id)
            .values({c: func.replace(getattr(model, c), name, FORMER) for c in columns})
            .execution_options(synchronize_session=False)
        )


def sole_owner_of(user) -> list:
    """Events ``user`` owns alone: deleting the account would leave them with no owner."""
    from ..events.models import Event, event_organisers

    owners = event_organisers.alias("owners")
    mine = select(event_organisers.c.event_id).where(
        event_organisers.c.user_id == user.id, event_organisers.c.role == "owner"
    )
    others = select(owners.c.event_id).where(owners.c.role == "owner", owners.c.user_id != user.id)
    return list(
        db.session.scalars(select(Event).where(Event.id.in_(mine), Event.id.not_in(others)))
    )


def delete_account(user, password: str) -> None:
    """Delete ``user`` (after their password): participations anonymised, sessions and
    feeds ended, the account row gone. Refused while they own an event alone."""
    from ..accounts.models import User
    from ..participants.models import Participant
    from ..threads.models import ThreadPost

    if not password or not user.check_password(password):
        raise Invalid("That is not your password.", "password")
    alone = sole_owner_of(user)
    if alone:
        names = ", ".join(e.name for e in alone)
        raise Conflict(
            f"You are the only owner of {names}: make someone else owner first "
            "(on the event's team page).",
            "password",
        )
    for participant in db.session.scalars(
        select(Participant).where(Participant.user_id == user.id)
    ).all():
        anonymise_participant(participant)
    db.session.execute(
        update(ThreadPost)
        .where(ThreadPost.author_id == user.id)
        .values(body="(deleted)", author_label=FORMER)
    )
    _scrub_outbox(user.email)
    _detach(user.id)
    db.session.execute(delete(User).where(User.id == user.id))
    db.session.expire_all()


def _detach(user_id: int) -> None:
    """What the foreign keys say on delete, done by hand: SQLite here does not enforce
    them. Rows that belong to the account go (sessions, notifications, team places);
    rows that only name it as their author keep going without it."""
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            for fk in column.foreign_keys:
                if fk.column.table.name != "users" or table.name == "users":
                    continue
                if fk.ondelete == "CASCADE":
                    db.session.execute(delete(table).where(column == user_id))
                elif column.nullable:
                    db.session.execute(
                        update(table).where(column == user_id).values({column.name: None})
                    )


def _scrub_outbox(address: str) -> None:
    """The outbox's copies of mail to the address: what waits is not sent, and what
    went keeps its line (the organisers' record that it went) without address or text."""
    from ..mailings.models import OutboxMail

    mine = OutboxMail.to_address == address
    db.session.execute(
        update(OutboxMail)
        .where(mine, OutboxMail.status == "queued")
        .values(status="skipped", answer="The account was deleted.")
    )
    db.session.execute(
        update(OutboxMail)
        .where(mine)
        .values(to_address="", text_body="", html_body="", attachment=None, attachment_name=None)
    )
