"""Invitations: people an organiser registers take their place through a link in a mail.

Adding an address never enrols its account (the owner accepts), and nothing on the
organiser's pages tells whether an address has an account.
"""

from __future__ import annotations

import re
from io import BytesIO

from matchmaker.notifications.models import Notification
from matchmaker.participants.models import Participant
from tests.accounts.test_mail import inbox  # noqa: F401 (the SMTP server fixture)
from tests.conftest import htmx_headers

LINK = re.compile(r"http://matchmaker\.test(/invitations/\S+)")


def _add(client, event, **fields):
    data = {"org_name": "Kivi Hydraulics OÜ", "country": "EE", "kind": "sme", "name": "Mart Kivi"}
    data.update(fields)
    return client.post(f"/events/{event.slug}/organiser/participants/add", data=data)


def _invitation_path(inbox, address: str) -> str:  # noqa: F811
    mail = inbox.to(address)[-1]
    found = LINK.search(mail.get_body(("plain",)).get_content())
    assert found, mail.get_body(("plain",)).get_content()
    return found.group(1)


def test_mart_kivi_takes_his_place_through_the_invitation(
    client,
    db,
    make_event,
    auth,
    inbox,  # noqa: F811
):
    event = make_event()
    organiser = event.organisers[0]
    auth.login(organiser)
    assert _add(client, event, email="Mart.Kivi@kivi.example").status_code == 303
    mart = db.query(Participant).filter_by(event_id=event.id, name="Mart Kivi").one()
    assert mart.user_id is None and mart.invited_at is not None and mart.invitations_sent == 1
    (mail,) = inbox.to("mart.kivi@kivi.example")  # sent by the worker after the commit
    text = mail.get_body(("plain",)).get_content()  # the text part of text and HTML
    assert event.name in mail["Subject"] and "Kivi Hydraulics OÜ" in text
    path = _invitation_path(inbox, "mart.kivi@kivi.example")
    auth.logout()

    form = client.get(path)
    assert form.status_code == 200 and "Choose a password" in form.get_data(as_text=True)
    short = client.post(path, data={"name": "Mart Kivi", "password": "x", "confirm": "x"})
    assert short.status_code == 422 and "at least 8" in short.get_data(as_text=True)
    taken = client.post(
        path,
        data={"name": "Mart Kivi", "password": "tallinn-harbour", "confirm": "tallinn-harbour"},
    )
    assert taken.status_code == 303 and taken.headers["Location"] == f"/events/{event.slug}"

    db.refresh(mart)
    user = mart.user
    assert user is not None and user.email == "mart.kivi@kivi.example"
    assert mart.claimed_at is not None and user.email_confirmed_at is not None  # link = proof
    # Mart is logged in, and his event's pages are his: no "Register for this event first".
    for page in ("profile", "meetings", "agenda"):
        response = client.get(f"/events/{event.slug}/{page}")
        assert response.status_code == 200, page
    assert 'id="confirm-banner"' not in client.get("/").get_data(as_text=True)

    # The link is used: Mart is told the place is his; anyone else gets a clear 400.
    again = client.get(path)
    assert again.status_code == 302 and again.headers["Location"] == f"/events/{event.slug}"
    auth.logout()
    used = client.get(path)
    assert used.status_code == 400 and "used already" in used.get_data(as_text=True)

    auth.login(organiser)
    row = client.get(f"/events/{event.slug}/organiser/participants").get_data(as_text=True)
    assert re.search(rf'id="invitation-{mart.id}">\s*Claimed', row)


def test_without_a_mail_server_the_invitation_is_in_the_log(client, db, make_event, auth, caplog):
    event = make_event()
    auth.login(event.organisers[0])
    with caplog.at_level("INFO"):
        assert _add(client, event, email="mart@kivi.example").status_code == 303
    logged = [r.getMessage() for r in caplog.records if "mart@kivi.example" in r.getMessage()]
    assert any(LINK.search(m) for m in logged), logged


def test_an_existing_account_logs_in_to_take_the_place(
    client,
    db,
    make_event,
    make_user,
    auth,
    inbox,  # noqa: F811
):
    event = make_event()
    mart = make_user(email="mart@kivi.example", name="Mart Kivi")
    auth.login(event.organisers[0])
    _add(client, event, email="mart@kivi.example")
    path = _invitation_path(inbox, "mart@kivi.example")
    auth.logout()
    page = client.get(path)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Log in to take your place" in html
    assert "Choose a password" not in html
    assert client.post(path, data={"password": "x", "confirm": "x"}).status_code == 200
    place = db.query(Participant).filter_by(event_id=event.id).one()
    assert place.user_id is None  # nothing without logging in

    login = client.post(
        f"/login?next={path}",
        data={"email": "mart@kivi.example", "password": "correct-horse-battery"},
    )
    assert login.headers["Location"] == path
    accept = client.get(path)
    assert accept.status_code == 200 and "Take my place" in accept.get_data(as_text=True)
    assert db.query(Participant).filter_by(event_id=event.id).one().user_id is None  # GET: no
    assert client.post(path).status_code == 303
    db.refresh(place)
    assert place.user_id == mart.id and place.claimed_at is not None
    assert client.get(f"/events/{event.slug}/profile").status_code == 200


def test_an_invitation_opened_by_another_account_is_refused(
    client,
    db,
    make_event,
    make_user,
    auth,
    inbox,  # noqa: F811
):
    event = make_event()
    auth.login(event.organisers[0])
    _add(client, event, email="mart@kivi.example")
    path = _invitation_path(inbox, "mart@kivi.example")
    auth.logout()
    other = make_user(email="eve@else.example")
    auth.login(other)
    for response in (client.get(path), client.post(path)):
        html = response.get_data(as_text=True)
        assert response.status_code == 403
        assert "is for mart@kivi.example" in html and "logged in as eve@else.example" in html
    assert db.query(Participant).filter_by(event_id=event.id).one().user_id is None


def test_forged_and_void_invitations_answer_clearly(
    client,
    db,
    make_event,
    auth,
    inbox,  # noqa: F811
):
    event = make_event()
    auth.login(event.organisers[0])
    _add(client, event, email="mart@kivi.example")
    path = _invitation_path(inbox, "mart@kivi.example")
    auth.logout()
    forged = client.get(path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB"))
    assert forged.status_code == 400 and "not valid" in forged.get_data(as_text=True)
    place = db.query(Participant).filter_by(event_id=event.id).one()
    place.email = "someone.else@kivi.example"  # the organiser corrected the address
    db.flush()
    void = client.get(path)
    assert void.status_code == 400 and "no longer valid" in void.get_data(as_text=True)


def test_an_organisers_import_neither_enrols_accounts_nor_tells_who_has_one(
    client,
    db,
    make_event,
    make_user,
    auth,
    inbox,  # noqa: F811
):
    """Finding 4: a self-made organiser imports addresses to probe and enrol accounts."""
    victim = make_user(email="anna@hydrocyl.example", name="Anna Virtanen")
    attacker = make_user("organiser")
    event = make_event(organiser=attacker, status="draft")
    auth.login(attacker)
    response = client.post(
        f"/events/{event.slug}/organiser/participants/import",
        data={
            "csv_file": (
                BytesIO(
                    b"organisation,country,name,email\n"
                    b"Prize Draw Ltd,GB,Anna,anna@hydrocyl.example\n"
                    b"Prize Draw Ltd,GB,Nobody,nobody@nowhere.example\n"
                ),
                "people.csv",
            )
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    places = {p.email: p for p in db.query(Participant).filter_by(event_id=event.id)}
    assert all(p.user_id is None for p in places.values())  # nobody enrolled
    assert db.query(Notification).filter_by(user_id=victim.id).count() == 0
    # Both addresses get the same invitation mail: it says nothing about accounts either.
    assert len(inbox.to("anna@hydrocyl.example")) == len(inbox.to("nobody@nowhere.example")) == 1

    html = client.get(f"/events/{event.slug}/organiser/participants").get_data(as_text=True)
    table = re.search(r'<table[^>]*id="organiser-participants".*?</table>', html, re.S).group()
    assert "account" not in table.lower()

    def cell(participant):
        found = re.search(rf'id="invitation-{participant.id}">(.*?)</td>', html, re.S)
        return re.sub(r"\s+|\d+|to (Anna|Nobody)", "", found.group(1))

    assert cell(places["anna@hydrocyl.example"]) == cell(places["nobody@nowhere.example"])
    export = client.get(f"/events/{event.slug}/organiser/participants.csv").get_data(as_text=True)
    rows = {line.split(",")[4]: line.split(",")[6] for line in export.splitlines()[1:]}
    assert rows == {"anna@hydrocyl.example": "invited (1)", "nobody@nowhere.example": "invited (1)"}
    # Anna's own pages do not show the attacker's event either.
    auth.logout()
    auth.login(victim)
    assert event.name not in client.get("/").get_data(as_text=True)


def test_the_organiser_resends_an_invitation_a_few_times(
    client,
    db,
    make_event,
    auth,
    inbox,  # noqa: F811
):
    event = make_event()
    auth.login(event.organisers[0])
    _add(client, event, email="mart@kivi.example")
    _add(client, event, name="Liis Saar", email="")
    mart = db.query(Participant).filter_by(event_id=event.id, name="Mart Kivi").one()
    liis = db.query(Participant).filter_by(event_id=event.id, name="Liis Saar").one()
    listing = client.get(f"/events/{event.slug}/organiser/participants").get_data(as_text=True)
    assert re.search(rf'id="invitation-{liis.id}">\s*<span class="muted">No e-mail', listing)
    assert "Re-send invitation" in listing and liis.invitations_sent == 0

    url = f"/events/{event.slug}/organiser/participants/{mart.id}/invite"
    again = client.post(url, headers=htmx_headers())
    html = again.get_data(as_text=True)
    assert again.status_code == 200 and "<html" not in html
    assert f'id="participant-row-{mart.id}"' in html and "(2 times)" in html
    assert len(inbox.to("mart@kivi.example")) == 2
    for _ in range(3):
        client.post(url, headers=htmx_headers())
    refused = client.post(url, headers=htmx_headers())
    assert refused.status_code == 409 and "5 times already" in refused.get_data(as_text=True)
    assert len(inbox.to("mart@kivi.example")) == 5

    no_mail = client.post(f"/events/{event.slug}/organiser/participants/{liis.id}/invite")
    assert no_mail.status_code == 303
    db.refresh(liis)
    assert liis.invitations_sent == 0


def test_the_invitation_names_an_owner_never_a_desk_volunteer(db, make_event, make_user):
    from sqlalchemy import insert

    from matchmaker.events.models import event_organisers
    from matchmaker.participants.invitations import invitation_mail
    from matchmaker.participants.models import Organisation, Participant

    volunteer = make_user("participant", name="Liis at the desk")  # the lower id
    owner = make_user("organiser", name="Olga Owner")
    event = make_event(organiser=owner)
    db.execute(
        insert(event_organisers).values(event_id=event.id, user_id=volunteer.id, role="desk")
    )
    place = Participant(
        event=event,
        organisation=Organisation(name="Kivi OÜ", country="EE"),
        status="approved",
        name="Mart Kivi",
        email="mart@kivi.example",
    )
    db.add(place)
    db.flush()
    db.expire(event, ["organisers"])
    _subject, body = invitation_mail(place, "https://link")
    assert "Olga Owner has registered you" in body and "Liis" not in body
