"""What the organiser reads when one meeting changes: singular, not "1 meetings"."""

from __future__ import annotations

from matchmaker.meetings.models import Meeting
from matchmaker.planning import runs
from matchmaker.planning.board import free_targets
from tests.planning.conftest import SOLVE_SECONDS


def test_one_changed_meeting_is_said_in_the_singular(client, auth, db, scheduled_event):
    s = scheduled_event()
    run = runs.start_run(s.event, s.organiser, SOLVE_SECONDS)
    db.flush()
    assert runs.execute_run(run.id).status == "succeeded"
    db.expire_all()
    auth.login(s.organiser)
    assert client.post(f"/events/{s.event.slug}/schedule/publish").status_code == 302

    meeting = db.get(Meeting, s.meetings[1].id)
    slot, tables = free_targets(s.event, meeting)[-1]
    client.post(
        f"/events/{s.event.slug}/schedule/meetings/{meeting.id}/move",
        data={"target": f"{slot.key}@{tables[0].id}", "version": meeting.version},
    )
    page = client.get(f"/events/{s.event.slug}/schedule").get_data(as_text=True)
    assert '<strong id="pending-count">1</strong> meeting;' in page

    answer = client.post(f"/events/{s.event.slug}/schedule/publish", follow_redirects=True)
    text = answer.get_data(as_text=True)
    assert "Published revision 2: 1 change; the participants concerned are notified." in text
