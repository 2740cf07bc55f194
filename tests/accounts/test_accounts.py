import re

from matchmaker.accounts import services
from matchmaker.accounts.models import User, user_by_email
from tests.conftest import PASSWORD


def test_register_creates_an_unconfirmed_account_that_can_log_in(client, db, auth):
    response = client.post(
        "/register",
        data={
            "name": "Anna Virtanen",
            "email": "Anna@HydroCyl.example",
            "password": "long-enough-pass",
        },
    )
    # The answer is the same whether or not the address had an account (see
    # test_confirmation): "check your mail", and no session yet.
    assert response.status_code == 200 and "Check your mail" in response.get_data(as_text=True)
    user = user_by_email("anna@hydrocyl.example")
    assert user is not None and user.role == "participant"
    assert user.email_confirmed_at is None
    assert user.password_hash.startswith("pbkdf2:sha256:1000$")  # the test configuration
    assert "Anna Virtanen" not in client.get("/").get_data(as_text=True)
    auth.login(user, "long-enough-pass")
    home = client.get("/").get_data(as_text=True)
    assert "Anna Virtanen" in home and 'id="confirm-banner"' in home


def test_register_refuses_short_common_and_duplicate(client, db, make_user):
    short = client.post(
        "/register", data={"name": "A", "email": "a@x.example", "password": "short"}
    )
    assert short.status_code == 422
    assert "at least 8" in short.get_data(as_text=True)

    common = client.post(
        "/register", data={"name": "A", "email": "a@x.example", "password": "password123"}
    )
    assert common.status_code == 422
    assert "too common" in common.get_data(as_text=True)

    existing = make_user(email="taken@x.example")
    dup = client.post(
        "/register", data={"name": "B", "email": "TAKEN@x.example", "password": "long-enough-pass"}
    )
    # Neutral: no "exists already" (the owner is told by e-mail; see test_confirmation).
    assert dup.status_code == 200 and "Check your mail" in dup.get_data(as_text=True)
    assert "exists already" not in dup.get_data(as_text=True)
    assert db.query(User).filter_by(email="taken@x.example").one().id == existing.id
    assert existing.check_password(PASSWORD)  # untouched

    too_long = client.post(
        "/register", data={"name": "A", "email": "b@x.example", "password": "x" * 129}
    )
    assert too_long.status_code == 422
    assert user_by_email("a@x.example") is None and user_by_email("b@x.example") is None


def test_login_wrong_password_and_logout(client, db, make_user, auth):
    user = make_user()
    bad = client.post("/login", data={"email": user.email, "password": "wrong-password"})
    assert bad.status_code == 422
    assert "wrong" in bad.get_data(as_text=True)
    auth.login(user)
    assert client.get("/account").status_code == 200
    auth.logout()
    assert client.get("/account").status_code == 302  # back to the login page


def test_login_starts_a_fresh_session(client, db, make_user):
    user = make_user()
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    with client.session_transaction() as session:
        assert "planted" not in session


def test_login_refuses_open_redirects(client, db, make_user):
    user = make_user()
    response = client.post(
        "/login?next=https://evil.example/", data={"email": user.email, "password": PASSWORD}
    )
    assert response.headers["Location"] == "/"
    response = client.post("/login?next=/account", data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/account"


def test_password_reset_link_is_single_use(app, client, db, make_user):
    user = make_user()
    link = services.reset_link(user)
    path = re.sub(r"^https?://[^/]+", "", link)
    assert client.get(path).status_code == 200
    mismatch = client.post(path, data={"password": "new-password-1", "confirm": "other-password"})
    assert mismatch.status_code == 422
    response = client.post(path, data={"password": "new-password-1", "confirm": "new-password-1"})
    assert response.status_code == 302
    db.expire_all()
    assert db.get(User, user.id).check_password("new-password-1")
    used = client.get(path)
    assert used.status_code == 400
    assert "used already" in used.get_data(as_text=True)
    forged = client.get("/password/reset/not-a-token")
    assert forged.status_code == 400


def test_reset_link_expires(app, db, make_user):
    import pytest

    from matchmaker.errors import Invalid

    user = make_user()
    token = services.reset_token(user)
    app.config["PASSWORD_RESET_MAX_AGE"] = -1
    try:
        with pytest.raises(Invalid, match="expired"):
            services.user_from_reset_token(token)
    finally:
        app.config["PASSWORD_RESET_MAX_AGE"] = 3600


def test_password_change_logs_out_other_sessions(app, client, db, make_user, auth):
    user = make_user()
    auth.login(user)
    services.change_password(user, "brand-new-password")
    db.flush()
    assert client.get("/account").status_code == 302


def test_forgot_password_answers_the_same_for_unknown_addresses(client, db, make_user, caplog):
    user = make_user()
    caplog.set_level("INFO")
    known = client.post("/password/forgot", data={"email": user.email})
    unknown = client.post("/password/forgot", data={"email": "nobody@x.example"})
    assert known.status_code == unknown.status_code == 302
    assert "/password/reset/" in caplog.text  # no mail server: the link goes to the log


def test_cli_reset_link(app, db, make_user):
    user = make_user(email="cli@x.example")
    result = app.test_cli_runner().invoke(args=["users", "reset-link", "cli@x.example"])
    assert result.exit_code == 0
    assert result.output.startswith("http://matchmaker.test/password/reset/")
    missing = app.test_cli_runner().invoke(args=["users", "reset-link", "nobody@x.example"])
    assert missing.exit_code != 0
    assert user.id


def test_register_as_organiser_but_never_as_admin(client, db):
    client.post(
        "/register",
        data={
            "name": "Kadri",
            "email": "kadri@x.example",
            "password": "long-enough-pass",
            "role": "organiser",
        },
    )
    assert user_by_email("kadri@x.example").role == "organiser"
    client.post("/logout")
    response = client.post(
        "/register",
        data={
            "name": "Eve",
            "email": "eve@x.example",
            "password": "long-enough-pass",
            "role": "admin",
        },
    )
    assert response.status_code == 422
    assert user_by_email("eve@x.example") is None


def test_production_hashes_passwords_with_scrypt(tmp_path):
    from matchmaker.config import load_config

    assert load_config(tmp_path)["PASSWORD_HASH_METHOD"] == "scrypt"
