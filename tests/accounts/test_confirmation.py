"""Proven addresses, neutral sign-up, and who may organise.

A participant record gives access to a company's meetings, so an account is linked to
the records made for its address only once the address is proven (the confirmation
link of a sign-up, an invitation link, a password reset link).
"""

from __future__ import annotations

import re

import pytest

from matchmaker.accounts.models import User, user_by_email
from matchmaker.notifications.models import Notification
from matchmaker.participants.models import Participant
from tests.accounts.test_mail import inbox  # noqa: F401 (the SMTP server fixture)

CONFIRM = re.compile(r"http://matchmaker\.test(/confirm/\S+)")


def _sign_up(client, email: str, name: str = "Mart Kivi", role: str = "participant"):
    return client.post(
        "/register",
        data={"name": name, "email": email, "password": "tallinn-harbour", "role": role},
    )


def _confirmation_path(inbox, address: str) -> str:  # noqa: F811
    mails = [m for m in inbox.to(address) if CONFIRM.search(m.get_body(("plain",)).get_content())]
    assert mails, [m["Subject"] for m in inbox.to(address)]
    return CONFIRM.search(mails[-1].get_body(("plain",)).get_content()).group(1)


def test_mart_signs_up_first_and_is_linked_only_once_he_confirms(
    client,
    db,
    make_event,
    auth,
    inbox,  # noqa: F811
):
    """Issue 16, section 2: the organiser adds Mart, Mart signs up by himself."""
    event = make_event()
    other_event = make_event()
    for e in (event, other_event):
        auth.login(e.organisers[0])
        client.post(
            f"/events/{e.slug}/organiser/participants/add",
            data={
                "org_name": "Kivi OÜ",
                "country": "EE",
                "name": "Mart Kivi",
                "email": "mart@kivi.example",
            },
        )
        auth.logout()

    assert _sign_up(client, "Mart@Kivi.example").status_code == 200
    mart = user_by_email("mart@kivi.example")
    assert mart.email_confirmed_at is None
    places = db.query(Participant).filter_by(email="mart@kivi.example").all()
    assert len(places) == 2 and all(p.user_id is None for p in places)  # unproven: no link

    auth.login(mart, "tallinn-harbour")
    home = client.get("/").get_data(as_text=True)
    assert 'id="confirm-banner"' in home and "Re-send the confirmation" in home
    assert client.get(f"/events/{event.slug}/profile").status_code == 403

    path = _confirmation_path(inbox, "mart@kivi.example")
    page = client.get(path)
    assert page.status_code == 200 and "Confirm my address" in page.get_data(as_text=True)
    db.refresh(mart)
    assert mart.email_confirmed_at is None  # a mail scanner's GET confirms nothing
    done = client.post(path)
    assert done.status_code == 303
    db.refresh(mart)
    assert mart.email_confirmed_at is not None
    for place in places:
        db.refresh(place)
        assert place.user_id == mart.id and place.claimed_at is not None
    for page in ("profile", "meetings", "agenda"):
        assert client.get(f"/events/{event.slug}/{page}").status_code == 200, page
    assert 'id="confirm-banner"' not in client.get("/").get_data(as_text=True)
    assert client.post(path).status_code == 302  # used again: "confirmed already", no harm


def test_confirming_asks_for_the_password_so_a_squatter_gets_no_places(
    client,
    db,
    make_event,
    auth,
    inbox,  # noqa: F811
):
    """Mallory signs up with Mart's address before Mart does. Mart gets the confirmation
    mail and opens it: without Mallory's password it confirms nothing, so the places made
    for Mart never reach an account whose password Mallory knows."""
    event = make_event()
    auth.login(event.organisers[0])
    client.post(
        f"/events/{event.slug}/organiser/participants/add",
        data={
            "org_name": "Kivi OÜ",
            "country": "EE",
            "name": "Mart Kivi",
            "email": "mart@kivi.example",
        },
    )
    auth.logout()
    _sign_up(client, "mart@kivi.example", name="Mallory")  # password "tallinn-harbour"
    path = _confirmation_path(inbox, "mart@kivi.example")
    page = client.get(path).get_data(as_text=True)
    assert "The account's password" in page
    for attempt in ({}, {"password": "mart-guesses-this"}):
        refused = client.post(path, data=attempt)
        assert refused.status_code == 422 and "not this account" in refused.get_data(as_text=True)
    squatter = user_by_email("mart@kivi.example")
    assert squatter.email_confirmed_at is None
    assert db.query(Participant).filter_by(event_id=event.id).one().user_id is None
    # Whoever knows the password and reads the mail is the owner: confirmed and logged in.
    done = client.post(path, data={"password": "tallinn-harbour"})
    assert done.status_code == 303 and done.headers["Location"] == "/"
    db.refresh(squatter)
    assert squatter.email_confirmed_at is not None
    assert client.get(f"/events/{event.slug}/profile").status_code == 200


def test_sign_up_with_a_taken_address_answers_the_same_and_mails_the_owner(
    client,
    db,
    make_user,
    inbox,  # noqa: F811
):
    """Finding 8: no "exists already" for anyone to probe; the owner hears by e-mail."""
    owner = make_user(email="anna@hydrocyl.example", name="Anna Virtanen")
    taken = _sign_up(client, "ANNA@hydrocyl.example", name="Mallory")
    fresh = _sign_up(client, "someone.new@hydrocyl.example", name="Mallory")

    def neutral(response, email):
        html = response.get_data(as_text=True).replace(email, "EMAIL")
        html = re.sub(r'name="csrf_token" value="[^"]*"', "", html)
        return response.status_code, html

    assert neutral(taken, "anna@hydrocyl.example") == neutral(fresh, "someone.new@hydrocyl.example")
    assert taken.status_code == 200 and "exists" not in taken.get_data(as_text=True)
    # No session for whoever typed Anna's address, and Anna's account is untouched.
    assert "Mallory" not in client.get("/").get_data(as_text=True)
    assert db.query(User).filter_by(email="anna@hydrocyl.example").one().name == "Anna Virtanen"
    assert owner.check_password("correct-horse-battery")
    (notice,) = inbox.to("anna@hydrocyl.example")
    assert "tried to sign up" in notice["Subject"]
    text = notice.get_body(("plain",)).get_content()
    assert "/password/forgot" in text and "/confirm/" not in text
    assert len(inbox.to("someone.new@hydrocyl.example")) == 1  # the confirmation link

    for _ in range(5):  # nobody can flood Anna's inbox through the sign-up form
        _sign_up(client, "anna@hydrocyl.example", name="Mallory")
    assert len(inbox.to("anna@hydrocyl.example")) == 3


def test_the_banner_resends_the_confirmation_a_few_times(
    client,
    db,
    auth,
    inbox,  # noqa: F811
):
    _sign_up(client, "mart@kivi.example")
    mart = user_by_email("mart@kivi.example")
    auth.login(mart, "tallinn-harbour")
    response = client.post("/confirm/resend", data={"next": "/account"})
    assert response.status_code == 303 and response.headers["Location"] == "/account"
    assert "We sent a new confirmation link" in client.get("/account").get_data(as_text=True)
    assert len(inbox.to("mart@kivi.example")) == 2
    client.post("/confirm/resend", data={"next": "//evil.example"})
    refused = client.post("/confirm/resend", data={"next": "//evil.example"})
    assert refused.headers["Location"] == "/"  # never an open redirect
    assert "several links" in client.get("/").get_data(as_text=True)
    assert len(inbox.to("mart@kivi.example")) == 3
    # Both links work (the newest and the first).
    assert client.post(_confirmation_path(inbox, "mart@kivi.example")).status_code == 303
    db.refresh(mart)
    assert mart.email_confirmed_at is not None


def test_forged_and_void_confirmation_links_answer_clearly(
    client,
    db,
    make_user,
    inbox,  # noqa: F811
):
    _sign_up(client, "mart@kivi.example")
    path = _confirmation_path(inbox, "mart@kivi.example")
    forged = client.get(path[:-4] + ("AAAA" if not path.endswith("AAAA") else "BBBB"))
    assert forged.status_code == 400 and "not valid" in forged.get_data(as_text=True)
    mart = user_by_email("mart@kivi.example")
    mart.email = "mart.kivi@kivi.example"  # the address changed since: the link is void
    db.flush()
    void = client.post(path)
    assert void.status_code == 400 and "no longer valid" in void.get_data(as_text=True)
    db.refresh(mart)
    assert mart.email_confirmed_at is None


def test_a_password_reset_proves_the_address(client, db, make_event, make_user, auth, app):
    """Mart's address was taken by someone else's unconfirmed sign-up: the reset link
    (it reaches Mart's mailbox only) proves the address and links his places."""
    from matchmaker.accounts import services

    event = make_event()
    squatted = make_user(email="mart@kivi.example", email_confirmed_at=None)
    auth.login(event.organisers[0])
    client.post(
        f"/events/{event.slug}/organiser/participants/add",
        data={
            "org_name": "Kivi OÜ",
            "country": "EE",
            "name": "Mart Kivi",
            "email": "mart@kivi.example",
        },
    )
    auth.logout()
    place = db.query(Participant).filter_by(event_id=event.id).one()
    assert place.user_id is None
    with app.test_request_context():
        link = services.reset_link(squatted)
    path = link.removeprefix("http://matchmaker.test")
    response = client.post(path, data={"password": "mart-owns-this", "confirm": "mart-owns-this"})
    assert response.status_code == 302
    db.refresh(place)
    db.refresh(squatted)
    assert squatted.email_confirmed_at is not None and place.user_id == squatted.id


@pytest.fixture
def approval(app):
    saved = app.config["ORGANISER_SIGNUP"]
    app.config["ORGANISER_SIGNUP"] = "approval"
    try:
        yield
    finally:
        app.config["ORGANISER_SIGNUP"] = saved


def test_with_approval_a_site_admin_approves_organisers(client, db, make_user, auth, approval, app):
    admin = make_user("admin")
    form = client.get("/register").get_data(as_text=True)
    assert "a site admin approves organisers" in form
    response = _sign_up(client, "kadri@cluster.example", name="Kadri Tamm", role="organiser")
    assert "site admin will look at your request" in response.get_data(as_text=True)
    kadri = user_by_email("kadri@cluster.example")
    assert kadri.role == "participant" and kadri.organiser_requested_at is not None
    assert db.query(Notification).filter_by(user_id=admin.id, kind="organiser-request").count() == 1

    auth.login(kadri, "tallinn-harbour")
    assert client.get("/events/new").status_code == 403
    assert client.get("/admin/organisers").status_code == 403
    assert (
        client.post(f"/admin/organisers/{kadri.id}", data={"decision": "approve"}).status_code
        == 403
    )
    auth.logout()
    organiser = make_user("organiser")
    auth.login(organiser)
    assert client.get("/admin/organisers").status_code == 403  # site admins only
    auth.logout()

    auth.login(admin)
    listing = client.get("/admin/organisers").get_data(as_text=True)
    assert "Kadri Tamm" in listing and "kadri@cluster.example" in listing
    approved = client.post(f"/admin/organisers/{kadri.id}", data={"decision": "approve"})
    assert approved.status_code == 303
    db.refresh(kadri)
    assert kadri.role == "organiser" and kadri.organiser_requested_at is None
    after = client.get("/admin/organisers").get_data(as_text=True)
    assert "Kadri Tamm may now organise events" in after and "No open requests" in after
    assert db.query(Notification).filter_by(user_id=kadri.id, kind="organiser-request").count() == 1
    auth.logout()
    auth.login(kadri, "tallinn-harbour")
    assert client.get("/events/new").status_code == 200

    # The command line does the same for an operator.
    toomas = make_user(email="toomas@cluster.example")
    result = app.test_cli_runner().invoke(args=["users", "approve-organiser", toomas.email])
    assert result.exit_code == 0, result.output
    db.refresh(toomas)
    assert toomas.role == "organiser"


def test_a_participant_account_asks_to_organise(client, db, make_user, auth, app):
    piret = make_user(name="Piret Saar")
    auth.login(piret)
    assert "I want to organise events" in client.get("/account").get_data(as_text=True)
    saved, app.config["ORGANISER_SIGNUP"] = app.config["ORGANISER_SIGNUP"], "approval"
    try:
        assert client.post("/account/organise").status_code == 303
        db.refresh(piret)
        assert piret.role == "participant" and piret.organiser_requested_at is not None
        page = client.get("/account").get_data(as_text=True)
        assert "awaits a site admin" in page and "I want to organise events" not in page
        assert client.get("/events/new").status_code == 403
        assert client.post("/account/organise").status_code == 303  # asked already: no change
    finally:
        app.config["ORGANISER_SIGNUP"] = saved
    app.config["ORGANISER_SIGNUP"] = "open"
    other = make_user()
    auth.logout()
    auth.login(other)
    client.post("/account/organise")  # where sign-up is open: granted at once
    app.config["ORGANISER_SIGNUP"] = saved
    db.refresh(other)
    assert other.role == "organiser"
    assert client.get("/events/new").status_code == 200


def test_open_organiser_sign_up_in_development_approval_in_production(tmp_path, monkeypatch):
    from matchmaker.config import load_config

    monkeypatch.delenv("ORGANISER_SIGNUP", raising=False)
    monkeypatch.setenv("MATCHMAKER_ENV", "development")
    assert load_config(tmp_path)["ORGANISER_SIGNUP"] == "open"
    monkeypatch.setenv("MATCHMAKER_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    monkeypatch.setenv("BASE_URL", "https://meet.example.org")
    assert load_config(tmp_path)["ORGANISER_SIGNUP"] == "approval"
    monkeypatch.setenv("ORGANISER_SIGNUP", "open")
    assert load_config(tmp_path)["ORGANISER_SIGNUP"] == "open"
    monkeypatch.setenv("ORGANISER_SIGNUP", "anyone")
    with pytest.raises(RuntimeError, match="ORGANISER_SIGNUP"):
        load_config(tmp_path)


def test_the_confirmation_page_limits_password_guesses_as_the_log_in_does(
    app, client, db, make_user
):
    """The confirmation form checks the account's password and then logs in: guessing
    there is counted against the same limit as the log-in form, or it would be a way
    around it."""
    from matchmaker.accounts import signup
    from tests.conftest import PASSWORD

    user = make_user("participant", email_confirmed_at=None)
    with app.test_request_context("/"):
        path = re.sub(r"^https?://[^/]+", "", signup.confirmation_link(user))
    guesses = [client.post(path, data={"password": f"guess-{n}"}).status_code for n in range(10)]
    assert guesses == [422] * 10
    refused = client.post(path, data={"password": PASSWORD})
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    assert "Too many attempts" in refused.get_data(as_text=True)
    db.refresh(user)
    assert user.email_confirmed_at is None
    assert client.get("/account").status_code == 302  # not logged in
