"""The serializer alone: plain data in, RFC 5545 bytes out (no app, no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from matchmaker.calendar.ical import Entry, ExactText, FeedCalendar, etag, last_modified, serialize
from tests.calendar.helpers import js_events, js_value, parse_icalendar, parse_icaljs, vevents

START = datetime(2027, 3, 9, 7, 0, tzinfo=UTC)
NASTY = 'Acme; "Foo", Bar\\Baz\nSecond line\r\nBEGIN:VEVENT\nUID:evil\rX-INJECT:1'
# The icalendar package's *reader* turns an escaped backslash before n/N into a line
# break, so text like this is checked with ical.js only (our output is right).
BACKSLASH_N = "C:\\new \\N folder\\\nnext"


def entry(uid="a@matchmaker", **fields) -> Entry:
    values = {
        "uid": uid,
        "sequence": 0,
        "stamp": datetime(2027, 2, 1, 12, 0, 0, 123456, tzinfo=UTC),
        "starts_at": START,
        "ends_at": START + timedelta(minutes=20),
        "summary": "Meeting: Acme",
    }
    values.update(fields)
    return Entry(**values)


def test_calendar_properties_line_endings_and_folding():
    body = serialize(
        FeedCalendar(name="Mission · Ääkkönen Oy", entries=(entry(description="x" * 300),))
    )
    text = body.decode("utf-8")
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    lines = body.split(b"\r\n")
    assert b"\n" not in b"".join(lines) and b"\r" not in b"".join(lines)
    assert max(len(line) for line in lines) <= 75
    for expected in (
        "VERSION:2.0",
        "PRODID:-//Matchmaker//Calendar feeds 1.0//EN",
        "NAME:Mission · Ääkkönen Oy",
        "X-WR-CALNAME:Mission · Ääkkönen Oy",
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
        "X-PUBLISHED-TTL:PT1H",
    ):
        assert expected + "\r\n" in text
    assert "X-WR-TIMEZONE" not in text and "TZID" not in text
    parsed = parse_icaljs(body)
    assert js_value(parsed, "REFRESH-INTERVAL") == "PT1H"
    assert js_value(parsed, "NAME") == "Mission · Ääkkönen Oy"
    assert js_value(js_events(parsed)[0], "DESCRIPTION") == "x" * 300


def test_times_are_utc_and_dtstamp_is_the_last_change_not_now():
    body = serialize(FeedCalendar(name="c", entries=(entry(sequence=3),)))
    text = body.decode()
    assert "DTSTART:20270309T070000Z\r\n" in text
    assert "DTEND:20270309T072000Z\r\n" in text
    assert "DTSTAMP:20270201T120000Z\r\n" in text
    assert "SEQUENCE:3\r\n" in text
    event = js_events(parse_icaljs(body))[0]
    assert js_value(event, "DTSTART")["zone"] == "UTC"
    assert js_value(event, "DTSTART")["epoch"] == int(START.timestamp())
    assert js_value(event, "DTSTAMP")["text"] == "2027-02-01T12:00:00Z"


def test_same_data_gives_the_same_bytes_whatever_the_order():
    a, b = entry("b@x", starts_at=START), entry("a@x", starts_at=START)
    c = entry("c@x", starts_at=START - timedelta(hours=1), ends_at=START)
    first = serialize(FeedCalendar(name="c", entries=(a, b, c)))
    second = serialize(FeedCalendar(name="c", entries=(c, b, a)))
    assert first == second and etag(first) == etag(second)
    uids = [str(e["UID"]) for e in vevents(parse_icalendar(first))]
    assert uids == ["c@x", "a@x", "b@x"]
    assert etag(serialize(FeedCalendar(name="d", entries=(a,)))) != etag(first)


@pytest.mark.parametrize("field", ["summary", "location", "description"])
def test_user_text_round_trips_exactly_and_cannot_add_properties(field):
    body = serialize(FeedCalendar(name=NASTY, entries=(entry(**{field: NASTY}),)))
    expected = NASTY.replace("\r\n", "\n").replace("\r", "\n")
    cal = parse_icalendar(body)
    [event] = vevents(cal)
    assert str(event[field.upper()]) == expected
    assert str(cal["X-WR-CALNAME"]) == expected
    assert str(event["UID"]) == "a@matchmaker"
    assert "X-INJECT" not in event
    parsed = parse_icaljs(body)
    [js_event] = js_events(parsed)
    assert js_value(js_event, field.upper()) == expected
    assert js_value(js_event, "UID") == "a@matchmaker"
    assert "X-INJECT" not in js_event["properties"]
    # ical.js does not know NAME and X-WR-CALNAME, so it keeps them as written
    # (escaped): still one property each, and nothing injected beside them.
    escaped = ExactText(expected).to_ical().decode()
    assert js_value(parsed, "NAME") == js_value(parsed, "X-WR-CALNAME") == escaped
    assert "UID" not in parsed["properties"] and len(js_events(parsed)) == 1


def test_cancelled_entry_and_last_modified():
    issued = datetime(2027, 1, 1, tzinfo=UTC)
    later = datetime(2027, 2, 5, 8, 30, tzinfo=UTC)
    calendar = FeedCalendar(
        name="c", entries=(entry(), entry("b@x", stamp=later, cancelled=True)), issued_at=issued
    )
    [_, cancelled] = vevents(parse_icalendar(serialize(calendar)))
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert last_modified(calendar) == later
    assert last_modified(FeedCalendar(name="c", issued_at=issued)) == issued


def test_backslash_before_n_round_trips_in_icaljs():
    body = serialize(FeedCalendar(name="c", entries=(entry(summary=BACKSLASH_N),)))
    assert "SUMMARY:C:\\\\new \\\\N folder\\\\\\nnext\r\n" in body.decode()
    [js_event] = js_events(parse_icaljs(body))
    assert js_value(js_event, "SUMMARY") == BACKSLASH_N
