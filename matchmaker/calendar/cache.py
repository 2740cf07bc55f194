"""Feeds are polled every hour by every subscriber: keep each one's bytes per process.

An entry is valid while the "calendar" data version (``matchmaker.changes``) has not
moved and, when the feed shows a cancelled meeting, until that meeting's end (then the
cancellation leaves the feed). A revalidation that hits the cache costs two small
queries: the token lookup and the version.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime

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
    version: int
    body: bytes
    etag: str
    last_modified: datetime | None
    valid_until: datetime | None  # the end of the first cancelled meeting shown


def render(calendar: ical.FeedCalendar, version: int) -> RenderedFeed:
    body = ical.serialize(calendar)
    ends = [e.ends_at for e in calendar.entries if e.cancelled]
    return RenderedFeed(
        version=version,
        body=body,
        etag=ical.etag(body),
        last_modified=ical.last_modified(calendar),
        valid_until=min(ends, default=None),
    )


class FeedCache:
    """A small LRU of rendered feeds, shared by the threads of one process."""

    def __init__(self, size: int = 4096):
        self.size = size
        self._items: OrderedDict[int, RenderedFeed] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, feed_id: int, version: int, now: datetime) -> RenderedFeed | None:
        with self._lock:
            item = self._items.get(feed_id)
            if item is None or item.version != version:
                return None
            if item.valid_until is not None and now >= item.valid_until:
                return None
            self._items.move_to_end(feed_id)
            return item

    def put(self, feed_id: int, item: RenderedFeed) -> None:
        with self._lock:
            self._items[feed_id] = item
            self._items.move_to_end(feed_id)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


feeds_cache = FeedCache()
