"""E-mail through a real SMTP server (aiosmtpd on loopback) when MAIL_SERVER is set."""

from __future__ import annotations

import re
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

from tests.conftest import free_port


class Inbox:
    def __init__(self) -> None:
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((envelope.rcpt_tos, message))
        return "250 OK"

    def to(self, address: str) -> list:
        return [m for rcpt, m in self.messages if address in rcpt]


@pytest.fixture
def inbox(app):
    handler = Inbox()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    saved = {k: app.config.get(k) for k in ("MAIL_SERVER", "MAIL_PORT", "MAIL_USE_TLS")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False)
    try:
        yield handler
    finally:
        app.config.update(saved)
        controller.stop()


def test_password_reset_link_arrives_by_mail(client, db, make_user, inbox, caplog):
    user = make_user()
    client.post("/password/forgot", data={"email": user.email})
    (mail,) = inbox.to(user.email)
    assert mail["Subject"] == "Reset your Matchmaker password"
    text = mail.get_body(("plain",)).get_content()
    assert "/password/reset/" in mail.get_body(("html",)).get_content()  # both parts
    link = re.search(r"http://matchmaker\.test(/password/reset/\S+)", text)
    assert link is not None
    assert "/password/reset/" not in caplog.text  # mailed, not logged
    page = client.get(link.group(1))
    assert page.status_code == 200 and "New password" in page.get_data(as_text=True)
    client.post("/password/forgot", data={"email": "nobody@x.example"})
    assert len(inbox.messages) == 1  # nothing for unknown addresses


def test_a_meeting_request_is_mailed_to_the_recipient_only(
    client, db, make_event, make_participant, auth, inbox
):
    event = make_event()
    asker, asked, bystander = (make_participant(event) for _ in range(3))
    auth.login(asker.user)
    response = client.post(
        f"/events/{event.slug}/participants/{asked.id}/request", data={"message": "Cylinders?"}
    )
    assert response.status_code in (200, 302, 303)
    (mail,) = inbox.to(asked.user.email)
    assert asker.organisation.name in mail.get_body(("plain",)).get_content()
    assert f"http://matchmaker.test/events/{event.slug}" in mail.get_body(("plain",)).get_content()
    assert inbox.to(asker.user.email) == [] and inbox.to(bystander.user.email) == []


def test_the_reset_mail_says_how_long_the_link_works_as_configured(
    app, client, make_user, inbox, monkeypatch
):
    monkeypatch.setitem(app.config, "PASSWORD_RESET_MAX_AGE", 2 * 3600)
    user = make_user()
    page = client.get("/password/forgot").get_data(as_text=True)
    assert "It works for 2 hours." in page
    client.post("/password/forgot", data={"email": user.email})
    (mail,) = inbox.to(user.email)
    text = mail.get_body(("plain",)).get_content()
    assert "the link works for 2 hours" in text and "one hour" not in text
    monkeypatch.setitem(app.config, "PASSWORD_RESET_MAX_AGE", 30 * 60)
    assert "It works for 30 minutes." in client.get("/password/forgot").get_data(as_text=True)
