"""Absent for the rest of the day or of the event; who the check-in desk expects each day."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select


def _tomorrow(db, day):
    """Anna and Jukka meet tomorrow at 09:00 (published)."""
    from matchmaker.events.services import event_slots
    from matchmaker.meetings.services import create_meeting, place_meeting
    from matchmaker.planning.services import publish

    slot = next(s for s in event_slots(day.event) if s.day > day.slots[0].day)
    meeting = create_meeting(day.event, [day.people[0], day.people[3]])
    place_meeting(meeting, slot.starts_at, slot.ends_at, day.event.tables[0].id)
    publish(day.event, day.organiser)
    db.flush()
    return meeting, slot


def test_absent_for_the_rest_of_the_event_frees_every_later_day(client, auth, db, day_event):
    from matchmaker.desk.models import Absence
    from matchmaker.meetings.models import Meeting
    from matchmaker.participants.models import Unavailability
    from matchmaker.planning.models import PublishedMeeting

    day = day_event(days=2)
    anna = day.people[0]
    tomorrow, slot = _tomorrow(db, day)
    auth.login(day.organiser)
    page = client.get(f"/events/{day.event.slug}/desk/attendance?view=day").get_data(True)
    assert "Absent for the rest of the event: Anna Virtanen" in page
    r = client.post(
        f"/events/{day.event.slug}/desk/participants/{anna.id}/absent",
        data={"scope": "event"},
        follow_redirects=True,
    )
    assert "absent for the rest of the event: 2 meetings cancelled" in r.get_data(True)
    db.expire_all()
    assert db.get(Meeting, tomorrow.id).status == "cancelled"
    assert db.get(PublishedMeeting, tomorrow.id).status == "cancelled"
    assert db.get(Meeting, day.meetings[2].id).status == "cancelled"
    assert db.get(Meeting, day.meetings[0].id).status == "active"  # it began: it stays
    days = db.scalars(select(Absence.day).where(Absence.participant_id == anna.id)).all()
    assert sorted(days) == [day.slots[0].day, slot.day]
    assert db.scalar(
        select(Unavailability).where(
            Unavailability.participant_id == anna.id, Unavailability.slot_start == slot.starts_at
        )
    )


def test_absent_for_the_rest_of_the_day_leaves_the_later_days(client, auth, db, day_event):
    from matchmaker.desk.models import Absence
    from matchmaker.meetings.models import Meeting

    day = day_event(days=2)
    anna = day.people[0]
    tomorrow, _slot = _tomorrow(db, day)
    auth.login(day.organiser)
    r = client.post(
        f"/events/{day.event.slug}/desk/participants/{anna.id}/absent",
        data={"scope": "day"},
        follow_redirects=True,
    )
    assert "absent for the rest of the day: 1 meeting cancelled" in r.get_data(True)
    db.expire_all()
    assert db.get(Meeting, tomorrow.id).status == "active"
    assert db.get(Meeting, day.meetings[2].id).status == "cancelled"
    assert db.scalars(select(Absence.day).where(Absence.participant_id == anna.id)).all() == [
        day.slots[0].day
    ]
    bad = client.post(
        f"/events/{day.event.slug}/desk/participants/{anna.id}/absent", data={"scope": "week"}
    )
    assert bad.status_code == 422


def test_expected_counts_who_the_day_concerns(client, auth, db, day_event, make_participant):
    """Expected today: the four with meetings; not someone unavailable all day without a
    meeting, nor someone marked absent, nor a registration not approved; someone absent
    who checked in before leaving counts. Tomorrow: who is not away tomorrow."""
    from matchmaker.desk import checkin
    from matchmaker.participants.models import Unavailability

    day = day_event(days=2)
    anna, thandi = day.people[0], day.people[1]
    today, tomorrow = checkin.event_days(day.event)
    away = make_participant(day.event, name="Away Allday")
    make_participant(day.event, name="Not Approved", status="pending")
    idle = make_participant(day.event, name="Idle Available")
    for s in day.slots:
        db.add(Unavailability(participant_id=away.id, slot_start=s.starts_at))
        db.add(Unavailability(participant_id=thandi.id, slot_start=s.starts_at))  # has a meeting
    db.flush()
    assert checkin.expected_ids(day.event, today) == {p.id for p in day.people} | {idle.id}
    auth.login(day.organiser)
    page = client.get(f"/events/{day.event.slug}/desk?day={today.isoformat()}").get_data(True)
    assert "</strong> of 5 checked in" in page  # not 7, the approved ones
    assert 'id="expected-rule"' in page and "unavailable the whole day" in page

    client.post(f"/events/{day.event.slug}/desk/participants/{idle.id}/absent")
    assert checkin.counts(day.event, today) == (0, 4)
    client.post(f"/events/{day.event.slug}/desk/participants/{anna.id}/checkin")
    client.post(f"/events/{day.event.slug}/desk/participants/{anna.id}/absent")
    assert checkin.counts(day.event, today) == (1, 4)  # Anna came, then left
    # Tomorrow: everyone approved but Away is free then (her unavailability is today's).
    assert checkin.counts(day.event, tomorrow) == (0, 6)
    assert tomorrow - today == timedelta(days=1)


def test_at_a_glance_counts_a_request_whose_meeting_an_absence_cancelled_as_cancelled(
    client, auth, db, day_event
):
    """Jukka's request to Anna was accepted; Anna is marked absent, so their meeting will
    not be held: the organiser's "At a glance" no longer counts it as accepted."""
    from matchmaker.events.stats import event_stats
    from matchmaker.meetings.booking import accept_request, request_meeting
    from matchmaker.meetings.services import place_meeting

    day = day_event()
    anna, jukka = day.people[0], day.people[3]
    meeting = accept_request(request_meeting(jukka, anna), acting_for=anna)
    place_meeting(meeting, day.slots[-2].starts_at, day.slots[-2].ends_at, day.event.tables[1].id)
    db.commit()
    assert (
        event_stats(day.event).requests["accepted"],
        event_stats(day.event).requests["cancelled"],
    ) == (1, 0)
    auth.login(day.organiser)
    client.post(f"/events/{day.event.slug}/desk/participants/{anna.id}/absent")
    stats = event_stats(day.event)
    assert (stats.requests["accepted"], stats.requests["cancelled"]) == (0, 1)
    card = client.get(f"/events/{day.event.slug}/manage/stats").get_data(as_text=True)
    assert "<span>Accepted</span><strong>0 / 1</strong>" in card
    assert "<span>Declined, withdrawn or cancelled</span><strong>1 / 1</strong>" in card
