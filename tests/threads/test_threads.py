"""Message threads: a request's two sides and the organisers read and write; nobody else
sees it; the other side hears of a post in the app at once and by mail at most once
every 15 minutes per thread, with every new post in one message."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from matchmaker.dbtypes import utcnow
from matchmaker.notifications.models import Notification
from matchmaker.threads.models import ThreadMailNotice
from tests.conftest import htmx_headers


def _ask(client, auth, event, asker, asked, message="Cylinders for the 5-ton loader?"):
    auth.login(asker.user)
    client.post(f"/events/{event.slug}/participants/{asked.id}/request", data={"message": message})
    auth.logout()
    from matchmaker.extensions import db
    from matchmaker.meetings.models import MeetingRequest

    return db.session.scalar(select(MeetingRequest).where(MeetingRequest.requester_id == asker.id))


def test_both_sides_and_the_organiser_write_and_only_they_read(
    client, db, auth, make_event, make_participant
):
    event = make_event()
    anna, thandi, outsider = (make_participant(event) for _ in range(3))
    req = _ask(client, auth, event, anna, thandi)
    url = f"/events/{event.slug}/requests/{req.id}/messages"

    auth.login(thandi.user)
    page = client.get(url).get_data(as_text=True)
    assert "Cylinders for the 5-ton loader?" in page  # the request's message comes first
    answer = client.post(url, data={"body": "Yes <b>please</b>, 20 units."}, headers=htmx_headers())
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "<html" not in html
    assert "Yes &lt;b&gt;please&lt;/b&gt;, 20 units." in html  # text, never markup
    auth.logout()

    auth.login(event.organisers[0])
    assert client.post(url, data={"body": "Table 5 is free at 10:00."}).status_code == 200
    auth.logout()

    auth.login(anna.user)
    page = client.get(url).get_data(as_text=True)
    assert "20 units" in page and "Table 5 is free" in page and "(organiser)" in page
    auth.logout()

    auth.login(outsider.user)
    assert client.get(url).status_code == 404
    assert client.post(url, data={"body": "hi"}).status_code == 404

    # In the app at once: Anna heard of Thandi's and the organiser's posts; Thandi of the
    # organiser's only (not of her own).
    def heard(p):
        return db.scalar(
            select(Notification)
            .where(Notification.user_id == p.user_id, Notification.kind == "thread")
            .order_by(Notification.id.desc())
        )

    assert heard(anna) is not None and heard(thandi).message.endswith("(organiser)")


def test_a_post_too_long_is_refused_with_the_figures(
    client, db, auth, make_event, make_participant
):
    event = make_event()
    anna, thandi = make_participant(event), make_participant(event)
    req = _ask(client, auth, event, anna, thandi)
    auth.login(anna.user)
    answer = client.post(
        f"/events/{event.slug}/requests/{req.id}/messages", data={"body": "x" * 4001}
    )
    assert answer.status_code == 422
    assert "4,001 characters long" in answer.get_data(as_text=True)
    assert "at most 4,000" in answer.get_data(as_text=True)


def test_new_posts_are_mailed_at_most_once_every_15_minutes_per_thread(
    client, db, auth, make_event, make_participant
):
    from matchmaker.mailings.models import OutboxMail
    from matchmaker.threads.tasks import mail_digest

    event = make_event()
    anna, thandi = make_participant(event), make_participant(event)
    req = _ask(client, auth, event, anna, thandi)
    url = f"/events/{event.slug}/requests/{req.id}/messages"
    auth.login(thandi.user)
    client.post(url, data={"body": "First"})  # mailed at once (nothing mailed before)
    client.post(url, data={"body": "Second"})
    client.post(url, data={"body": "Third"})

    def mails():
        return db.scalars(
            select(OutboxMail)
            .where(OutboxMail.to_address == anna.email, OutboxMail.subject.contains("new message"))
            .order_by(OutboxMail.id)
        ).all()

    assert len(mails()) == 1 and "First" in mails()[0].text_body
    # Fifteen minutes later the waiting digest goes: both posts, one message.
    db.execute(update(ThreadMailNotice).values(last_mailed_at=utcnow() - timedelta(minutes=16)))
    key = f"r{req.id}"
    mail_digest.call_local(event.id, key, anna.user_id)
    mail_digest.call_local(event.id, key, anna.user_id)  # a second job: nothing more
    assert len(mails()) == 2
    second = mails()[1].text_body
    assert "Second" in second and "Third" in second and "First" not in second
    assert "2 new message(s)" in mails()[1].subject


def test_the_organiser_writes_to_one_participant_from_the_list(
    client, db, auth, make_event, make_participant
):
    event = make_event()
    anna, ben = make_participant(event), make_participant(event)
    auth.login(event.organisers[0])
    listing = client.get(f"/events/{event.slug}/organiser/participants").get_data(as_text=True)
    url = f"/events/{event.slug}/organiser/participants/{anna.id}/messages"
    assert url in listing
    client.post(url, data={"body": "Please bring your badge."})
    auth.logout()
    auth.login(anna.user)
    page = client.get(f"/events/{event.slug}/messages").get_data(as_text=True)
    assert "Please bring your badge." in page
    client.post(f"/events/{event.slug}/messages", data={"body": "Will do."})
    auth.logout()
    auth.login(ben.user)
    assert "Please bring your badge." not in client.get(f"/events/{event.slug}/messages").get_data(
        as_text=True
    )
    assert client.get(url).status_code in (403, 404)


def test_a_direct_message_reaches_owners_and_organisers_not_the_desk_or_viewers(
    client, db, auth, make_event, make_participant, make_user
):
    """The desk and viewers cannot open the organisers' side of a thread: they are neither
    notified of a participant's message nor mailed its text."""
    from sqlalchemy import insert

    from matchmaker.events.models import event_organisers
    from matchmaker.mailings.models import OutboxMail

    event = make_event()
    owner = event.organisers[0]
    team = {role: make_user("participant") for role in ("organiser", "desk", "viewer")}
    for role, user in team.items():
        db.execute(insert(event_organisers).values(event_id=event.id, user_id=user.id, role=role))
    anna = make_participant(event)
    auth.login(anna.user)
    client.post(f"/events/{event.slug}/messages", data={"body": "My badge is lost, phone 555"})

    def told(user):
        notices = db.scalars(select(Notification).where(Notification.user_id == user.id)).all()
        mails = db.scalars(select(OutboxMail).where(OutboxMail.to_address == user.email)).all()
        return bool(notices), any("555" in (m.text_body or "") for m in mails)

    assert told(owner) == (True, True)
    assert told(team["organiser"]) == (True, True)
    assert told(team["desk"]) == (False, False)
    assert told(team["viewer"]) == (False, False)


def test_a_team_that_requires_two_factor_reads_request_threads_only_with_it(
    client, db, auth, make_event, make_participant, make_user
):
    from sqlalchemy import insert

    from matchmaker.events.models import event_organisers

    event = make_event()
    anna, thandi = make_participant(event), make_participant(event)
    req = _ask(client, auth, event, anna, thandi, message="Private terms: 12% off")
    member = make_user("participant")
    db.execute(
        insert(event_organisers).values(event_id=event.id, user_id=member.id, role="organiser")
    )
    event.require_two_factor = True
    db.flush()
    auth.login(member)
    response = client.get(f"/events/{event.slug}/requests/{req.id}/messages")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/account/two-factor")
