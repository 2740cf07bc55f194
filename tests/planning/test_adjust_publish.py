"""Adjusting the draft (move, lock, add, re-run) and publishing it as revisions."""

from __future__ import annotations

from sqlalchemy import select

from matchmaker.meetings.models import Meeting
from matchmaker.notifications.models import Notification
from matchmaker.planning import runs
from matchmaker.planning.board import free_targets
from matchmaker.planning.models import PublishedMeeting, ScheduleRevision
from tests.conftest import htmx_headers
from tests.planning.conftest import SOLVE_SECONDS, assert_valid_schedule


def _solve(db, s):
    run = runs.start_run(s.event, s.organiser, SOLVE_SECONDS)
    db.flush()
    run = runs.execute_run(run.id)
    assert run.status == "succeeded", run.error
    db.expire_all()
    assert run.placed == len(s.meetings), run.result
    return run


def _notified(db, people) -> dict:
    return {
        p.id: db.scalar(
            select(Notification.id).where(
                Notification.user_id == p.user_id, Notification.kind == "schedule"
            )
        )
        is not None
        for p in people
    }


def test_move_offers_only_conflict_free_targets_and_rechecks(client, auth, db, scheduled_event):
    s = scheduled_event()
    _solve(db, s)
    meeting, other = db.get(Meeting, s.meetings[0].id), db.get(Meeting, s.meetings[3].id)
    targets = free_targets(s.event, meeting)
    offered = {(slot.starts_at, t.id) for slot, tables in targets for t in tables}
    assert (other.slot_start, other.table_id) not in offered  # a taken table
    # Slots where one of its participants meets someone else are not offered at all.
    busy = {
        m.slot_start
        for m in db.scalars(select(Meeting))
        if m.id != meeting.id and set(m.participant_ids) & set(meeting.participant_ids)
    }
    assert busy and not busy & {start for start, _ in offered}

    auth.login(s.organiser)
    url = f"/events/{s.event.slug}/schedule/meetings/{meeting.id}/move"
    form = client.get(url, headers=htmx_headers())
    assert form.status_code == 200 and "<html" not in form.get_data(as_text=True)
    taken = f"{other.slot_start:%Y-%m-%dT%H:%MZ}@{other.table_id}"
    refused = client.post(
        url, data={"target": taken, "version": meeting.version}, headers=htmx_headers()
    )
    assert refused.status_code == 409
    assert 'id="target-error"' in refused.get_data(as_text=True)

    slot, tables = targets[-1]
    target = f"{slot.key}@{tables[0].id}"
    stale = client.post(url, data={"target": target, "version": meeting.version - 1})
    assert stale.status_code == 409
    moved = client.post(
        url, data={"target": target, "version": meeting.version}, headers=htmx_headers()
    )
    assert moved.status_code == 200 and moved.headers["HX-Redirect"].endswith("/schedule")
    db.expire_all()
    meeting = db.get(Meeting, meeting.id)
    assert (meeting.slot_start, meeting.table_id) == (slot.starts_at, tables[0].id)
    assert_valid_schedule(db, s.event)


def test_rerun_keeps_locked_meetings_and_moves_few(client, auth, db, scheduled_event):
    s = scheduled_event()
    _solve(db, s)
    locked = db.get(Meeting, s.meetings[2].id)
    auth.login(s.organiser)
    response = client.post(
        f"/events/{s.event.slug}/schedule/meetings/{locked.id}/lock",
        data={"locked": "1", "version": locked.version},
        headers=htmx_headers(),
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<html" not in html and "Unlock" in html
    # The meeting's cell and the quality card (out of band), not the whole board.
    assert f'<td id="meeting-{locked.id}"' in html and 'id="schedule-quality"' in html
    assert 'hx-swap-oob="true"' in html and 'id="schedule-board"' not in html
    db.expire_all()
    locked = db.get(Meeting, locked.id)
    assert locked.locked
    # Move the locked meeting by hand to a free place; the re-run must keep it there.
    slot, tables = free_targets(s.event, locked)[0]
    client.post(
        f"/events/{s.event.slug}/schedule/meetings/{locked.id}/move",
        data={"target": f"{slot.key}@{tables[0].id}", "version": locked.version},
    )
    db.expire_all()
    before = {m.id: (m.slot_start, m.table_id) for m in db.scalars(select(Meeting))}
    run = _solve(db, s)
    after = {m.id: (m.slot_start, m.table_id) for m in db.scalars(select(Meeting))}
    assert after[locked.id] == (slot.starts_at, tables[0].id)
    assert run.result["moved"] == sum(1 for k in before if before[k][0] != after[k][0])
    assert run.result["moved"] <= 2
    assert_valid_schedule(db, s.event)


def test_lock_needs_a_placed_meeting(client, auth, db, scheduled_event):
    s = scheduled_event()
    auth.login(s.organiser)
    response = client.post(
        f"/events/{s.event.slug}/schedule/meetings/{s.meetings[0].id}/lock",
        data={"locked": "1"},
        headers=htmx_headers(),
    )
    assert response.status_code == 422


def test_add_a_meeting_by_hand(client, auth, db, scheduled_event):
    s = scheduled_event()
    auth.login(s.organiser)
    url = f"/events/{s.event.slug}/schedule/meetings/new"
    a, b = s.people[0], s.people[5]
    response = client.post(url, data={"first": a.id, "second": b.id})
    assert response.status_code == 302 and "/move" in response.headers["Location"]
    again = client.post(url, data={"first": b.id, "second": a.id})
    assert again.status_code == 409 and "have a meeting already" in again.get_data(as_text=True)
    same = client.post(url, data={"first": a.id, "second": a.id})
    assert same.status_code == 422 and 'id="second-error"' in same.get_data(as_text=True)


def test_publish_then_changes_notify_only_those_concerned(client, auth, db, scheduled_event):
    s = scheduled_event()
    _solve(db, s)
    auth.login(s.organiser)
    assert client.post(f"/events/{s.event.slug}/schedule/publish").status_code == 302
    db.expire_all()
    published = {pm.meeting_id: pm for pm in db.scalars(select(PublishedMeeting))}
    assert set(published) == {m.id for m in s.meetings}
    assert all(pm.sequence == 0 and pm.status == "confirmed" for pm in published.values())
    assert all(_notified(db, s.people).values())  # first publication: everyone with meetings
    first_notes = db.scalar(select(Notification.id).order_by(Notification.id.desc()).limit(1))
    assert s.event.status == "published"

    # Move one meeting after publication.
    meeting = db.get(Meeting, s.meetings[1].id)
    slot, tables = free_targets(s.event, meeting)[-1]
    client.post(
        f"/events/{s.event.slug}/schedule/meetings/{meeting.id}/move",
        data={"target": f"{slot.key}@{tables[0].id}", "version": meeting.version},
    )
    db.expire_all()
    # The draft change is not what participants see until it is published.
    assert db.get(PublishedMeeting, meeting.id).starts_at != slot.starts_at
    unchanged = {k: (v.sequence, v.changed_at) for k, v in published.items() if k != meeting.id}
    assert client.post(f"/events/{s.event.slug}/schedule/publish").status_code == 302
    db.expire_all()
    pm = db.get(PublishedMeeting, meeting.id)
    assert (pm.starts_at, pm.table_id, pm.sequence) == (slot.starts_at, tables[0].id, 1)
    for k, (seq, changed) in unchanged.items():
        assert (db.get(PublishedMeeting, k).sequence, db.get(PublishedMeeting, k).changed_at) == (
            seq,
            changed,
        )
    new_notes = db.scalars(select(Notification).where(Notification.id > first_notes)).all()
    notified_users = sorted(n.user_id for n in new_notes)
    assert notified_users == sorted(
        db.get(Meeting, meeting.id).attendees[i].participant.user_id for i in (0, 1)
    )
    revision = db.scalar(select(ScheduleRevision).where(ScheduleRevision.number == 2))
    assert [c["change"] for c in revision.changes] == ["moved"]
    assert revision.published_by_id == s.organiser.id

    # Cancelling a meeting is a change too; publishing nothing new is refused.
    from matchmaker.meetings.services import cancel_meeting

    cancel_meeting(db.get(Meeting, s.meetings[4].id))
    db.flush()
    assert client.post(f"/events/{s.event.slug}/schedule/publish").status_code == 302
    db.expire_all()
    gone = db.get(PublishedMeeting, s.meetings[4].id)
    assert gone.status == "cancelled" and gone.sequence == 1
    assert client.post(f"/events/{s.event.slug}/schedule/publish").status_code == 409
    page = client.get(f"/events/{s.event.slug}/schedule")
    assert 'id="revision-3"' in page.get_data(as_text=True)


def test_cli_publish(app, db, scheduled_event):
    s = scheduled_event()
    _solve(db, s)
    result = app.test_cli_runner().invoke(args=["schedule", "publish", s.event.slug])
    assert result.exit_code == 0, result.output
    assert f"Published revision 1 of {s.event.slug}: {len(s.meetings)} added." in result.output
