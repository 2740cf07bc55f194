"""Feeds are polled every hour by every subscriber: keep each one's bytes per process.

An entry is valid while the "calendar" data version (``matchmaker.changes``) has not
moved and, when the feed shows a cancelled meeting, until that meeting's end (then the
cancellation leaves the feed). Token checks are cached the same way: a token's feed,
event and participant are all watched, so while the version stands, a token that was
live is still live. A revalidation that hits the cache costs one query: the version.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

from werkzeug.http import http_date, quote_etag

from .. import changes
from ..events.models import Event, ProgrammeAttendance, ProgrammeItem, Table
from ..meetings.models import MeetingRequest
from ..participants.models import Opportunity, Organisation, Participant
from ..schedules.models import PublishedMeeting
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


class VersionedCache:
    """A small LRU of values computed at a data version, shared by a process's threads."""

    def __init__(self, size: int = 4096):
        self.size = size
        self._items: OrderedDict[Hashable, tuple[int, datetime | None, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, version: int, now: datetime) -> Any:
        """The value stored for ``key`` at ``version`` and still valid at ``now``."""
        with self._lock:
            item = self._items.get(key)
            if item is None or item[0] != version or (item[1] is not None and now >= item[1]):
                return None
            self._items.move_to_end(key)
            return item[2]

    def put(self, key: Hashable, version: int, value: Any, valid_until=None) -> None:
        with self._lock:
            self._items[key] = (version, valid_until, value)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


feeds_cache = VersionedCache()  # feed id -> RenderedFeed
tokens_cache = VersionedCache()  # token hash -> feed id


def clear() -> None:
    feeds_cache.clear()
    tokens_cache.clear()
