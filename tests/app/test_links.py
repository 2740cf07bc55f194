"""Links that work: feed, .ics and reset links point where the app is actually served."""

from __future__ import annotations

import re
from datetime import date, time

import pytest

from matchmaker.config import load_config
from matchmaker.events import services as events
from matchmaker.web import absolute_url
from tests.calendar.helpers import parse_icalendar, vevents
from tests.conftest import PASSWORD

SERVED = "http://127.0.0.1:5077"


@pytest.fixture
def no_base_url(app, monkeypatch):
    """Development without BASE_URL, as on a fresh clone with `PORT=5077 make run`."""
    monkeypatch.setitem(app.config, "BASE_URL", None)


def test_production_refuses_to_start_without_base_url(tmp_path, monkeypatch):
    monkeypatch.setenv("MATCHMAKER_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "a-real-secret")
    monkeypatch.delenv("BASE_URL", raising=False)
    with pytest.raises(RuntimeError, match="BASE_URL must be set in production"):
        load_config(tmp_path)
    monkeypatch.setenv("BASE_URL", "https://meet.example.org/")
    assert load_config(tmp_path)["BASE_URL"] == "https://meet.example.org"


def test_development_has_no_fixed_base_url(tmp_path, monkeypatch):
    monkeypatch.delenv("MATCHMAKER_ENV", raising=False)
    monkeypatch.delenv("BASE_URL", raising=False)
    assert load_config(tmp_path)["BASE_URL"] is None


def test_links_made_in_a_request_point_to_the_address_served(
    app, client, db, no_base_url, make_event, make_participant, caplog
):
    event = make_event()
    events.add_programme_item(
        event, title="Opening", day=date(2027, 3, 9), start_time=time(8), end_time=time(8, 30)
    )
    ann = make_participant(event)
    login = client.post(
        "/login", data={"email": ann.user.email, "password": PASSWORD}, base_url=SERVED
    )
    assert login.status_code == 302

    # The subscription link on the participant's calendar page.
    client.post(f"/events/{event.slug}/calendar/feed", base_url=SERVED)
    page = client.get(f"/events/{event.slug}/calendar", base_url=SERVED).get_data(as_text=True)
    https = re.search(r'value="(http://[^"]+/feeds/[^"]+)"', page).group(1)
    assert https.startswith(f"{SERVED}/feeds/"), https
    assert 'value="webcal://127.0.0.1:5077/feeds/' in page

    # The links inside the .ics the participant downloads.
    ics = client.get(f"/events/{event.slug}/agenda.ics", base_url=SERVED)
    assert ics.status_code == 200
    urls = [str(e["URL"]) for e in vevents(parse_icalendar(ics.data))]
    assert urls and all(u.startswith(f"{SERVED}/events/{event.slug}") for u in urls), urls

    # The password reset link (no mail server: it goes to the log).
    client.post("/logout", base_url=SERVED)
    caplog.set_level("INFO")
    client.post("/password/forgot", data={"email": ann.user.email}, base_url=SERVED)
    assert f"{SERVED}/password/reset/" in caplog.text
    assert "localhost:5000" not in caplog.text


def test_links_made_outside_a_request_use_host_and_port(app, no_base_url, monkeypatch):
    """The worker and the command line: HOST and PORT as `make run` exports them."""
    monkeypatch.setenv("HOST", "127.0.0.1")
    monkeypatch.setenv("PORT", "5077")
    with app.app_context():
        assert absolute_url("events.home") == f"{SERVED}/"
    monkeypatch.setenv("HOST", "0.0.0.0")
    with app.app_context():
        assert absolute_url("events.home") == f"{SERVED}/"


def test_a_configured_base_url_wins(app, client, db, make_user):
    result = app.test_cli_runner().invoke(args=["users", "reset-link", make_user().email])
    assert result.output.startswith("http://matchmaker.test/password/reset/")
