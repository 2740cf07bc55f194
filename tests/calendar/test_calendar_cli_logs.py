"""The feed-urls command, token redaction in access logs, and publish() end to end."""

from __future__ import annotations

import logging

from gunicorn.config import Config

from matchmaker.calendar.logs import GunicornLogger
from matchmaker.participants.models import Organisation
from tests.calendar.helpers import meeting_between, parse_icalendar, parse_icaljs, slot, vevents

TOKEN = "k" * 43


def test_feed_urls_prints_a_working_link_for_every_approved_participant(
    app, client, db, make_event, make_participant
):
    event = make_event()
    ann = make_participant(event)
    bob = make_participant(event)
    make_participant(event, status="pending")
    runner = app.test_cli_runner()

    result = runner.invoke(args=["calendar", "feed-urls", event.slug])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert sorted(line.split("\t")[0] for line in lines) == sorted([ann.email, bob.email])
    urls = [line.split("\t")[1] for line in lines]
    assert all(url.startswith("http://matchmaker.test/feeds/") for url in urls)
    for url in urls:
        assert client.get(url.removeprefix("http://matchmaker.test")).status_code == 200

    # Running it again prints the same links (subscriptions keep working); --base-url wins.
    again = runner.invoke(
        args=["calendar", "feed-urls", event.slug, "--base-url", "https://mm.example.org/"]
    )
    assert [line.split("\t")[1] for line in again.output.splitlines()] == [
        url.replace("http://matchmaker.test", "https://mm.example.org") for url in urls
    ]
    missing = runner.invoke(args=["calendar", "feed-urls", "no-such-event"])
    assert missing.exit_code != 0 and "no-such-event" in missing.output


def test_werkzeug_access_log_never_shows_a_token(app, caplog):
    logger = logging.getLogger("werkzeug")
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        logger.info(
            '%s - - [%s] "%s" %s -', "127.0.0.1", "now", f"GET /feeds/{TOKEN}.ics HTTP/1.1", 200
        )
    assert TOKEN not in caplog.text
    assert "/feeds/[redacted].ics" in caplog.text


def test_gunicorn_access_log_never_shows_a_token():
    class Response:
        status = "200 OK"
        sent = 10
        headers = []

    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/feeds/{TOKEN}.ics",
        "PATH_INFO": f"/feeds/{TOKEN}.ics",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "QUERY_STRING": "",
    }
    from datetime import timedelta

    atoms = GunicornLogger(Config()).atoms(Response(), [], environ, timedelta(seconds=0))
    assert not any(TOKEN in str(value) for value in atoms.values())
    assert atoms["r"] == "GET /feeds/[redacted].ics HTTP/1.1"


def test_publish_reaches_the_feed_and_a_later_move_bumps_the_sequence(
    client, db, make_event, make_participant
):
    from matchmaker.calendar import services
    from matchmaker.meetings.services import cancel_meeting, place_meeting
    from matchmaker.planning.services import publish

    event = make_event()
    ann = make_participant(event, organisation=Organisation(name="Acme"))
    bob = make_participant(event, organisation=Organisation(name="Bolt; Nut, Ltd"))
    meeting = meeting_between(db, event, ann, bob)
    place_meeting(meeting, slot(1), slot(2) - (slot(2) - slot(1)) / 5, event.tables[0].id)
    path = f"/feeds/{services.feed_token(services.participant_feed(ann))}.ics"
    db.flush()
    assert vevents(parse_icalendar(client.get(path).data)) == []  # a draft shows nothing

    publish(event, event.organisers[0])
    [first] = vevents(parse_icalendar(client.get(path).data))
    assert first["SEQUENCE"] == 0 and first["DTSTART"].dt == slot(1)
    assert str(first["SUMMARY"]) == f"Meeting: {bob.name} (Bolt; Nut, Ltd)"

    place_meeting(meeting, slot(4), slot(4) + (slot(2) - slot(1)) * 4 / 5, event.tables[1].id)
    publish(event, event.organisers[0])
    [moved] = vevents(parse_icalendar(client.get(path).data))
    assert moved["UID"] == first["UID"] and moved["SEQUENCE"] == 1
    assert moved["DTSTART"].dt == slot(4)

    cancel_meeting(meeting)
    publish(event, event.organisers[0])
    body = client.get(path).data
    [cancelled] = vevents(parse_icalendar(body))
    assert cancelled["UID"] == first["UID"] and str(cancelled["STATUS"]) == "CANCELLED"
    assert cancelled["SEQUENCE"] == 2
    parse_icaljs(body)
