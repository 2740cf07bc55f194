"""Same-day re-plan: an absent participant's meetings that have not started are cancelled,
only their partners are told, and a re-plan changes nothing that has begun."""

from __future__ import annotations

from sqlalchemy import select


def _notified(db, participant):
    from matchmaker.notifications.models import Notification

    return db.scalars(
        select(Notification.message).where(Notification.user_id == participant.user_id)
    ).all()


def test_marking_absent_cancels_what_has_not_started_and_tells_only_the_partners(
    client, auth, db, day_event
):
    from matchmaker.meetings.models import Meeting
    from matchmaker.participants.models import Unavailability
    from matchmaker.planning.models import PublishedMeeting, SolverRun

    day = day_event()
    anna, thandi, kadri, jukka = day.people
    before = {p.id: len(_notified(db, p)) for p in day.people}
    started, _other, later = day.meetings
    auth.login(day.organiser)
    r = client.post(f"/events/{day.event.slug}/desk/participants/{anna.id}/absent")
    assert r.status_code == 303
    db.expire_all()
    # The meeting that began stays where it was; the later one is cancelled and published so.
    assert db.get(Meeting, started.id).status == "active"
    assert db.get(Meeting, started.id).slot_start == day.slots[0].starts_at
    assert db.get(Meeting, later.id).status == "cancelled"
    assert db.get(PublishedMeeting, later.id).status == "cancelled"
    # Only the freed partner (and Anna herself) hear of it; the others' days did not change.
    after = {p.id: len(_notified(db, p)) for p in day.people}
    assert after[kadri.id] == before[kadri.id] + 1
    assert after[thandi.id] == before[thandi.id] and after[jukka.id] == before[jukka.id]
    # Anna cannot be planned again today; the re-plan ran and kept the past.
    assert db.scalar(
        select(Unavailability).where(
            Unavailability.participant_id == anna.id,
            Unavailability.slot_start == day.slots[-1].starts_at,
        )
    )
    run = db.scalar(select(SolverRun).where(SolverRun.event_id == day.event.id))
    assert run is not None and run.status == "succeeded", run and run.error
    for m in day.meetings[:2]:
        assert db.get(Meeting, m.id).slot_start == day.slots[0].starts_at
    html = client.get(f"/events/{day.event.slug}/desk/attendance?view=day").get_data(True)
    assert f'id="missing-{anna.id}"' in html and "absent</span>" in html


def test_a_run_during_the_event_keeps_what_began_and_places_nothing_in_the_past(db, day_event):
    from matchmaker.desk.replan import keep_the_past
    from matchmaker.meetings.services import create_meeting
    from matchmaker.planning.engine_input import build_problem

    day = day_event()
    unplaced = create_meeting(day.event, [day.people[1], day.people[3]])
    db.flush()
    problem = keep_the_past(day.event, build_problem(day.event))
    by_id = {m["id"]: m for m in problem["meetings"]}
    first = day.slots[0].key
    for m in day.meetings[:2]:
        assert str(m.id) in problem["locked"] and by_id[str(m.id)]["fixed_slot"] == first
    for m in (day.meetings[2], unplaced):
        assert first not in by_id[str(m.id)]["slots"]
        assert day.slots[-1].key in by_id[str(m.id)]["slots"]


def test_before_the_event_a_run_is_as_it_was(db, make_user, make_event, make_participant):
    from matchmaker.desk.replan import keep_the_past
    from matchmaker.meetings.services import create_meeting
    from matchmaker.planning.engine_input import build_problem

    event = make_event()  # in 2027
    a, b = make_participant(event), make_participant(event)
    create_meeting(event, [a, b])
    db.flush()
    problem = build_problem(event)
    assert keep_the_past(event, build_problem(event)) == problem


def test_a_meeting_in_progress_of_the_absent_participant_stays_where_it_is(
    client, auth, db, day_event
):
    from matchmaker.dbtypes import utcnow
    from matchmaker.meetings.models import Meeting
    from matchmaker.meetings.services import create_meeting, place_meeting
    from matchmaker.planning.services import publish

    day = day_event()
    anna, jukka = day.people[0], day.people[3]
    now = utcnow()
    current = max((s for s in day.slots if s.starts_at <= now), key=lambda s: s.starts_at)
    going_on = create_meeting(day.event, [anna, jukka])
    place_meeting(going_on, current.starts_at, current.ends_at, day.event.tables[1].id)
    publish(day.event, day.organiser)
    db.flush()
    auth.login(day.organiser)
    client.post(f"/events/{day.event.slug}/desk/participants/{anna.id}/absent")
    db.expire_all()
    kept = db.get(Meeting, going_on.id)
    assert kept.status == "active" and kept.slot_start == current.starts_at
    assert kept.table_id == day.event.tables[1].id
