"""After a same-day absence the freed partners are offered new meetings: their own accepted
but unplaced meetings are re-planned first, then meetings with present people who share
their interests and are free at a common time. Both sides must accept; the meeting is
then placed at the agreed time and published for the two of them alone."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.conftest import htmx_headers


def _messages(db, participant):
    from matchmaker.notifications.models import Notification

    return db.scalars(
        select(Notification.message).where(Notification.user_id == participant.user_id)
    ).all()


def _interests(db, day, make_participant):
    """Kadri (freed when Anna is absent) seeks hydraulic cylinders; Lena, a newcomer of
    another organisation with nothing planned, offers them."""
    from matchmaker.participants.models import Opportunity

    kadri = day.people[2]
    lena = make_participant(day.event, name="Lena Berg")
    db.add(Opportunity(participant=kadri, kind="request", title="Hydraulic cylinders"))
    db.add(Opportunity(participant=lena, kind="offer", title="Hydraulic cylinder repair"))
    db.flush()
    return kadri, lena


def test_a_freed_partner_is_offered_a_meeting_both_accept_and_it_is_placed_and_published(
    app, client, auth, db, day_event, make_participant
):
    from matchmaker.dbtypes import utcnow
    from matchmaker.desk.proposal_models import ReplanProposal
    from matchmaker.mailings.models import OutboxMail
    from matchmaker.meetings.models import Meeting, MeetingRequest
    from matchmaker.planning.models import PublishedMeeting

    day = day_event()
    anna, thandi, _kadri, jukka = day.people
    kadri, lena = _interests(db, day, make_participant)
    day.event.booking_deadline = utcnow() - timedelta(days=1)  # long past on the day
    db.flush()
    before = {p.id: len(_messages(db, p)) for p in (thandi, jukka, lena)}
    auth.login(day.organiser)
    r = client.post(
        f"/events/{day.event.slug}/desk/participants/{anna.id}/absent", follow_redirects=True
    )
    assert "1 proposal sent to the freed partners" in r.get_data(True)
    db.expire_all()
    proposal = db.scalar(select(ReplanProposal))
    assert (proposal.participant_id, proposal.other_id, proposal.status) == (
        kadri.id,
        lena.id,
        "offered",
    )
    assert proposal.slot_start > utcnow() and "Hydraulic" in proposal.reason
    # Kadri is told (in the app, and by mail through the outbox); nobody else is.
    assert any("The organisers propose a meeting with Lena Berg" in m for m in _messages(db, kadri))
    assert db.scalar(
        select(OutboxMail).where(
            OutboxMail.to_address == kadri.user.email, OutboxMail.subject.contains("propose")
        )
    )
    assert {p.id: len(_messages(db, p)) for p in (thandi, jukka, lena)} == before

    # Kadri accepts: a request goes to Lena on her behalf, although the deadline passed.
    auth.logout()
    auth.login(kadri.user)
    page = client.get(f"/events/{day.event.slug}/proposals").get_data(True)
    assert f'id="proposal-{proposal.id}"' in page and "Lena Berg" in page
    r = client.post(
        f"/events/{day.event.slug}/proposals/{proposal.id}/accept", headers=htmx_headers()
    )
    assert r.status_code == 200 and "<html" not in r.get_data(True)
    db.expire_all()
    req = db.scalar(select(MeetingRequest).where(MeetingRequest.recipient_id == lena.id))
    assert req.requester_id == kadri.id and req.status == "pending"
    assert "Proposed by the organisers" in req.message
    assert db.get(ReplanProposal, proposal.id).request_id == req.id
    assert len(_messages(db, lena)) == before[lena.id] + 1
    # A second tap finds it answered.
    again = client.post(f"/events/{day.event.slug}/proposals/{proposal.id}/accept")
    assert again.status_code == 409

    # Lena accepts the ordinary way: the meeting is placed at the agreed time, published.
    auth.logout()
    auth.login(lena.user)
    r = client.post(f"/events/{day.event.slug}/requests/{req.id}/accept")
    assert r.status_code == 302, r.get_data(True)[:500]
    db.expire_all()
    meeting = db.scalar(select(Meeting).where(Meeting.request_id == req.id))
    assert meeting.slot_start == db.get(ReplanProposal, proposal.id).slot_start
    assert meeting.table_id is not None and meeting.locked
    published = db.get(PublishedMeeting, meeting.id)
    assert meeting.uid in client.get(f"/events/{day.event.slug}/agenda.ics").get_data(True)
    assert published.status == "confirmed" and published.starts_at == meeting.slot_start
    assert any("New meeting in your agenda" in m for m in _messages(db, kadri))
    assert any("New meeting in your agenda" in m for m in _messages(db, lena))
    assert len(_messages(db, thandi)) == before[thandi.id]
    agenda = client.get(f"/events/{day.event.slug}/agenda").get_data(True)
    assert "Kadri Tamm" in agenda


def test_accepted_but_unplaced_meetings_of_a_freed_partner_are_placed_by_the_replan_first(
    app, client, auth, db, day_event, make_participant
):
    from matchmaker.dbtypes import utcnow
    from matchmaker.desk.proposal_models import ReplanProposal
    from matchmaker.meetings.booking import create_on_behalf
    from matchmaker.meetings.models import Meeting

    day = day_event()
    anna, thandi = day.people[0], day.people[1]
    kadri, _lena = _interests(db, day, make_participant)
    waiting = create_on_behalf(day.event, kadri, thandi, organiser=day.organiser)
    assert waiting.slot_start is None
    auth.login(day.organiser)
    r = client.post(
        f"/events/{day.event.slug}/desk/participants/{anna.id}/absent", follow_redirects=True
    )
    db.expire_all()
    placed = db.get(Meeting, waiting.id)
    assert placed.slot_start is not None and placed.slot_start > utcnow()
    # Kadri lost one meeting and has one waiting: nothing more is proposed to her.
    assert db.scalar(select(ReplanProposal)) is None
    assert "0 proposals sent" in r.get_data(True)


def test_a_declined_proposal_asks_nobody_and_nobody_absent_is_proposed(
    client, auth, db, day_event, make_participant
):
    from matchmaker.desk.proposal_models import ReplanProposal
    from matchmaker.meetings.models import MeetingRequest

    day = day_event()
    anna = day.people[0]
    kadri, lena = _interests(db, day, make_participant)
    auth.login(day.organiser)
    client.post(f"/events/{day.event.slug}/desk/participants/{lena.id}/absent")
    client.post(f"/events/{day.event.slug}/desk/participants/{anna.id}/absent")
    assert db.scalar(select(ReplanProposal)) is None  # Lena is absent: not proposed

    day = day_event()
    anna = day.people[0]
    kadri, lena = _interests(db, day, make_participant)
    auth.logout()
    auth.login(day.organiser)
    client.post(f"/events/{day.event.slug}/desk/participants/{anna.id}/absent")
    proposal = db.scalar(select(ReplanProposal).where(ReplanProposal.participant_id == kadri.id))
    auth.logout()
    auth.login(kadri.user)
    r = client.post(f"/events/{day.event.slug}/proposals/{proposal.id}/decline")
    assert r.status_code == 303
    db.expire_all()
    assert db.get(ReplanProposal, proposal.id).status == "declined"
    assert db.scalar(select(MeetingRequest).where(MeetingRequest.recipient_id == lena.id)) is None
    # Nobody else can answer someone's proposal.
    auth.logout()
    auth.login(lena.user)
    r = client.post(f"/events/{day.event.slug}/proposals/{proposal.id}/accept")
    assert r.status_code == 404


def test_a_proposal_goes_to_a_time_both_are_free_with_a_free_table(db, day_event, make_participant):
    from matchmaker.dbtypes import utcnow
    from matchmaker.desk import proposals
    from matchmaker.meetings.models import MeetingParticipant
    from matchmaker.meetings.services import create_meeting, place_meeting
    from matchmaker.participants.models import Unavailability

    day = day_event()
    anna = day.people[0]
    kadri, lena = _interests(db, day, make_participant)
    now = utcnow()
    later = [s for s in day.slots if s.starts_at > now][:-1]
    assert len(later) >= 3, "run this test before 22:00 in Johannesburg"
    # Lena cannot before the third slot to come; Kadri meets someone in the third.
    for s in later[:2]:
        db.add(Unavailability(participant_id=lena.id, slot_start=s.starts_at))
    busy = create_meeting(day.event, [kadri, day.people[3]])
    place_meeting(busy, later[2].starts_at, later[2].ends_at, day.event.tables[1].id)
    db.flush()
    made = proposals.propose(day.event, anna, {kadri.id: 1}, day.organiser, now)
    assert [(p.other_id, p.slot_start) for p in made] == [(lena.id, later[3].starts_at)]
    taken = db.scalars(
        select(MeetingParticipant.slot_start).where(MeetingParticipant.participant_id == lena.id)
    ).all()
    assert later[3].starts_at not in taken


def test_the_freed_partners_agenda_points_to_the_proposal_until_it_is_answered(
    client, auth, db, day_event, make_participant
):
    from matchmaker.desk.proposal_models import ReplanProposal

    day = day_event()
    anna = day.people[0]
    kadri, _lena = _interests(db, day, make_participant)
    auth.login(day.organiser)
    client.post(f"/events/{day.event.slug}/desk/participants/{anna.id}/absent")
    proposal = db.scalar(select(ReplanProposal).where(ReplanProposal.participant_id == kadri.id))
    auth.logout()
    auth.login(kadri.user)
    agenda = client.get(f"/events/{day.event.slug}/agenda").get_data(True)
    assert 'id="agenda-proposals"' in agenda and "propose 1 new meeting " in agenda
    assert f'href="/events/{day.event.slug}/proposals"' in agenda
    client.post(f"/events/{day.event.slug}/proposals/{proposal.id}/decline")
    agenda = client.get(f"/events/{day.event.slug}/agenda").get_data(True)
    assert 'id="agenda-proposals"' not in agenda
