"""Two-factor log-in: turned on with a code from the app, asked at every log-in, recovery
codes used once, and an owner may require it of the event's team."""

from __future__ import annotations

import re
import time

import pyotp

from matchmaker.accounts.models import User
from tests.conftest import PASSWORD


def _turn_on(client, db, user) -> list[str]:
    page = client.get("/account/two-factor").get_data(as_text=True)
    assert "<svg" in page  # the QR code
    db.expire_all()
    secret = db.get(User, user.id).totp_secret
    assert secret and secret in page  # and the key as text
    assert client.post("/account/two-factor", data={"code": "000000"}).status_code == 422
    db.expire_all()
    assert db.get(User, user.id).totp_enabled_at is None
    done = client.post("/account/two-factor", data={"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200
    db.expire_all()
    assert db.get(User, user.id).totp_enabled_at is not None
    return re.findall(r"<code>([0-9a-f]{5}-[0-9a-f]{5})</code>", done.get_data(as_text=True))


def _password(client, user):
    return client.post("/login", data={"email": user.email, "password": PASSWORD})


def test_every_log_in_then_asks_for_a_code(client, db, make_user, auth):
    user = make_user("organiser")
    auth.login(user)
    codes = _turn_on(client, db, user)
    assert len(codes) == 10
    auth.logout()

    response = _password(client, user)
    assert response.headers["Location"].endswith("/login/two-factor")
    assert client.get("/account").status_code == 302  # not logged in yet
    assert client.post("/login/two-factor", data={"code": "123456"}).status_code == 422
    secret = db.get(User, user.id).totp_secret
    # The next step's code: the one that turned it on a moment ago is used up.
    done = client.post("/login/two-factor", data={"code": _next_code(secret)})
    assert done.status_code == 302
    assert client.get("/account").status_code == 200


def _next_code(secret: str) -> str:
    """The code the app shows in the next 30 s (accepted: a clock may run a step ahead)."""
    return pyotp.TOTP(secret).at(time.time() + 30)


def test_a_code_from_the_app_is_good_once(client, db, make_user):
    """A code stays valid ~90 s (the step before, this one and the next); whoever sees it
    typed (over a shoulder, a phishing page passing it on) must not log in with it again."""
    user = make_user("organiser")
    secret = _with_two_factor(db, user)
    code = pyotp.TOTP(secret).now()
    _password(client, user)
    assert client.post("/login/two-factor", data={"code": code}).status_code == 302
    client.post("/logout")
    _password(client, user)
    again = client.post("/login/two-factor", data={"code": code})
    assert again.status_code == 422 and "That code is not right." in again.get_data(as_text=True)
    assert client.get("/account").status_code == 302  # not logged in
    assert client.post("/login/two-factor", data={"code": _next_code(secret)}).status_code == 302
    client.post("/logout")
    _password(client, user)  # an older code than the last accepted one: refused too
    older = pyotp.TOTP(secret).at(time.time() - 30)
    assert client.post("/login/two-factor", data={"code": older}).status_code == 422


def test_the_setup_page_keeps_its_key_until_a_code_confirms_it(client, db, make_user, auth):
    """Opening the page again (a reload, back from the app) must not change the key: the
    QR code already scanned would stop working."""
    user = make_user("organiser")
    auth.login(user)
    first = client.get("/account/two-factor").get_data(as_text=True)
    db.expire_all()
    secret = db.get(User, user.id).totp_secret
    assert secret and secret in first
    again = client.get("/account/two-factor").get_data(as_text=True)
    db.expire_all()
    assert db.get(User, user.id).totp_secret == secret and secret in again
    assert client.post("/account/two-factor", data={"code": "000000"}).status_code == 422
    client.get("/account/two-factor")
    done = client.post("/account/two-factor", data={"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200 and "recovery-codes" in done.get_data(as_text=True)
    db.expire_all()
    assert db.get(User, user.id).totp_enabled_at is not None


def test_a_recovery_code_works_once(client, db, make_user, auth):
    user = make_user("organiser")
    auth.login(user)
    codes = _turn_on(client, db, user)
    auth.logout()
    _password(client, user)
    assert client.post("/login/two-factor", data={"code": codes[0]}).status_code == 302
    auth.logout()
    _password(client, user)
    assert client.post("/login/two-factor", data={"code": codes[0]}).status_code == 422
    assert client.post("/login/two-factor", data={"code": codes[1]}).status_code == 302


def test_the_code_page_needs_a_password_first_and_limits_guesses(client, db, make_user, auth):
    assert client.get("/login/two-factor").status_code == 302
    user = make_user("organiser")
    auth.login(user)
    _turn_on(client, db, user)
    auth.logout()
    _password(client, user)
    statuses = [
        client.post("/login/two-factor", data={"code": "000000"}).status_code for _ in range(11)
    ]
    assert statuses[:10] == [422] * 10 and statuses[10] == 429


def test_an_owner_may_require_it_of_the_team(client, db, make_event, add_member, auth):
    event = make_event()
    owner = event.organisers[0]
    member = add_member(event, "organiser")
    auth.login(owner)
    url = f"/events/{event.slug}/team/settings"
    client.post(url, data={"require_two_factor": "yes"})
    db.expire_all()
    assert event.require_two_factor is False  # not before the owner has it
    _turn_on(client, db, owner)
    client.post(url, data={"require_two_factor": "yes"})
    db.expire_all()
    assert event.require_two_factor is True
    auth.logout()
    auth.login(member)
    response = client.get(f"/events/{event.slug}/manage")
    assert response.status_code == 302 and response.headers["Location"].endswith(
        "/account/two-factor"
    )
    _turn_on(client, db, member)
    assert client.get(f"/events/{event.slug}/manage").status_code == 200


def _with_two_factor(db, user) -> str:
    from datetime import UTC, datetime

    user.totp_secret = pyotp.random_base32()
    user.totp_enabled_at = datetime.now(UTC)
    db.flush()
    return user.totp_secret


def test_a_password_reset_link_still_asks_for_the_code(app, client, db, make_user):
    """The reset link only proves the mailbox: whoever reads it (a stolen mailbox) must
    not be logged in past the second factor."""
    from matchmaker.accounts import services

    user = make_user("organiser")
    secret = _with_two_factor(db, user)
    with app.test_request_context("/"):
        path = re.sub(r"^https?://[^/]+", "", services.reset_link(user))
    done = client.post(path, data={"password": "new-password-1", "confirm": "new-password-1"})
    assert done.status_code == 302 and done.headers["Location"].endswith("/login/two-factor")
    assert client.get("/account").status_code == 302  # not logged in without the code
    db.expire_all()
    assert db.get(User, user.id).check_password("new-password-1")  # the password changed
    assert client.post("/login/two-factor", data={"code": pyotp.TOTP(secret).now()}).status_code
    assert client.get("/account").status_code == 200


def test_confirming_the_address_still_asks_for_the_code(app, client, db, make_user):
    from matchmaker.accounts import signup

    user = make_user("participant", email_confirmed_at=None)
    secret = _with_two_factor(db, user)
    with app.test_request_context("/"):
        path = re.sub(r"^https?://[^/]+", "", signup.confirmation_link(user))
    done = client.post(path, data={"password": PASSWORD})
    assert done.status_code == 303 and done.headers["Location"].endswith("/login/two-factor")
    assert client.get("/account").status_code == 302
    db.expire_all()
    assert db.get(User, user.id).email_confirmed_at is not None
    client.post("/login/two-factor", data={"code": pyotp.TOTP(secret).now()})
    page = client.get("/account")
    assert page.status_code == 200
