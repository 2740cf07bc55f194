"""iCalendar serializer: plain dataclasses in, RFC 5545 bytes out. Imports no Flask.

Output is deterministic — the same data always gives the same bytes — so feeds can
answer conditional requests with a strong ETag:

- no "now" anywhere: DTSTAMP is the entry's last change, never the time of the request;
- entries are ordered by (start, uid);
- times are UTC (``...Z``), so no VTIMEZONE is needed and nothing is floating.

The ``icalendar`` package builds the lines, folds them at 75 octets and ends them with
CRLF. Text is escaped by :class:`ExactText` so whatever a participant types (``;``,
``,``, ``\\``, line breaks, even a literal ``\\N``) round-trips exactly and can never
start a property of its own.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from icalendar import Calendar
from icalendar import Event as VEvent
from icalendar.prop import vDuration, vText

PRODID = "-//Matchmaker//Calendar feeds 1.0//EN"
REFRESH = timedelta(hours=1)
# Control characters are not allowed in TEXT values (RFC 5545 §3.3.11); tabs are.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class ExactText(vText):
    """A TEXT value escaped exactly per RFC 5545 §3.3.11.

    ``icalendar``'s own escaping turns a literal ``\\N`` into a line break first; this
    one escapes the backslash before anything else, so every input round-trips.
    """

    def to_ical(self) -> bytes:
        text = clean_text(str(self))
        escaped = (
            text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")
        )
        return escaped.encode("utf-8")


def clean_text(value: str) -> str:
    """Line breaks become ``\\n``; other control characters go (they are not TEXT)."""
    return _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


@dataclass(frozen=True)
class Entry:
    """One VEVENT: a meeting or a programme item as a calendar shows it."""

    uid: str
    sequence: int
    stamp: datetime  # last change of time, place or status (DTSTAMP / LAST-MODIFIED)
    starts_at: datetime
    ends_at: datetime
    summary: str
    location: str = ""
    description: str = ""
    url: str = ""
    cancelled: bool = False


@dataclass(frozen=True)
class FeedCalendar:
    """A whole calendar: its name and its entries (in any order)."""

    name: str
    description: str = ""
    entries: tuple[Entry, ...] = ()
    # When the feed was issued: Last-Modified of a feed with no entries.
    issued_at: datetime | None = None


def utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("naive datetime given to the calendar serializer")
    return value.astimezone(UTC).replace(microsecond=0)


def _text(component, name: str, value: str) -> None:
    if value:
        component.add(name, ExactText(value))


def _vevent(entry: Entry) -> VEvent:
    vevent = VEvent()
    vevent.add("uid", entry.uid)
    vevent.add("sequence", entry.sequence)
    vevent.add("dtstamp", utc(entry.stamp))
    vevent.add("last-modified", utc(entry.stamp))
    vevent.add("dtstart", utc(entry.starts_at))
    vevent.add("dtend", utc(entry.ends_at))
    vevent.add("status", "CANCELLED" if entry.cancelled else "CONFIRMED")
    _text(vevent, "summary", entry.summary)
    _text(vevent, "location", entry.location)
    _text(vevent, "description", entry.description)
    if entry.url:
        vevent.add("url", entry.url)
    vevent.add("transp", "TRANSPARENT" if entry.cancelled else "OPAQUE")
    return vevent


@lru_cache(maxsize=512)
def serialize(calendar: FeedCalendar) -> bytes:
    """The calendar as iCalendar bytes (UTF-8, CRLF, folded at 75 octets).

    A pure function of frozen data, so it is memoised: a feed polled again with the
    same data (the usual case) is not serialised twice by one process.
    """
    vcalendar = Calendar()
    vcalendar.add("prodid", PRODID)
    vcalendar.add("version", "2.0")
    vcalendar.add("calscale", "GREGORIAN")
    _text(vcalendar, "name", calendar.name)
    _text(vcalendar, "x-wr-calname", calendar.name)
    _text(vcalendar, "description", calendar.description)
    _text(vcalendar, "x-wr-caldesc", calendar.description)
    vcalendar.add("refresh-interval", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
    vcalendar.add("x-published-ttl", vDuration(REFRESH))
    for entry in sorted(calendar.entries, key=lambda e: (utc(e.starts_at), e.uid)):
        vcalendar.add_component(_vevent(entry))
    return vcalendar.to_ical()


@lru_cache(maxsize=512)
def etag(body: bytes) -> str:
    """A strong validator: the body's hash (same bytes, same ETag)."""
    return hashlib.sha256(body).hexdigest()[:40]


def last_modified(calendar: FeedCalendar) -> datetime | None:
    """The latest change of anything in the feed (or when the feed was issued)."""
    stamps = [utc(e.stamp) for e in calendar.entries]
    if calendar.issued_at is not None:
        stamps.append(utc(calendar.issued_at))
    return max(stamps, default=None)
