"""Log-in limits, sessions that end, safe redirects and error headers (issue 17, 1/2/7/11;
issue 16, 9).

The parallel and replay tests against a real multi-worker server are in
``test_security_gunicorn.py``.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from matchmaker import ratelimit
from matchmaker.accounts import services
from matchmaker.accounts.models import AttemptCounter, UserSession
from matchmaker.dbtypes import utcnow
from tests.conftest import PASSWORD

LIMIT, WINDOW = services.LOGIN_LIMIT_PER_ADDRESS


def _login(client, email, password="not-my-password", ip="127.0.0.1"):
    return client.post(
        "/login",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": ip},
    )


def _let_windows_pass(db):
    db.execute(update(AttemptCounter).values(window_start=utcnow() - timedelta(seconds=WINDOW + 1)))
    db.flush()


# --- the counter ----------------------------------------------------------------------


def test_the_counter_counts_in_the_database_and_restarts_after_its_window(app, db):
    with app.test_request_context():
        results = [ratelimit.hit("test:key", 3, 60) for _ in range(5)]
        assert [r.allowed for r in results] == [True, True, True, False, False]
        assert 55 <= results[-1].retry_after <= 60
        assert db.scalar(select(AttemptCounter.hits).where(AttemptCounter.key == "test:key")) == 5
        db.execute(update(AttemptCounter).values(window_start=utcnow() - timedelta(seconds=61)))
        assert ratelimit.hit("test:key", 3, 60).allowed
        assert db.scalar(select(AttemptCounter.hits).where(AttemptCounter.key == "test:key")) == 1


# --- log-in limits --------------------------------------------------------------------


@pytest.mark.parametrize("known", [True, False], ids=["account", "unknown address"])
def test_too_many_attempts_answer_429_with_retry_after_whether_or_not_an_account_exists(
    client, db, make_user, known
):
    email = make_user().email if known else "nobody-here@example.test"
    for _ in range(LIMIT):
        assert _login(client, email).status_code == 422
    refused = _login(client, email, PASSWORD)  # even the right password, for now
    html = refused.get_data(as_text=True)
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= WINDOW
    assert 'id="password-error"' in html and "Too many attempts" in html
    assert "Try again in 10 minutes" in html
    if known:
        # The window passes: the owner gets in, and nothing was locked on the account.
        _let_windows_pass(db)
        assert _login(client, email, PASSWORD).status_code == 302


def test_a_successful_login_starts_the_address_afresh(client, db, make_user):
    user = make_user()
    for _ in range(LIMIT - 1):
        _login(client, user.email)
    assert _login(client, user.email, PASSWORD).status_code == 302
    client.post("/logout")
    for _ in range(LIMIT - 1):
        assert _login(client, user.email).status_code == 422
    assert _login(client, user.email, PASSWORD).status_code == 302


def test_the_address_is_counted_however_it_is_written(client, db, make_user):
    user = make_user(email="anna@hydrocyl.example")
    for n in range(LIMIT):
        _login(client, "ANNA@hydrocyl.example " if n % 2 else "anna@HYDROCYL.example")
    assert _login(client, user.email, PASSWORD).status_code == 429


def test_one_ip_trying_many_addresses_is_limited(app, client, db, make_user):
    app.config["LOGIN_LIMIT_PER_IP"] = (5, 600)
    try:
        user = make_user()
        # Successful log-ins give their attempt back (one venue Wi-Fi, many people).
        for _ in range(8):
            assert _login(client, user.email, PASSWORD, ip="10.0.0.7").status_code == 302
            client.post("/logout")
        for n in range(5):
            assert _login(client, f"guess{n}@example.test", ip="10.0.0.7").status_code == 422
        refused = _login(client, user.email, PASSWORD, ip="10.0.0.7")
        assert refused.status_code == 429 and "Retry-After" in refused.headers
        assert "from your network" in refused.get_data(as_text=True)
        # Another address is not affected.
        assert _login(client, user.email, PASSWORD, ip="10.0.0.8").status_code == 302
    finally:
        app.config.pop("LOGIN_LIMIT_PER_IP")


def test_a_password_reset_lets_the_owner_in_again(client, db, make_user):
    user = make_user()
    for _ in range(LIMIT + 3):
        _login(client, user.email)
    path = services.reset_link(user).split("matchmaker.test", 1)[1]
    response = client.post(
        path, data={"password": "a-brand-new-one-9", "confirm": "a-brand-new-one-9"}
    )
    assert response.status_code == 302
    client.post("/logout")
    assert _login(client, user.email, "a-brand-new-one-9").status_code == 302


# --- sessions ---------------------------------------------------------------------------


def test_a_replayed_session_cookie_is_anonymous_after_logout(client, db, make_user, auth):
    user = make_user(name="Sanna Hämäläinen")
    auth.login(user)
    account = client.get("/account")
    assert account.status_code == 200 and "Sanna Hämäläinen" in account.get_data(as_text=True)
    copied = client.get_cookie("session").value
    auth.logout()
    client.set_cookie("session", copied)  # the copy an attacker kept
    replay = client.get("/account")
    assert replay.status_code == 302 and "/login" in replay.headers["Location"]
    assert "Sanna" not in client.get("/").get_data(as_text=True)


def test_log_out_everywhere_ends_every_browser(app, client, db, make_user, auth):
    user = make_user()
    other = app.test_client()
    auth.login(user)
    assert other.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    page = client.get("/account").get_data(as_text=True)
    assert "logged in on 2 browsers" in page and "Log out everywhere" in page
    assert client.post("/account/logout-everywhere").status_code == 302
    assert client.get("/account").status_code == 302
    assert other.get("/account").status_code == 302
    assert db.scalar(select(UserSession).where(UserSession.user_id == user.id)) is None


def test_a_password_change_ends_the_other_sessions(app, client, db, make_user, auth):
    user = make_user()
    other = app.test_client()
    assert other.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    path = services.reset_link(user).split("matchmaker.test", 1)[1]
    client.post(path, data={"password": "a-brand-new-one-9", "confirm": "a-brand-new-one-9"})
    assert client.get("/account").status_code == 200  # the browser that changed it
    assert other.get("/account").status_code == 302
    assert len(db.scalars(select(UserSession).where(UserSession.user_id == user.id)).all()) == 1


def test_last_seen_is_written_once_in_a_while_not_on_every_request(client, db, make_user, auth):
    user = make_user()
    auth.login(user)
    row = db.scalar(select(UserSession).where(UserSession.user_id == user.id))
    first_seen = row.last_seen_at
    client.get("/account")
    db.expire_all()
    assert db.get(UserSession, row.id).last_seen_at == first_seen
    long_ago = utcnow() - timedelta(minutes=30)
    db.execute(update(UserSession).where(UserSession.id == row.id).values(last_seen_at=long_ago))
    assert client.get("/account").status_code == 200
    db.expire_all()
    assert db.get(UserSession, row.id).last_seen_at > long_ago + timedelta(minutes=29)


def test_a_session_unseen_for_longer_than_the_cookie_lives_is_over(
    app, client, db, make_user, auth
):
    user = make_user()
    auth.login(user)
    stale = utcnow() - app.permanent_session_lifetime - timedelta(minutes=1)
    db.execute(update(UserSession).where(UserSession.user_id == user.id).values(last_seen_at=stale))
    assert client.get("/account").status_code == 302


# --- redirects after a form -------------------------------------------------------------

NASTY_NEXT = [
    "https://evil.example/",
    "//evil.example/x",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\nSet-Cookie: a=b",
    "/ok\x00",
    "/\x0b/evil.example",
    "javascript:alert(1)",
    "http:/evil.example",
    "evil.example",
    " //evil.example",
    "/\u2028/evil.example",
]


@pytest.mark.parametrize("target", NASTY_NEXT)
def test_login_never_redirects_off_site(client, db, make_user, target):
    user = make_user()
    response = client.post(
        "/login", query_string={"next": target}, data={"email": user.email, "password": PASSWORD}
    )
    if "\x00" in target:  # refused before any view (web.init_web)
        assert response.status_code == 400 and "Location" not in response.headers
    else:
        assert response.status_code == 302 and response.headers["Location"] == "/"


def test_calendar_link_form_never_redirects_off_site(
    client, db, make_event, make_participant, auth
):
    event = make_event()
    participant = make_participant(event)
    auth.login(participant.user)
    back = f"/events/{event.slug}/calendar#calendar-links"
    for target in NASTY_NEXT:
        response = client.post(f"/events/{event.slug}/calendar/feed", data={"next": target})
        if "\x00" in target:  # refused before any view (web.init_web)
            assert response.status_code == 400 and "Location" not in response.headers
            continue
        assert response.status_code == 303, repr(target)
        assert response.headers["Location"] == back, repr(target)
    ok = client.post(f"/events/{event.slug}/calendar/feed", data={"next": "/events/x/agenda?a=1"})
    assert ok.headers["Location"] == "/events/x/agenda?a=1#calendar-links"


# --- error responses keep their headers -------------------------------------------------


def test_405_says_which_methods_are_allowed(client, db):
    response = client.get("/logout")
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]
    assert response.headers["Content-Type"].startswith("text/html")
    assert "Method not allowed" in response.get_data(as_text=True)


def test_a_domain_error_and_an_http_error_keep_their_headers(app, db):
    from werkzeug.exceptions import TooManyRequests

    from matchmaker.errors import TooManyAttempts

    for error in (TooManyAttempts("Slow down.", retry_after=42), TooManyRequests(retry_after=42)):
        with app.test_request_context("/"):
            response = app.make_response(app.handle_user_exception(error))
        assert response.status_code == 429
        assert response.headers["Retry-After"] == "42"
        assert response.headers["Content-Type"].startswith("text/html")
        assert "Too many requests" in response.get_data(as_text=True)


# --- sign-up and reset requests (each may send a mail) ----------------------------------


def test_sign_ups_from_one_network_are_limited(app, client, db):
    app.config["SIGNUP_LIMIT_PER_IP"] = (3, 3600)
    try:
        for n in range(3):
            data = {
                "name": f"Person {n}",
                "email": f"p{n}@hydrocyl.example",
                "password": "long-pass-77",
            }
            assert client.post("/register", data=data).status_code == 200
        data = {"name": "Person 4", "email": "p4@hydrocyl.example", "password": "long-pass-77"}
        refused = client.post("/register", data=data)
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
        assert "Too many sign-ups" in refused.get_data(as_text=True)
        other = client.post("/register", data=data, environ_base={"REMOTE_ADDR": "10.9.9.9"})
        assert other.status_code == 200
    finally:
        app.config.pop("SIGNUP_LIMIT_PER_IP")


@pytest.mark.parametrize("known", [True, False], ids=["account", "unknown address"])
def test_reset_links_for_one_address_are_limited(client, db, make_user, known):
    email = make_user().email if known else "nobody-here@example.test"
    limit = services.MAIL_LIMIT_PER_ADDRESS[0]
    for _ in range(limit):
        assert client.post("/password/forgot", data={"email": email}).status_code == 302
    refused = client.post("/password/forgot", data={"email": email})
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert "Too many reset links" in refused.get_data(as_text=True)


def test_the_hourly_housekeeping_drops_old_counters_and_sessions(app, client, db, make_user, auth):
    from matchmaker.accounts.tasks import purge_counters_and_sessions

    user = make_user()
    auth.login(user)
    _login(client, "someone@example.test")
    _login(client, "old@example.test")
    db.execute(
        update(AttemptCounter)
        .where(AttemptCounter.key == "login:email:old@example.test")
        .values(window_start=utcnow() - timedelta(days=2))
    )
    other = app.test_client()
    other.post("/login", data={"email": user.email, "password": PASSWORD})
    stale = utcnow() - app.permanent_session_lifetime - timedelta(minutes=1)
    newest = db.scalars(select(UserSession.id).order_by(UserSession.created_at.desc())).first()
    db.execute(update(UserSession).where(UserSession.id == newest).values(last_seen_at=stale))
    purge_counters_and_sessions.call_local()
    keys = set(db.scalars(select(AttemptCounter.key)))
    assert "login:email:someone@example.test" in keys
    assert "login:email:old@example.test" not in keys
    assert db.scalars(select(UserSession.id)).all() != [newest]
    assert len(db.scalars(select(UserSession.id)).all()) == 1
    assert client.get("/account").status_code == 200


def test_behind_a_trusted_proxy_the_visitor_address_is_counted(tmp_path):
    """TRUSTED_PROXIES=1: the per-IP limits count the address the proxy forwarded, not
    the proxy's own (else the whole site would be one visitor)."""
    from tests.app.committed import committed_engine, own_app
    from tests.gunicorn_server import fresh_database

    url = fresh_database(tmp_path, "proxy")
    with own_app(url, tmp_path, TRUSTED_PROXIES=1) as proxied:
        client = proxied.test_client()
        for visitor in ("203.0.113.9", "198.51.100.4"):
            client.post(
                "/login",
                data={"email": "nobody-here@example.test", "password": "not-my-password"},
                headers={"X-Forwarded-For": visitor},
            )
    engine = committed_engine(url)
    try:
        with engine.connect() as conn:
            keys = set(conn.scalars(select(AttemptCounter.key)))
    finally:
        engine.dispose()
    assert {"login:ip:203.0.113.9", "login:ip:198.51.100.4"} <= keys
    assert "login:ip:127.0.0.1" not in keys
