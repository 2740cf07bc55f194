"""Feeds are polled every hour by every subscriber: keep each one's bytes per process.

An entry is valid while the "calendar" data version (``matchmaker.changes``) has not
moved and, when the feed shows a cancelled meeting, until that meeting's end (then the
cancellation leaves the feed). Token checks are cached the same way: a token's feed,
event and participant are all watched, so while the version stands, a token that was
live is still live. A revalidation that hits the cache costs one query: the version.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from werkzeug.http import http_date, quote_etag

from .. import changes
from ..events.models import Event, ProgrammeAttendance, ProgrammeItem, Table
from ..meetings.models import MeetingRequest
from ..participants.models import Opportunity, Organisation, Participant
from ..planning.models import PublishedMeeting
from . import ical
from .models import CalendarFeed

VERSION = "calendar"
# Everything a feed shows is read from these.
changes.watch(
    VERSION,
    PublishedMeeting,
    ProgrammeItem,
    ProgrammeAttendance,
    Participant,
    Organisation,
    Opportunity,
    Table,
    Event,
    MeetingRequest,
    CalendarFeed,
)


@dataclass(frozen=True)
class RenderedFeed:
    body: bytes
    etag: str
    last_modified: datetime | None
    valid_until: datetime | None  # the end of the first cancelled meeting shown

    @cached_property
    def quoted_etag(self) -> str:
        return quote_etag(self.etag)

    @cached_property
    def http_last_modified(self) -> str | None:
        return http_date(self.last_modified) if self.last_modified else None


def render(calendar: ical.FeedCalendar) -> RenderedFeed:
    body = ical.serialize(calendar)
    ends = [e.ends_at for e in calendar.entries if e.cancelled]
    return RenderedFeed(
        body=body,
        etag=ical.etag(body),
        last_modified=ical.last_modified(calendar),
        valid_until=min(ends, default=None),
    )


feeds_cache = changes.VersionedCache()  # feed id -> RenderedFeed
tokens_cache = changes.VersionedCache()  # token hash -> feed id


def clear() -> None:
    feeds_cache.clear()
    tokens_cache.clear()
