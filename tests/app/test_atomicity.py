"""All or nothing, as committed: every operation that promises it keeps it, on SQLite too.

Each test makes the LAST step of an operation fail and reads, through an engine of its
own, that nothing of the first steps was committed. The app is built by `create_app()`
on a fresh database (tests/app/committed.py), so its engine set-up is the one that
ships (matchmaker/database.py); the unit tests' rolled-back `db` fixture would hide the
difference. On SQLite before that set-up, a savepoint opened first in a request was
committed by its RELEASE: a CSV import refused on its last line kept the lines before.
"""

from __future__ import annotations

import itertools
import threading
from contextlib import contextmanager
from datetime import date
from datetime import time as clock
from io import BytesIO
from types import SimpleNamespace

import pytest
from sqlalchemy import text

from matchmaker.errors import Conflict
from tests.app.committed import committed_engine, own_app
from tests.conftest import PASSWORD, IsolatedClient
from tests.gunicorn_server import fresh_database

_n = itertools.count(1)


class Site:
    """The app on its own database, and a way to read what it committed."""

    def __init__(self, app, engine):
        self.app, self.engine = app, engine

    @contextmanager
    def seeding(self):
        from matchmaker.extensions import db

        with self.app.app_context():
            try:
                yield db.session
                db.session.commit()
            finally:
                db.session.remove()

    def client(self, email: str):
        self.app.test_client_class = IsolatedClient
        client = self.app.test_client()
        response = client.post("/login", data={"email": email, "password": PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return client

    def rows(self, sql: str, **params) -> list:
        with self.engine.connect() as conn:
            return conn.execute(text(sql), params).all()

    def count(self, table: str, **where) -> int:
        condition = " AND ".join(f"{column} = :{column}" for column in where) or "1 = 1"
        return self.rows(f"SELECT count(*) FROM {table} WHERE {condition}", **where)[0][0]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("atomicity")
    url = fresh_database(tmp, "atomicity")
    with own_app(url, tmp) as app:
        engine = committed_engine(url)
        try:
            yield Site(app, engine)
        finally:
            engine.dispose()


def _user(session, role: str = "participant"):
    from matchmaker.accounts.models import User
    from matchmaker.dbtypes import utcnow

    n = next(_n)
    user = User(name=f"Person {n}", email=f"person{n}@atomic.example", role=role)
    user.set_password(PASSWORD)
    if hasattr(user, "email_confirmed_at"):
        user.email_confirmed_at = utcnow()
    session.add(user)
    return user


def _event(site: Site, people: int = 2, meetings: int = 0, **fields) -> SimpleNamespace:
    """An open event (two tables, one morning of 20-minute slots) with approved people
    who have accounts, and ``meetings`` unplaced meetings between the first two."""
    from matchmaker.events import services as events
    from matchmaker.meetings.services import create_meeting
    from matchmaker.participants.models import Organisation, Participant

    n = next(_n)
    with site.seeding() as session:
        organiser = _user(session, "organiser")
        event = events.create_event(
            organiser,
            name=f"Atomic {n}",
            slug=f"atomic-{n}",
            timezone="Africa/Johannesburg",
            **fields,
        )
        events.add_session(
            event,
            day=date(2027, 3, 9),
            start_time=clock(9),
            end_time=clock(12),
            slot_minutes=20,
            pause_minutes=5,
        )
        tables = events.add_tables(event, 2)
        events.set_status(event, "open")
        persons = []
        for i in range(people):
            user = _user(session)
            persons.append(
                Participant(
                    event=event,
                    user=user,
                    organisation=Organisation(name=f"Atomic {n} company {i}", country="FI"),
                    status="approved",
                    name=user.name,
                    email=user.email,
                )
            )
        session.add_all(persons)
        session.flush()
        made = [create_meeting(event, persons[:2]) for _ in range(meetings)]
        session.flush()
        return SimpleNamespace(
            id=event.id,
            slug=event.slug,
            organiser=organiser.email,
            people=[SimpleNamespace(id=p.id, email=p.email) for p in persons],
            meetings=[m.id for m in made],
            tables=[t.id for t in tables],
            first_slot=events.event_slots(event)[0].key,
        )


def _refuse(*_args, **_kwargs):
    raise Conflict("The last step failed (injected by the test).")


def _then_fail(real, error: Exception | None = None):
    """``real`` runs (its writes are flushed), then the operation fails."""

    def wrapper(*args, **kwargs):
        real(*args, **kwargs)
        if error is not None:
            raise error
        _refuse()

    return wrapper


# --- CSV import: the user story of issue 16 -------------------------------------------------


def _import(client, event, csv_text: str):
    return client.post(
        f"/events/{event.slug}/organiser/participants/import",
        data={"csv_file": (BytesIO(csv_text.encode()), "people.csv")},
        content_type="multipart/form-data",
    )


def test_csv_import_refused_on_its_last_line_saves_nothing_and_the_corrected_file_imports(
    site, monkeypatch
):
    event = _event(site)

    def invited():  # the invitations in the outbox (committed rows, as the worker sees them)
        query = "SELECT to_address FROM outbox_mails WHERE event_id = :e ORDER BY to_address"
        return [to for (to,) in site.rows(query, e=event.id)]

    client = site.client(event.organiser)
    before = site.count("participants", event_id=event.id)
    organisations = site.count("organisations")
    header = "Company,Country,Name,E-mail\n"
    good = (
        "Bell Equipment,ZA,Thandi Nkosi,thandi@bell.example\n"
        "HydroCyl Oy,FI,Anna Virtanen,anna@hydrocyl.example\n"
    )

    refused = _import(client, event, header + good + "Hüdrosilinder OÜ,,Marten Kask,\n")
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "nothing was imported" in html
    assert "Line 4" in html
    # Really nothing: the two good lines are not committed either.
    assert site.count("participants", event_id=event.id) == before
    assert site.count("organisations") == organisations
    assert invited() == []  # and nobody was invited to a place that does not exist

    corrected = _import(client, event, header + good + "Hüdrosilinder OÜ,EE,Marten Kask,\n")
    assert corrected.status_code == 303, corrected.get_data(as_text=True)[:2000]
    assert site.count("participants", event_id=event.id) == before + 3
    names = {
        name
        for (name,) in site.rows("SELECT name FROM participants WHERE event_id = :e", e=event.id)
    }
    assert {"Thandi Nkosi", "Anna Virtanen", "Marten Kask"} <= names
    assert invited() == ["anna@hydrocyl.example", "thandi@bell.example"]  # invited once


# --- meeting requests -----------------------------------------------------------------------


def test_a_meeting_request_is_not_kept_when_telling_the_recipient_fails(site, monkeypatch):
    from matchmaker.meetings import booking

    event = _event(site)
    me, other = event.people
    client = site.client(me.email)
    monkeypatch.setattr(booking, "notify", _refuse)  # the last step: tell the recipient

    response = client.post(
        f"/events/{event.slug}/participants/{other.id}/request", data={"message": "Hello"}
    )
    assert response.status_code == 409
    assert site.count("meeting_requests", event_id=event.id) == 0
    assert site.count("notifications", event_id=event.id) == 0

    monkeypatch.undo()  # and then it works, once
    again = client.post(
        f"/events/{event.slug}/participants/{other.id}/request", data={"message": "Hello"}
    )
    assert again.status_code in (200, 302)
    assert site.count("meeting_requests", event_id=event.id) == 1


def test_accepting_a_request_is_undone_when_telling_the_requester_fails(site, monkeypatch):
    from matchmaker.meetings import booking
    from matchmaker.participants.models import Participant

    event = _event(site)
    asker, asked = event.people
    with site.seeding() as session:
        a, b = session.get(Participant, asker.id), session.get(Participant, asked.id)
        request_id = booking.request_meeting(a, b, "Shall we meet?").id
    client = site.client(asked.email)
    monkeypatch.setattr(booking, "_tell", _refuse)  # after the meeting is created

    response = client.post(f"/events/{event.slug}/requests/{request_id}/accept", data={})
    assert response.status_code == 409
    assert site.rows("SELECT status FROM meeting_requests WHERE id = :i", i=request_id) == [
        ("pending",)
    ]
    assert site.count("meetings", event_id=event.id) == 0


def test_a_meeting_the_organiser_books_for_two_companies_leaves_nothing_if_it_fails(
    site, monkeypatch
):
    """On behalf: ask, then accept, then tell. Failing at the end keeps neither step."""
    from matchmaker.meetings import booking

    event = _event(site)
    first, second = event.people
    client = site.client(event.organiser)
    monkeypatch.setattr(booking, "_tell", _refuse)

    response = client.post(
        f"/events/{event.slug}/organiser/participants/{first.id}/meetings",
        data={"other_id": second.id, "message": ""},
    )
    assert response.status_code == 409
    assert site.count("meeting_requests", event_id=event.id) == 0
    assert site.count("meetings", event_id=event.id) == 0
    assert site.count("notifications", event_id=event.id) == 0


# --- the organiser's schedule -------------------------------------------------------------


def test_a_move_that_fails_after_placing_the_meeting_leaves_it_where_it_was(site, monkeypatch):
    from matchmaker.planning import services

    event = _event(site, meetings=1)
    (meeting,) = event.meetings
    client = site.client(event.organiser)
    monkeypatch.setattr(services, "place_meeting", _then_fail(services.place_meeting))

    response = client.post(
        f"/events/{event.slug}/schedule/meetings/{meeting}/move",
        data={"target": f"{event.first_slot}@{event.tables[0]}"},
    )
    assert response.status_code == 409
    placed = site.rows(
        "SELECT m.slot_start, m.table_id, mp.slot_start FROM meetings m "
        "JOIN meeting_participants mp ON mp.meeting_id = m.id WHERE m.id = :m",
        m=meeting,
    )
    assert placed == [(None, None, None), (None, None, None)]


def test_a_solver_run_whose_save_fails_keeps_the_schedule_and_says_so(site, monkeypatch):
    from matchmaker.planning import runs

    event = _event(site, people=2, meetings=1)
    client = site.client(event.organiser)
    # The schedule is written, then the last step of saving fails.
    monkeypatch.setattr(
        runs, "save_result", _then_fail(runs.save_result, RuntimeError("disk full"))
    )

    response = client.post(f"/events/{event.slug}/schedule/runs", data={"time_limit": 1})
    assert response.status_code == 302
    assert site.rows("SELECT status, error FROM solver_runs WHERE event_id = :e", e=event.id) == [
        ("failed", "RuntimeError: disk full")
    ]
    assert site.rows(
        "SELECT m.slot_start, mp.slot_start FROM meetings m "
        "JOIN meeting_participants mp ON mp.meeting_id = m.id WHERE m.event_id = :e",
        e=event.id,
    ) == [(None, None), (None, None)]


def test_a_solver_run_refused_for_want_of_room_is_not_left_queued(site, monkeypatch):
    """The run is saved (a savepoint), then the pool's capacity is checked: refused, the
    run must go, or it would block the event's next run without a worker ever taking it."""
    from matchmaker.planning.models import SolverRun

    elsewhere = _event(site, meetings=1)
    with site.seeding() as session:
        waiting = SolverRun(event_id=elsewhere.id, status="queued", time_limit=5.0, progress=[])
        session.add(waiting)
        session.flush()
        waiting_id = waiting.id
    event = _event(site, meetings=1)
    monkeypatch.setitem(site.app.config, "RUNS_MAX_TOTAL", 1)  # the pool is full
    client = site.client(event.organiser)
    try:
        response = client.post(f"/events/{event.slug}/schedule/runs", data={"time_limit": 5})
        assert response.status_code == 429
        assert site.count("solver_runs", event_id=event.id) == 0
    finally:
        with site.seeding() as session:
            session.get(SolverRun, waiting_id).status = "cancelled"


# --- calendar feeds -------------------------------------------------------------------------


def test_organiser_feed_links_are_made_all_or_none(site, monkeypatch):
    from matchmaker.calendar import services

    event = _event(site)
    client = site.client(event.organiser)
    real, last_table = services.table_feed, event.tables[-1]

    def table_feed(table):
        if table.id == last_table:
            _refuse()
        return real(table)

    monkeypatch.setattr(services, "table_feed", table_feed)
    response = client.post(f"/events/{event.slug}/calendar/feeds", data={})
    assert response.status_code == 409
    assert site.count("calendar_feeds", event_id=event.id) == 0

    monkeypatch.undo()
    again = client.post(f"/events/{event.slug}/calendar/feeds", data={})
    assert again.status_code == 303
    assert site.count("calendar_feeds", event_id=event.id) == 1 + len(event.tables)


# --- registration ---------------------------------------------------------------------------


def test_a_registration_is_undone_when_telling_the_organisers_fails(site, monkeypatch):
    from matchmaker.notifications import services as notifications

    event = _event(site, people=0, requires_approval=True)
    with site.seeding() as session:
        newcomer = _user(session)
        session.flush()
        email = newcomer.email
    client = site.client(email)
    monkeypatch.setattr(notifications, "notify", _refuse)  # the organisers are told last

    response = client.post(
        f"/events/{event.slug}/register",
        data={"org_name": f"Newcomer Oy {event.id}", "country": "fi", "name": "New Comer"},
    )
    assert response.status_code == 409
    assert site.count("participants", event_id=event.id) == 0
    assert site.count("organisations", name=f"Newcomer Oy {event.id}") == 0


# --- what waits for the commit ----------------------------------------------------------------


def test_mail_queued_for_after_the_commit_waits_for_the_real_commit(site):
    """A released savepoint is not a commit; a refused one drops only its own mail."""
    from matchmaker.extensions import db
    from matchmaker.notifications.services import after_commit

    sent = []
    with site.app.app_context():
        try:
            db.session.connection()
            after_commit(lambda: sent.append("queued first"))
            with db.session.begin_nested():
                after_commit(lambda: sent.append("queued in a savepoint"))
            assert sent == []
            with pytest.raises(Conflict), db.session.begin_nested():
                after_commit(lambda: sent.append("queued in a refused savepoint"))
                _refuse()
            assert sent == []
            db.session.commit()
            assert sent == ["queued first", "queued in a savepoint"]
            db.session.connection()  # a new transaction
            after_commit(lambda: sent.append("queued, then rolled back"))
            db.session.rollback()
            db.session.commit()
            assert sent == ["queued first", "queued in a savepoint"]
        finally:
            db.session.remove()


# --- check, then write -------------------------------------------------------------------------


def test_two_requests_for_the_last_place_of_a_participant_one_wins(site, monkeypatch):
    """The recipient may have one meeting more. The first request has checked that and
    is about to write; the second must wait for it (not check the same free place)."""
    from matchmaker.errors import DomainError
    from matchmaker.extensions import db
    from matchmaker.meetings import booking
    from matchmaker.participants.models import Participant

    event = _event(site, people=3)
    busy, first, second = (p.id for p in event.people)
    with site.seeding() as session:
        session.get(Participant, busy).max_meetings = 1
    checked, go_on = threading.Event(), threading.Event()
    real = booking._check_limit

    def check_then_pause(participant, **kwargs):
        real(participant, **kwargs)
        if participant.id == busy and threading.current_thread().name == "first":
            checked.set()
            go_on.wait(30)  # "one place left": checked, not written yet

    monkeypatch.setattr(booking, "_check_limit", check_then_pause)
    answers = {}

    def ask(requester_id):
        with site.app.app_context():
            try:
                me, them = (db.session.get(Participant, i) for i in (requester_id, busy))
                booking.request_meeting(me, them, "")
                db.session.commit()
                answers[requester_id] = 200
            except DomainError as error:
                db.session.rollback()
                answers[requester_id] = error.status
            finally:
                db.session.remove()

    one = threading.Thread(target=ask, args=(first,), name="first")
    two = threading.Thread(target=ask, args=(second,), name="second")
    one.start()
    assert checked.wait(30)
    two.start()
    two.join(1)  # it may finish only by taking the place the first one has checked
    go_on.set()
    one.join(30)
    two.join(30)
    assert answers == {first: 200, second: 409}
    assert site.count("meeting_requests", recipient_id=busy) == 1


# --- the engine itself ------------------------------------------------------------------------


def _engine(site):
    from matchmaker.extensions import db

    with site.app.app_context():
        return db.engine  # the app's own engine, as create_app() set it up


def _name(site, event) -> str:
    return site.rows("SELECT name FROM events WHERE id = :e", e=event.id)[0][0]


RENAME = text("UPDATE events SET name = :name WHERE id = :e")


def test_a_savepoint_opened_first_is_rolled_back_with_its_transaction(site):
    """What every begin_nested() relies on; the driver's own RELEASE committed it."""
    event = _event(site)
    before = _name(site, event)
    with _engine(site).connect() as conn:
        with conn.begin_nested():
            conn.execute(RENAME, {"name": "Renamed in a savepoint", "e": event.id})
        conn.rollback()
    assert _name(site, event) == before


def test_a_transaction_that_only_read_does_not_hold_writers_back(site):
    """A page still being rendered (its transaction open) never blocks a commit."""
    event = _event(site)
    engine = _engine(site)
    with engine.connect() as reader, engine.connect() as writer:
        if engine.dialect.name == "sqlite":  # fail within a second rather than 15
            writer.exec_driver_sql("PRAGMA busy_timeout = 1000")
        reader.execute(text("SELECT name FROM events WHERE id = :e"), {"e": event.id}).all()
        writer.execute(RENAME, {"name": "Renamed while read", "e": event.id})
        writer.commit()
        reader.rollback()
    assert _name(site, event) == "Renamed while read"


def test_a_transaction_that_read_then_writes_waits_for_the_other_writer(site):
    """Read, then write while another request holds the write lock: wait, don't fail.
    (A deferred BEGIN answered "database is locked" at once here: a 500.)"""
    mine, theirs = _event(site), _event(site)
    engine = _engine(site)
    holding, done = threading.Event(), threading.Event()

    def other_request():
        with engine.connect() as conn:
            conn.execute(RENAME, {"name": "Theirs", "e": theirs.id})
            holding.set()
            threading.Event().wait(0.3)  # long enough for the other to try
            conn.commit()
        done.set()

    thread = threading.Thread(target=other_request)
    with engine.connect() as conn:
        conn.execute(text("SELECT name FROM events WHERE id = :e"), {"e": mine.id}).all()
        thread.start()
        assert holding.wait(10)
        conn.execute(RENAME, {"name": "Mine", "e": mine.id})
        conn.commit()
    thread.join(10)
    assert done.is_set()
    assert (_name(site, mine), _name(site, theirs)) == ("Mine", "Theirs")
