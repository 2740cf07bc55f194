"""Download my data, and delete my account (partners' agendas and figures stay whole)."""

from __future__ import annotations

import json
from types import SimpleNamespace

from sqlalchemy import select

from matchmaker.accounts.models import User, UserSession
from matchmaker.calendar import services as calendar
from matchmaker.meetings.models import Meeting, MeetingRequest
from matchmaker.meetings.services import place_meeting
from matchmaker.participants.models import Opportunity, Organisation, Participant
from matchmaker.planning.services import publish
from tests.calendar.helpers import SLOT, meeting_between, slot
from tests.conftest import PASSWORD


def _scene(db, make_event, make_participant, make_user):
    event = make_event(status="published")
    anna = make_participant(
        event,
        user=make_user(name="Anna Virtanen", email="anna@hydroline.example"),
        name="Anna Virtanen",
        organisation=Organisation(name="Hydroline Oy", country="FI"),
        phone="+358 40 123 4567",
        share_contact=True,
    )
    db.add(Opportunity(participant=anna, kind="offer", title="Hydraulic cylinders"))
    thandi = make_participant(event, name="Thandi Nkosi")
    meeting = meeting_between(db, event, anna, thandi, message="About your B60E cylinders")
    place_meeting(meeting, slot(0), slot(0) + SLOT, event.tables[0].id)
    publish(event, event.organisers[0])
    db.flush()
    return event, anna, thandi, meeting


def test_my_data_has_everything_about_me_and_no_secrets(
    client, db, make_event, make_participant, make_user, auth
):
    event, anna, thandi, meeting = _scene(db, make_event, make_participant, make_user)
    auth.login(anna.user)
    response = client.get("/account/data.json")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["account"]["email"] == "anna@hydroline.example"
    assert "password_hash" not in data["account"] and "totp_secret" not in data["account"]
    assert data["participations"][0]["phone"] == "+358 40 123 4567"
    assert data["participations"][0]["share_contact"] is True
    assert data["participations"][0]["consent_version"] == ""  # registered by the fixture
    assert [o["title"] for o in data["opportunities"]] == ["Hydraulic cylinders"]
    assert data["meeting_requests"][0]["message"] == "About your B60E cylinders"
    assert {m["meeting_id"] for m in data["meeting_participants"]} == {meeting.id}
    assert data["sessions"] and "id" not in data["sessions"][0]
    # The partner's data is not mine.
    assert "Thandi" not in json.dumps(data["participations"])
    page = client.get("/account/data").get_data(as_text=True)
    assert "Hydraulic cylinders" in page and "anna@hydroline.example" in page


def _deleting(app, client, db, make_event, make_participant, make_user, auth):
    """Anna, logged in here and in another browser, with a calendar feed and a request
    whose notice names her, about to delete her account."""
    event, anna, thandi, meeting = _scene(db, make_event, make_participant, make_user)
    feed = calendar.participant_feed(anna)
    db.flush()
    feed_url = f"/feeds/{calendar.feed_token(feed)}.ics"
    assert client.get(feed_url).status_code == 200
    other_browser = app.test_client()
    auth.login(anna.user)
    other_browser.post("/login", data={"email": "anna@hydroline.example", "password": PASSWORD})
    assert other_browser.get("/account").status_code == 200

    from matchmaker.meetings.booking import request_meeting
    from matchmaker.notifications.models import Notification

    request_meeting(anna, make_participant(event, name="Jukka Laine"), "Cylinders?")
    db.flush()
    named = select(Notification.id).where(
        Notification.event_id == event.id, Notification.message.contains("Anna Virtanen")
    )
    assert db.scalar(named) is not None  # Jukka's notice of her request names her
    return SimpleNamespace(
        event=event,
        thandi=thandi,
        meeting=meeting,
        feed_url=feed_url,
        other_browser=other_browser,
        user_id=anna.user.id,
        anna_id=anna.id,
    )


def _delete(client, db):
    assert client.post("/account/delete", data={"password": PASSWORD}).status_code == 302
    db.expire_all()


def test_deleting_my_account_needs_my_password(
    app, client, db, make_event, make_participant, make_user, auth
):
    scene = _deleting(app, client, db, make_event, make_participant, make_user, auth)
    assert client.post("/account/delete", data={"password": "wrong"}).status_code == 422
    assert db.get(User, scene.user_id) is not None
    assert client.post("/account/delete", data={"password": PASSWORD}).status_code == 302
    db.expire_all()
    assert db.get(User, scene.user_id) is None


def test_deleting_my_account_ends_every_session_and_feed_at_once(
    app, client, db, make_event, make_participant, make_user, auth
):
    scene = _deleting(app, client, db, make_event, make_participant, make_user, auth)
    _delete(client, db)
    assert db.scalar(select(UserSession).where(UserSession.user_id == scene.user_id)) is None
    assert scene.other_browser.get("/account").status_code == 302  # that session died too
    assert client.get("/account").status_code == 302
    assert client.get(scene.feed_url).status_code == 404  # the feed stopped at once


def test_deleting_my_account_leaves_a_former_participant_without_personal_data(
    app, client, db, make_event, make_participant, make_user, auth
):
    scene = _deleting(app, client, db, make_event, make_participant, make_user, auth)
    _delete(client, db)
    former = db.get(Participant, scene.anna_id)
    assert (former.name, former.email, former.phone, former.user_id) == (
        "Former participant",
        "",
        "",
        None,
    )
    assert db.scalar(select(Opportunity).where(Opportunity.participant_id == scene.anna_id)) is None
    assert db.scalar(select(MeetingRequest.message)) == ""
    from matchmaker.mailings.models import OutboxMail
    from matchmaker.notifications.models import Notification

    assert (
        db.scalar(select(OutboxMail.id).where(OutboxMail.to_address == "anna@hydroline.example"))
        is None
    )  # the outbox keeps no copy of mail to the address
    # Notices already sent to others about the event no longer name her.
    notices = db.scalars(
        select(Notification.message).where(Notification.event_id == scene.event.id)
    )
    assert all("Anna Virtanen" not in text for text in notices)


def test_deleting_my_account_keeps_the_meeting_for_the_partner(
    app, client, db, make_event, make_participant, make_user, auth
):
    scene = _deleting(app, client, db, make_event, make_participant, make_user, auth)
    _delete(client, db)
    # The meeting stays, for the partner and the figures.
    assert db.get(Meeting, scene.meeting.id).status == "active"
    auth.login(scene.thandi.user)
    agenda = client.get(f"/events/{scene.event.slug}/agenda").get_data(as_text=True)
    assert "Former participant" in agenda and "Anna Virtanen" not in agenda
    assert "Hydroline Oy" in agenda  # the company stays: it is not personal data


def test_the_only_owner_of_an_event_cannot_delete_the_account(client, db, make_event, auth):
    event = make_event()
    owner = event.organisers[0]
    auth.login(owner)
    page = client.get("/account/delete").get_data(as_text=True)
    assert event.name in page
    assert client.post("/account/delete", data={"password": PASSWORD}).status_code == 409
    assert db.get(User, owner.id) is not None


def test_a_large_accounts_data_is_made_by_the_worker_and_mailed(
    client, db, make_event, make_participant, make_user, auth, monkeypatch
):
    from matchmaker.mailings.models import OutboxMail
    from matchmaker.privacy import mydata

    event, anna, thandi, meeting = _scene(db, make_event, make_participant, make_user)
    auth.login(anna.user)
    assert mydata.row_count(anna.user) > 5
    monkeypatch.setattr(mydata, "LARGE_ROWS", 5)
    response = client.get("/account/data.json")
    assert response.status_code == 302 and response.headers["Location"].endswith("/account/data")
    mail = db.scalar(
        select(OutboxMail).where(
            OutboxMail.to_address == "anna@hydroline.example",
            OutboxMail.subject == "Your data from Matchmaker",
        )
    )
    assert mail.attachment_name == "my-matchmaker-data.json"
    data = json.loads(mail.attachment)
    assert data["account"]["email"] == "anna@hydroline.example"
    assert [o["title"] for o in data["opportunities"]] == ["Hydraulic cylinders"]


def test_an_organiser_who_ran_the_solver_gets_their_data(client, db, auth, scheduled_event):
    """The run's row points at the organiser who started it and holds JSON (its progress
    and result): the page answered 500.  Now it is listed with its figures, without the
    event's schedule (everyone's meetings are not the organiser's data)."""
    from matchmaker.planning import runs
    from tests.planning.conftest import SOLVE_SECONDS

    s = scheduled_event()
    run = runs.execute_run(runs.start_run(s.event, s.organiser, SOLVE_SECONDS).id)
    assert run.status == "succeeded" and run.result
    auth.login(s.organiser)
    assert client.get("/account/data").status_code == 200
    data = json.loads(client.get("/account/data.json").get_data(as_text=True))
    (mine,) = data["solver_runs"]
    assert mine["id"] == run.id and mine["breaks"] == run.breaks
    assert "result" not in mine and "progress" not in mine
    assert s.people[1].name not in json.dumps(data["solver_runs"])
