"""Calendar test helpers: a published schedule made by hand, and two independent parsers.

``publish_meeting`` / ``move`` / ``cancel`` simulate what ``schedules.services.publish``
does to ``PublishedMeeting`` rows (sequence 0 at first publication, +1 on every change
of time, table or status; ``changed_at`` = the change), so feeds can be tested alone.
"""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import icalendar

from matchmaker.meetings.models import MeetingRequest
from matchmaker.meetings.services import create_meeting, place_meeting
from matchmaker.planning.models import PublishedMeeting

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
DAY = datetime(2027, 3, 9, 7, 0, tzinfo=UTC)  # 09:00 in Johannesburg, the first slot
SLOT = timedelta(minutes=20)


def slot(index: int) -> datetime:
    """UTC start of the make_event fixture's morning slot ``index`` (20 + 5 minutes)."""
    return DAY + index * timedelta(minutes=25)


def meeting_between(db, event, a, b, message: str = ""):
    """A meeting from an accepted request of ``a`` to ``b`` (the draft; not published)."""
    request = None
    if message:
        low, high = sorted((a.id, b.id))
        request = MeetingRequest(
            event_id=event.id,
            requester_id=a.id,
            recipient_id=b.id,
            pair_low=low,
            pair_high=high,
            status="accepted",
            message=message,
        )
        db.add(request)
        db.flush()
    return create_meeting(event, [a, b], request=request)


def publish_meeting(db, meeting, index: int, table, at: datetime | None = None):
    """Place the meeting and publish it as it stands (sequence 0)."""
    start = slot(index)
    place_meeting(meeting, start, start + SLOT, table.id)
    row = PublishedMeeting(
        meeting_id=meeting.id,
        event_id=meeting.event_id,
        status="confirmed",
        starts_at=start,
        ends_at=start + SLOT,
        table_id=table.id,
        sequence=0,
        changed_at=at or datetime(2027, 2, 1, 12, tzinfo=UTC),
    )
    db.add(row)
    db.flush()
    return row


def move(db, row, index: int, table=None, at: datetime | None = None):
    """A published move: new time (and table), sequence + 1, changed now."""
    row.starts_at = slot(index)
    row.ends_at = row.starts_at + SLOT
    if table is not None:
        row.table_id = table.id
    row.sequence += 1
    row.changed_at = at or row.changed_at + timedelta(days=1)
    db.flush()
    return row


def cancel(db, row, at: datetime | None = None):
    row.status = "cancelled"
    row.sequence += 1
    row.changed_at = at or row.changed_at + timedelta(days=1)
    db.flush()
    return row


def parse_icalendar(body: bytes) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(body)


def parse_icaljs(body: bytes) -> dict:
    """Parse with ical.js under Node (as Thunderbird would); JSON of the components."""
    result = subprocess.run(
        ["node", str(HERE / "parse_ical.mjs")],
        input=body,
        capture_output=True,
        check=True,
        cwd=REPO,
        timeout=30,
    )
    return json.loads(result.stdout)


def js_events(parsed: dict) -> list[dict]:
    return [c for c in parsed["components"] if c["name"] == "VEVENT"]


def js_value(component: dict, name: str):
    values = component["properties"].get(name)
    return values[0]["value"] if values else None


def vevents(calendar: icalendar.Calendar) -> list:
    return [c for c in calendar.walk("VEVENT")]
