"""Moving a meeting on the grid: pick it, the cells it may go to become buttons, click
one; the server checks again (409 with the reason) and locks the moved meeting."""

from __future__ import annotations

from sqlalchemy import select

from matchmaker.events.services import event_slots
from matchmaker.meetings.models import Meeting
from matchmaker.meetings.services import place_meeting
from matchmaker.planning.board import free_targets
from tests.planning.conftest import assert_valid_schedule


def htmx():
    return {"HX-Request": "true"}


def _placed(db, s):
    slots = event_slots(s.event)
    for i, m in enumerate(s.meetings):
        place_meeting(m, slots[i].starts_at, slots[i].ends_at, s.event.tables[0].id)
    db.flush()
    return slots


def test_pick_shows_the_allowed_cells_and_a_click_moves_and_locks(
    client, auth, db, scheduled_event
):
    s = scheduled_event()
    _placed(db, s)
    meeting = s.meetings[0]
    auth.login(s.organiser)
    url = f"/events/{s.event.slug}/schedule"
    page = client.get(url).get_data(as_text=True)
    # Cells name the people: "Person (Organisation) – Person (Organisation)".
    first, second = (a.participant for a in meeting.attendees)
    assert (
        f"{first.name} ({first.organisation.name}) – {second.name} ({second.organisation.name})"
        in page
    )
    assert f'href="{url}?pick={meeting.id}"' in page

    picked = client.get(f"{url}?pick={meeting.id}", headers=htmx())
    html = picked.get_data(as_text=True)
    assert picked.status_code == 200 and "<html" not in html
    allowed = {(slot.key, t.id) for slot, tables in free_targets(s.event, meeting) for t in tables}
    assert html.count('class="free-cell target"') == len(allowed) > 0
    assert 'id="move-banner"' in html
    slot_key, table_id = sorted(allowed)[-1]
    target = f"{slot_key}@{table_id}"
    assert f'value="{target}"' in html

    moved = client.post(
        f"/events/{s.event.slug}/schedule/meetings/{meeting.id}/place",
        data={"target": target, "version": meeting.version, "pick": meeting.id},
        headers=htmx(),
    )
    body = moved.get_data(as_text=True)
    assert moved.status_code == 200 and 'id="schedule-board"' in body
    assert 'id="move-done"' in body and "target" not in body.split('id="schedule-grid"')[1][:0]
    assert 'class="free-cell target"' not in body
    db.expire_all()
    meeting = db.get(Meeting, meeting.id)
    slot = next(x for x in event_slots(s.event) if x.key == slot_key)
    assert (meeting.slot_start, meeting.table_id) == (slot.starts_at, table_id)
    assert meeting.locked  # says so in its cell
    cell = body.split(f'id="meeting-{meeting.id}"')[1].split("</td>")[0]
    assert ">locked<" in cell
    assert_valid_schedule(db, s.event)


def test_a_cell_taken_meanwhile_gets_409_with_the_reason(client, auth, db, scheduled_event):
    s = scheduled_event()
    slots = _placed(db, s)
    meeting, other = s.meetings[0], s.meetings[7]  # people 0-1 and 4-5
    auth.login(s.organiser)
    slot, tables = free_targets(s.event, meeting)[-1]
    target = f"{slot.key}@{tables[0].id}"
    # Someone else puts another meeting there first.
    place_meeting(other, slot.starts_at, slot.ends_at, tables[0].id)
    db.flush()
    refused = client.post(
        f"/events/{s.event.slug}/schedule/meetings/{meeting.id}/place",
        data={"target": target, "version": meeting.version, "pick": meeting.id},
        headers=htmx(),
    )
    assert refused.status_code == 409
    body = refused.get_data(as_text=True)
    assert 'id="move-error"' in body and "not free for this meeting any more" in body
    assert 'id="move-banner"' in body  # still moving: the cells free now are shown
    db.expire_all()
    assert db.get(Meeting, meeting.id).slot_start == slots[0].starts_at
    stale = client.post(
        f"/events/{s.event.slug}/schedule/meetings/{meeting.id}/place",
        data={"target": target, "version": meeting.version - 1},
        headers=htmx(),
    )
    assert stale.status_code == 409
    assert db.scalar(select(Meeting.locked).where(Meeting.id == meeting.id)) is False


def test_a_stand_holders_meeting_goes_only_to_the_stand_and_nobody_elses_there(db, scheduled_event):
    """Person 0 has table 2 as their stand: their meetings may only be moved there, and
    a meeting of people without a stand never to it."""
    s = scheduled_event()
    _placed(db, s)
    stand = s.event.tables[1]
    s.people[0].fixed_table_id = stand.id
    db.flush()
    holder = {t.id for _slot, tables in free_targets(s.event, s.meetings[0]) for t in tables}
    assert holder == {stand.id}
    others = {t.id for _slot, tables in free_targets(s.event, s.meetings[5]) for t in tables}
    assert others and stand.id not in others  # meeting 5: people 2 and 5, no stand
