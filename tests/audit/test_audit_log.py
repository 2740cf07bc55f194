"""The audit log: who did what and when on an event, on a page for its organisers."""

from __future__ import annotations

from sqlalchemy import select

from matchmaker.audit.models import AuditEntry
from matchmaker.meetings.models import Meeting
from matchmaker.planning import runs
from matchmaker.planning.board import free_targets
from tests.planning.conftest import SOLVE_SECONDS, scheduled_event  # noqa: F401


def _log(db, event):
    return [
        (e.actor_name, e.action, e.details)
        for e in db.scalars(
            select(AuditEntry).where(AuditEntry.event_id == event.id).order_by(AuditEntry.id)
        )
    ]


def test_status_changes_and_approvals_are_logged_with_who_did_them(
    client, db, make_event, make_participant, auth
):
    event = make_event(status="draft")
    owner = event.organisers[0]
    pending = make_participant(event, status="pending", name="Anna Virtanen")
    auth.login(owner)
    client.post(f"/events/{event.slug}/status", data={"status": "open"})
    client.post(
        f"/events/{event.slug}/organiser/participants/{pending.id}/status",
        data={"status": "approved"},
    )
    log = _log(db, event)
    assert (owner.name, "event.status", {"to": "open"}) in log
    assert (
        owner.name,
        "participant.status",
        {"participant_id": pending.id, "to": "approved"},
    ) in log
    page = client.get(f"/events/{event.slug}/audit")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Changed the event&#39;s status" in text and "participant: Anna Virtanen" in text


def test_imports_are_logged(client, db, make_event, auth):
    event = make_event()
    auth.login(event.organisers[0])
    csv = "organisation,country,name,email\nKivi OÜ,EE,Mart Kivi,mart@kivi.example\n"
    from io import BytesIO

    client.post(
        f"/events/{event.slug}/organiser/participants/import",
        data={"csv_file": (BytesIO(csv.encode()), "people.csv")},
        content_type="multipart/form-data",
    )
    assert ("participants.imported", {"added": 1}) in [(a, d) for _, a, d in _log(db, event)]


def test_solver_runs_moves_and_publications_are_logged(
    client,
    db,
    auth,
    scheduled_event,  # noqa: F811
):
    s = scheduled_event()
    run = runs.start_run(s.event, s.organiser, SOLVE_SECONDS)
    db.flush()
    runs.execute_run(run.id)
    db.expire_all()
    auth.login(s.organiser)
    meeting = db.get(Meeting, s.meetings[0].id)
    slot, tables = free_targets(s.event, meeting)[-1]
    client.post(
        f"/events/{s.event.slug}/schedule/meetings/{meeting.id}/move",
        data={"target": f"{slot.key}@{tables[0].id}", "version": meeting.version},
    )
    client.post(f"/events/{s.event.slug}/schedule/publish")
    actions = [a for _, a, _ in _log(db, s.event)]
    assert actions.count("schedule.run") == 1
    assert "schedule.moved" in actions and "schedule.published" in actions
    assert actions.index("schedule.moved") < actions.index("schedule.published")


def test_only_owners_and_organisers_read_the_log(client, db, make_event, make_user, auth):
    event = make_event()
    auth.login(make_user("organiser"))
    assert client.get(f"/events/{event.slug}/audit").status_code == 404


def test_mailings_are_logged(db, make_event, make_participant):
    from matchmaker.mailings.mailings import Draft, create_mailing

    event = make_event()
    make_participant(event)
    make_participant(event)
    mailing = create_mailing(
        event, event.organisers[0], Draft("Welcome", "See you on Tuesday.", "everyone")
    )
    assert (
        event.organisers[0].name,
        "mailing.sent",
        {"mailing_id": mailing.id, "recipients": 2},
    ) in _log(db, event)
