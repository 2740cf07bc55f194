"""Revisions that say what changed: each person's notice lists their changes, the
organiser sees them before publishing, the agenda marks them since the last look."""

from __future__ import annotations

from sqlalchemy import select

from matchmaker.events.services import event_slots
from matchmaker.meetings.models import Meeting
from matchmaker.meetings.services import cancel_meeting, place_meeting
from matchmaker.notifications.models import Notification
from matchmaker.planning import services


def _placed(db, s):
    slots = event_slots(s.event)
    for i, m in enumerate(s.meetings):
        place_meeting(m, slots[i].starts_at, slots[i].ends_at, s.event.tables[0].id)
    db.flush()
    return slots


def test_a_revision_tells_each_person_their_changes(client, auth, db, scheduled_event):
    s = scheduled_event()
    slots = _placed(db, s)
    services.publish(s.event, s.organiser)
    db.flush()
    first_note = db.scalar(select(Notification.id).order_by(Notification.id.desc()).limit(1))
    a, b = s.people[0], s.people[1]  # meeting 0: people 0 and 1, slot 1 (09:00), Table 1
    # The agenda as first published: nothing marked.
    auth.login(b.user)
    page = client.get(f"/events/{s.event.slug}/agenda").get_data(as_text=True)
    assert 'id="agenda-changes"' not in page
    auth.logout()

    moved = db.get(Meeting, s.meetings[0].id)
    place_meeting(moved, slots[10].starts_at, slots[10].ends_at, s.event.tables[2].id)
    cancel_meeting(db.get(Meeting, s.meetings[7].id))  # people 4 and 5
    db.flush()

    # The organiser sees the diff before publishing.
    auth.login(s.organiser)
    page = client.get(f"/events/{s.event.slug}/schedule").get_data(as_text=True)
    assert "1 meeting moves, 1 is cancelled; 4 people are notified." in page
    told = page.split('id="pending-people"')[1].split("</details>")[0]
    move_line = f"Tue 09:00 Table 1 → Tue 14:50 Table 3, with {b.name} ({b.organisation.name})"
    assert f"<strong>{a.name} ({a.organisation.name})</strong>: {move_line}" in told
    assert client.post(f"/events/{s.event.slug}/schedule/publish").status_code == 302
    auth.logout()

    notes = db.scalars(select(Notification).where(Notification.id > first_note)).all()
    by_user = {n.user_id: n.message for n in notes}
    assert len(by_user) == 4
    assert by_user[a.user_id].endswith(f"(revision 2): {move_line}.")
    e, f = s.people[4], s.people[5]
    assert by_user[e.user_id].endswith(
        f"(revision 2): Cancelled: Tue 11:55 Table 1, with {f.name} ({f.organisation.name})."
    )

    # B's agenda marks the moved meeting (where it was) once; the next look is plain.
    auth.login(b.user)
    page = client.get(f"/events/{s.event.slug}/agenda").get_data(as_text=True)
    assert 'id="agenda-changes"' in page
    row = page.split(f'id="agenda-meeting-{moved.id}"')[0].rsplit("<tr", 1)[1]
    assert "agenda-changed" in row
    cell = page.split(f'id="agenda-meeting-{moved.id}"')[1].split("</tr>")[0]
    assert "Moved: was Tue 09:00 Table 1" in cell
    again = client.get(f"/events/{s.event.slug}/agenda").get_data(as_text=True)
    assert 'id="agenda-changes"' not in again and "Moved: was" not in again
