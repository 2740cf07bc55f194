"""Rate limits on meeting requests and messages (``matchmaker.ratelimit``): beyond the
limit a clear 429 with Retry-After, and nothing saved."""

from __future__ import annotations

from sqlalchemy import func, select

from matchmaker.meetings.booking import REQUESTS_PER_HOUR
from matchmaker.meetings.models import MeetingRequest
from matchmaker.threads.models import ThreadPost
from matchmaker.threads.services import POSTS_PER_10_MINUTES


def test_meeting_requests_are_limited_per_hour(client, db, make_event, make_participant, auth):
    event = make_event(max_meetings_per_participant=None)
    me = make_participant(event)
    others = [make_participant(event) for _ in range(REQUESTS_PER_HOUR + 1)]
    auth.login(me.user)
    statuses = [
        client.post(f"/events/{event.slug}/participants/{o.id}/request", data={"message": "Hi"})
        for o in others
    ]
    assert all(r.status_code in (200, 302) for r in statuses[:REQUESTS_PER_HOUR])
    refused = statuses[-1]
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert "many meetings in a short time" in refused.get_data(as_text=True)
    count = db.scalar(select(func.count()).where(MeetingRequest.requester_id == me.id))
    assert count == REQUESTS_PER_HOUR


def test_messages_are_limited_per_ten_minutes(client, db, make_event, make_participant, auth):
    event = make_event()
    anna, thandi = make_participant(event), make_participant(event)
    auth.login(anna.user)
    client.post(f"/events/{event.slug}/participants/{thandi.id}/request", data={"message": "Hi"})
    req = db.scalar(select(MeetingRequest).where(MeetingRequest.requester_id == anna.id))
    url = f"/events/{event.slug}/requests/{req.id}/messages"
    statuses = [
        client.post(url, data={"body": f"Message {n}"}).status_code
        for n in range(POSTS_PER_10_MINUTES + 1)
    ]
    assert statuses[:POSTS_PER_10_MINUTES] == [200] * POSTS_PER_10_MINUTES
    assert statuses[-1] == 429
    assert db.scalar(select(func.count()).select_from(ThreadPost)) == POSTS_PER_10_MINUTES
