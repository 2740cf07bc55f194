"""A meeting request's notification is news until the request is answered or withdrawn.

Issue 16 (section 5): a buyer answered every request and the notification badge still
said 4. The notification of a request points at that request (its link), and settling
the request marks exactly that notification read; the badge follows (counts-changed).
"""

from matchmaker.meetings import booking
from matchmaker.notifications.models import Notification
from matchmaker.notifications.services import unread_count
from tests.conftest import htmx_headers


def _unread(db, user) -> list[str]:
    db.expire_all()
    rows = db.query(Notification).filter_by(user_id=user.id, read_at=None, kind="meeting_request")
    return sorted(n.link for n in rows.all())


def test_each_answer_settles_only_its_own_request_notification(
    client, db, auth, make_event, make_participant
):
    event = make_event(max_meetings_per_participant=5)
    buyer = make_participant(event)
    asking = [make_participant(event) for _ in range(4)]
    asked = [booking.request_meeting(p, buyer, created_by=p.user) for p in asking]
    db.flush()
    links = [f"/events/{event.slug}/meetings?show=incoming#request-{r.id}" for r in asked]
    assert _unread(db, buyer.user) == sorted(links)

    auth.login(buyer.user)
    answer = client.post(
        f"/events/{event.slug}/requests/{asked[0].id}/accept", headers=htmx_headers()
    )
    assert answer.status_code == 200
    assert "counts-changed" in answer.headers["HX-Trigger"].split(", ")
    assert _unread(db, buyer.user) == sorted(links[1:])
    badge = client.get("/notifications/badge", headers=htmx_headers()).get_data(as_text=True)
    assert 'aria-label="3 unread"' in badge and "<html" not in badge

    client.post(f"/events/{event.slug}/requests/{asked[1].id}/decline", headers=htmx_headers())
    assert _unread(db, buyer.user) == sorted(links[2:])
    auth.logout()

    # Withdrawn by the one who asked: nothing is left to answer either (the withdrawal
    # itself is news, a notification of its own).
    auth.login(asking[2].user)
    client.post(f"/events/{event.slug}/requests/{asked[2].id}/withdraw", headers=htmx_headers())
    assert _unread(db, buyer.user) == [links[3]]
    assert unread_count(buyer.user) == 2


def test_a_refused_answer_settles_nothing(client, db, auth, make_event, make_participant):
    event = make_event()
    buyer, supplier = make_participant(event), make_participant(event)
    req = booking.request_meeting(supplier, buyer, created_by=supplier.user)
    db.flush()
    auth.login(supplier.user)  # the one who asked cannot accept
    answer = client.post(f"/events/{event.slug}/requests/{req.id}/accept", headers=htmx_headers())
    assert answer.status_code == 403
    assert "counts-changed" not in answer.headers.get("HX-Trigger", "")
    assert len(_unread(db, buyer.user)) == 1
