"""Participants' agenda (published data only), the grid page, and real races on a
committed database: two organisers moving into one slot/table, exactly one wins."""

from __future__ import annotations

import re
from datetime import date, time

import pytest
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from matchmaker.errors import Conflict
from matchmaker.events.services import add_programme_item, event_slots
from matchmaker.extensions import db as _db
from matchmaker.meetings.models import Meeting, MeetingRequest
from matchmaker.planning import runs, services
from matchmaker.planning.board import free_targets
from tests.conftest import htmx_headers
from tests.planning.conftest import SOLVE_SECONDS


def _solve_and_publish(db, s):
    run = runs.start_run(s.event, s.organiser, SOLVE_SECONDS)
    db.flush()
    run = runs.execute_run(run.id)
    assert run.status == "succeeded" and run.placed == len(s.meetings), run.result
    services.publish(s.event, s.organiser)
    db.flush()
    db.expire_all()


def _lunch_and_me(s):
    """The event's lunch in the programme, and the participant whose agenda is read."""
    add_programme_item(
        s.event,
        title="Welcome lunch",
        day=date(2027, 3, 9),
        start_time=time(12, 30),
        end_time=time(14, 0),
        place="Canteen",
    )
    return s.people[0]


def _published_agenda(client, auth, db, s):
    """``me``'s agenda once the schedule is published; one of their meetings comes from a
    request with a message (what the meeting is about)."""
    me = _lunch_and_me(s)
    auth.login(me.user)
    first = next(m for m in s.meetings if me.id in m.participant_ids)
    other_id = next(a.participant_id for a in first.attendees if a.participant_id != me.id)
    first.request = MeetingRequest(
        event_id=s.event.id,
        requester_id=other_id,
        recipient_id=me.id,
        pair_low=min(me.id, other_id),
        pair_high=max(me.id, other_id),
        status="accepted",
        message="Seals for your B60E cylinders <b>",
    )
    db.flush()
    _solve_and_publish(db, s)
    return me, client.get(f"/events/{s.event.slug}/agenda").get_data(as_text=True)


def test_before_publication_the_agenda_shows_the_programme_but_no_meetings(
    client, auth, db, scheduled_event
):
    s = scheduled_event()
    me = _lunch_and_me(s)
    auth.login(me.user)
    before = client.get(f"/events/{s.event.slug}/agenda")
    early = before.get_data(as_text=True)
    assert before.status_code == 200 and 'id="agenda-unpublished"' in early
    # Before publication: the programme they attend already, but no meetings or free slots.
    assert "Welcome lunch" in early and 'class="agenda-free"' not in early
    assert "agenda-meeting-" not in early


def test_agenda_shows_published_meetings_programme_and_free_slots(
    client, auth, db, scheduled_event
):
    s = scheduled_event()
    me, html = _published_agenda(client, auth, db, s)
    assert "Africa/Johannesburg" in html and "Welcome lunch" in html
    assert "Seals for your B60E cylinders &lt;b&gt;" in html  # what the meeting is about
    mine = [m for m in s.meetings if me.id in m.participant_ids]
    for m in mine:
        assert f'id="agenda-meeting-{m.id}"' in html
        other = next(a.participant for a in m.attendees if a.participant_id != me.id)
        assert other.organisation.name in html and other.email in html
    others = [m for m in s.meetings if me.id not in m.participant_ids]
    assert not any(f'id="agenda-meeting-{m.id}"' in html for m in others)
    assert html.count('class="agenda-free"') == 15 - len(mine)  # 15 slots, none under lunch
    assert 'class="card print-page agenda-day"' in html


def test_a_draft_move_is_invisible_on_the_agenda_until_published(client, auth, db, scheduled_event):
    s = scheduled_event()
    me, html = _published_agenda(client, auth, db, s)
    mine = [m for m in s.meetings if me.id in m.participant_ids]
    meeting = db.get(Meeting, mine[0].id)
    slot, tables = free_targets(s.event, meeting)[-1]
    services.move_meeting(s.event, meeting, slot.key, tables[0].id, meeting.version)
    db.flush()
    again = client.get(f"/events/{s.event.slug}/agenda").get_data(as_text=True)
    assert _without_csrf(again) == _without_csrf(html)


def test_someone_not_taking_part_has_no_agenda_there(client, auth, db, scheduled_event, make_user):
    s = scheduled_event()
    _published_agenda(client, auth, db, s)
    auth.logout()
    auth.login(make_user("participant"))
    assert client.get(f"/events/{s.event.slug}/agenda").status_code == 404


def _without_csrf(html: str) -> str:
    """The page minus its CSRF tokens, which carry a timestamp that ticks each second."""
    return re.sub(r'("csrf_token"[^>]*value="|"X-CSRFToken": ")[^"]+"', r'\1"', html)


def test_event_page_links_to_the_agenda_once_published(client, auth, db, scheduled_event):
    s = scheduled_event()
    auth.login(s.people[1].user)
    assert "My agenda" not in client.get(f"/events/{s.event.slug}").get_data(as_text=True)
    _solve_and_publish(db, s)
    assert "My agenda" in client.get(f"/events/{s.event.slug}").get_data(as_text=True)


def test_grid_filters_by_participant_and_per_participant_view(client, auth, db, scheduled_event):
    s = scheduled_event()
    run = runs.start_run(s.event, s.organiser, SOLVE_SECONDS)
    db.flush()
    runs.execute_run(run.id)
    auth.login(s.organiser)
    who = s.people[5]
    response = client.get(
        f"/events/{s.event.slug}/schedule?participant={who.id}", headers=htmx_headers()
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html and 'id="schedule-board"' in html
    for m in s.meetings:
        dimmed = f'id="meeting-{m.id}" class="meeting-cell dimmed"' in html
        assert dimmed == (who.id not in m.participant_ids)
    per = client.get(
        f"/events/{s.event.slug}/schedule?view=participants&organisation={who.organisation_id}"
    )
    text = per.get_data(as_text=True)
    assert f'id="participant-{who.id}"' in text and f'id="participant-{s.people[0].id}"' not in text
    assert "Meetings placed" in text and f"{len(s.meetings)} of {len(s.meetings)}" in text


# --- races on a committed database ----------------------------------------------------


@pytest.fixture
def committed(app):
    """Data committed for real (other connections see it), deleted again afterwards."""
    from matchmaker.accounts.models import User
    from matchmaker.events import services as events
    from matchmaker.meetings.services import create_meeting, place_meeting
    from matchmaker.participants.models import Organisation, Participant

    with app.app_context():
        organiser = User(name="Race Organiser", email="race-org@example.test", role="organiser")
        organiser.set_password("x" * 12)
        _db.session.add(organiser)
        event = events.create_event(
            organiser, name="Race", slug="race-event", timezone="Africa/Johannesburg"
        )
        events.add_session(
            event, day=date(2027, 3, 9), start_time=time(9), end_time=time(11), slot_minutes=20
        )
        events.add_tables(event, 2)
        people = []
        for i in range(4):
            org = Organisation(name=f"Race Org {i}")
            people.append(
                Participant(event=event, organisation=org, status="approved", name=f"P{i}")
            )
        _db.session.add_all(people)
        _db.session.flush()
        a = create_meeting(event, people[0:2])
        b = create_meeting(event, people[2:4])
        slots = events.event_slots(event)
        place_meeting(a, slots[0].starts_at, slots[0].ends_at, event.tables[0].id)
        place_meeting(b, slots[1].starts_at, slots[1].ends_at, event.tables[0].id)
        _db.session.commit()
        ids = {
            "event": event.id,
            "a": a.id,
            "b": b.id,
            "target": slots[2].key,
            "table": event.tables[1].id,
            "user": organiser.id,
            "orgs": [p.organisation_id for p in people],
        }
        _db.session.remove()
    yield ids
    with app.app_context():
        from matchmaker.events.models import Event

        event = _db.session.get(Event, ids["event"])
        for m in _db.session.scalars(select(Meeting).where(Meeting.event_id == event.id)):
            _db.session.delete(m)
        _db.session.flush()
        for p in _db.session.scalars(select(Participant).where(Participant.event_id == event.id)):
            _db.session.delete(p)
        _db.session.flush()
        _db.session.delete(event)
        _db.session.execute(delete(Organisation).where(Organisation.id.in_(ids["orgs"])))
        _db.session.execute(delete(User).where(User.id == ids["user"]))
        _db.session.commit()
        _db.session.remove()


def _load(app, ids, key):
    """A separate session (own app context, own connection) that has read the meeting
    and the targets its move form offers, as the GET of the form would."""
    from matchmaker.events.models import Event

    with app.app_context():
        event = _db.session.get(Event, ids["event"])
        meeting = _db.session.get(Meeting, ids[key])
        offered = {(s.key, t.id) for s, ts in free_targets(event, meeting) for t in ts}
        form = {"meeting": meeting.id, "offered": offered, "version": meeting.version}
    form["ctx"] = app.app_context()  # the POST: its own context, session and connection
    return form


def _move(form, ids, recheck=True):
    """POST of that form: the service (re-check + database), or the database alone."""
    from matchmaker.events.models import Event
    from matchmaker.events.services import event_slots
    from matchmaker.meetings.services import place_meeting

    form["ctx"].push()
    try:
        event = _db.session.get(Event, ids["event"])
        meeting = _db.session.get(Meeting, form["meeting"])
        if recheck:
            services.move_meeting(event, meeting, ids["target"], ids["table"], form["version"])
        else:  # both passed the re-check at the same instant: the database decides
            slot = next(s for s in event_slots(event) if s.key == ids["target"])
            place_meeting(meeting, slot.starts_at, slot.ends_at, ids["table"])
        _db.session.commit()
        return 200
    except Conflict:
        _db.session.rollback()
        return 409
    finally:
        _db.session.remove()
        form["ctx"].pop()


def _placed_at_target(app, ids):
    with app.app_context():
        return _db.session.scalars(
            select(Meeting.id).where(Meeting.table_id == ids["table"], Meeting.status == "active")
        ).all()


@pytest.mark.parametrize("recheck", [True, False], ids=["server-recheck", "database-index"])
def test_two_organisers_move_into_the_same_place_one_wins(app, committed, recheck):
    first, second = _load(app, committed, "a"), _load(app, committed, "b")
    target = (committed["target"], committed["table"])
    assert target in first["offered"] and target in second["offered"]  # both forms offer it
    assert _move(first, committed, recheck) == 200
    assert _move(second, committed, recheck) == 409
    assert _placed_at_target(app, committed) == [committed["a"]]


def test_two_organisers_move_the_same_meeting_one_wins(app, committed):
    first, second = _load(app, committed, "a"), _load(app, committed, "a")
    assert _move(first, committed) == 200
    committed["target"] = next(k for k, t in second["offered"] if k != committed["target"])
    assert _move(second, committed) == 409  # its form was for version 1
    assert _placed_at_target(app, committed) == [committed["a"]]


def test_database_refuses_double_booking_even_without_the_services(db, scheduled_event):
    s = scheduled_event()
    a, b = s.meetings[0], s.meetings[1]  # both include participant 0
    slot = event_slots(s.event)[0]
    for m, table in ((a, s.event.tables[0]), (b, s.event.tables[1])):
        m.slot_start, m.slot_end, m.table_id = slot.starts_at, slot.ends_at, table.id
        for att in m.attendees:
            att.slot_start = slot.starts_at
    with pytest.raises(IntegrityError):
        with db.begin_nested():
            db.flush()
