"""Mailings reach the right people through a real SMTP server, once each, with both parts,
and with what the recipients chose honoured (optional mail) or not (required mail)."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select, update

from matchmaker.dbtypes import utcnow
from matchmaker.mailings.models import Mailing, OutboxMail
from matchmaker.participants.models import Opportunity
from tests.conftest import htmx_headers
from tests.mailings.conftest import parts


def _complete(db, participant):
    participant.organisation.description = "Hydraulic cylinders for mining machines."
    db.add(Opportunity(participant=participant, kind="offer", title="Cylinders"))
    db.flush()


def _send(client, event, **form):
    data = {"subject": "Hello {name}", "body": "Dear {name},\n\nSee {agenda_link}."}
    data.update(form)
    return client.post(f"/events/{event.slug}/mailings", data=data)


def test_a_mailing_to_profile_incomplete_reaches_exactly_them(
    client, db, auth, make_event, make_participant, inbox
):
    event = make_event()
    organiser = event.organisers[0]
    done = make_participant(event, name="Done Person")
    _complete(db, done)
    todo = [make_participant(event, name=f"Todo {i}") for i in range(3)]
    make_participant(event, status="pending")  # not approved: never mailed
    auth.login(organiser)

    response = _send(
        client,
        event,
        audience="profile_incomplete",
        subject="{name}, please complete your profile",
        body="Dear {name},\n\nPlease add **an offer**: {agenda_link}\n\n- one\n- two",
    )
    assert response.status_code == 303
    mailing = db.scalar(select(Mailing).where(Mailing.event_id == event.id))
    assert mailing.total == 3 and mailing.status == "done"

    assert inbox.to(done.email) == []
    for p in todo:
        (mail,) = inbox.to(p.email)
        assert mail["Subject"] == f"{p.name}, please complete your profile"
        text, html = parts(mail)
        assert f"Dear {p.name}," in text and "**" not in text
        assert "<strong>an offer</strong>" in html and "<li>one</li>" in html
        assert f"http://matchmaker.test/events/{event.slug}/agenda" in text
        # Optional mail: a one-click unsubscribe link, also at the foot of the text.
        link = re.fullmatch(
            r"<(http://matchmaker\.test/mail/unsubscribe/\S+)>", mail["List-Unsubscribe"]
        )
        assert link and mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert link.group(1) in text
    rows = db.scalars(select(OutboxMail).where(OutboxMail.mailing_id == mailing.id)).all()
    assert {r.status for r in rows} == {"sent"} and {r.attempts for r in rows} == {1}
    assert all(r.answer.startswith("250") for r in rows)  # the server's own words


def test_one_click_unsubscribe_is_honoured_for_optional_mail_only(
    client, db, auth, make_event, make_participant, inbox
):
    event = make_event()
    anna, ben = make_participant(event), make_participant(event)
    auth.login(event.organisers[0])
    _send(client, event, audience="everyone")
    (first,) = inbox.to(anna.email)
    url = first["List-Unsubscribe"].strip("<>").removeprefix("http://matchmaker.test")
    # The mail client's one-click POST (RFC 8058): no session, no CSRF token.
    auth.logout()
    answer = client.post(url, data={"List-Unsubscribe": "One-Click"})
    assert answer.status_code == 200

    auth.login(event.organisers[0])
    _send(client, event, audience="everyone", subject="Second")
    assert len(inbox.to(anna.email)) == 1 and len(inbox.to(ben.email)) == 2
    skipped = db.scalar(
        select(OutboxMail).where(
            OutboxMail.to_address == anna.email, OutboxMail.status == "skipped"
        )
    )
    assert skipped is not None and "turned off" in skipped.answer

    # Required mail ignores the choice: a meeting request still reaches her.
    auth.logout()
    auth.login(ben.user)
    client.post(f"/events/{event.slug}/participants/{anna.id}/request", data={"message": "Hi"})
    (required,) = [m for m in inbox.to(anna.email) if m["Subject"].startswith("Matchmaker:")]
    assert required["List-Unsubscribe"] is None


def test_a_temporary_refusal_is_retried_and_a_permanent_one_recorded(
    client, db, auth, make_event, make_participant, inbox
):
    from matchmaker.mailings.tasks import send_mailing

    event = make_event()
    busy, gone, fine = (make_participant(event) for _ in range(3))
    inbox.refuse[busy.email] = ["451 4.7.1 Greylisted, try again later"]
    inbox.refuse[gone.email] = ["550 5.1.1 No such user"]
    auth.login(event.organisers[0])
    _send(client, event, audience="everyone")

    def row(p):
        return db.scalar(
            select(OutboxMail)
            .where(OutboxMail.to_address == p.email)
            .execution_options(populate_existing=True)
        )

    assert row(fine).status == "sent" and len(inbox.to(fine.email)) == 1
    assert row(gone).status == "failed" and row(gone).answer == "550 5.1.1 No such user"
    waiting = row(busy)
    assert waiting.status == "queued" and waiting.attempts == 1
    assert waiting.answer.startswith("451") and waiting.next_attempt_at > utcnow()
    mailing = db.scalar(select(Mailing).where(Mailing.event_id == event.id))
    assert mailing.status == "sending"

    # The back-off has passed: the next run delivers it, once.
    db.execute(update(OutboxMail).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
    send_mailing.call_local(mailing.id)
    assert row(busy).status == "sent" and row(busy).attempts == 2
    assert len(inbox.to(busy.email)) == 1 and len(inbox.to(fine.email)) == 1
    progress = client.get(f"/events/{event.slug}/mailings/{mailing.id}", headers=htmx_headers())
    assert progress.status_code == 286  # htmx stops polling: finished
    assert "2 of 3 delivered" in progress.get_data(as_text=True)
    assert "1 failed" in progress.get_data(as_text=True)


def test_the_watchdog_takes_up_a_lost_mailing_and_never_resends_an_interrupted_row(
    client, db, auth, make_event, make_participant, inbox, monkeypatch
):
    from matchmaker.mailings import tasks
    from matchmaker.mailings.tasks import take_up_lost_work

    event = make_event()
    first, second, third = (make_participant(event) for _ in range(3))
    monkeypatch.setattr(tasks, "send_mailing", lambda mailing_id: None)  # the job is lost
    auth.login(event.organisers[0])
    _send(client, event, audience="everyone")
    monkeypatch.undo()
    assert inbox.messages == []
    long_ago = utcnow() - timedelta(minutes=11)
    # The worker died while sending to the first: claimed, never recorded.
    db.execute(
        update(OutboxMail)
        .where(OutboxMail.to_address == first.email)
        .values(status="sending", attempts=1, claimed_at=long_ago)
    )
    db.execute(update(Mailing).values(heartbeat_at=long_ago))

    assert take_up_lost_work() == {"stuck": 1, "mailings": 1, "single": 0}
    assert inbox.to(first.email) == []  # it may have arrived: not sent a second time
    assert len(inbox.to(second.email)) == 1 and len(inbox.to(third.email)) == 1
    stuck = db.scalar(
        select(OutboxMail)
        .where(OutboxMail.to_address == first.email)
        .execution_options(populate_existing=True)
    )
    assert stuck.status == "failed" and "interrupted" in stuck.answer
    assert db.scalar(select(Mailing.status).execution_options(populate_existing=True)) == "done"
