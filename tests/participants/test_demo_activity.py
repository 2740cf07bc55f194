"""The demo mission comes with a living marketplace."""

from sqlalchemy import func, or_, select

from matchmaker.events.models import Event
from matchmaker.meetings.models import Meeting, MeetingRequest
from matchmaker.participants.models import Participant, Unavailability


def test_demo_has_requests_in_every_state_within_the_limits(app, db):
    assert app.test_cli_runner().invoke(args=["demo", "load"]).exit_code == 0
    event = db.query(Event).filter_by(slug="bell-equipment-mission").one()
    by_status = dict(
        db.execute(
            select(MeetingRequest.status, func.count())
            .where(MeetingRequest.event_id == event.id)
            .group_by(MeetingRequest.status)
        ).all()
    )
    assert set(by_status) == {"pending", "accepted", "declined", "withdrawn", "cancelled"}
    assert 130 <= sum(by_status.values()) <= 170
    # Every accepted request is an active meeting; cancelled ones are cancelled meetings.
    active = db.scalar(
        select(func.count(Meeting.id)).where(
            Meeting.event_id == event.id, Meeting.status == "active"
        )
    )
    assert active == by_status["accepted"]
    limit = event.max_meetings_per_participant
    for participant in db.scalars(select(Participant).where(Participant.event_id == event.id)):
        assert participant.bio and participant.opportunities
        open_ = db.scalar(
            select(func.count(MeetingRequest.id)).where(
                or_(
                    MeetingRequest.requester_id == participant.id,
                    MeetingRequest.recipient_id == participant.id,
                ),
                MeetingRequest.status.in_(("pending", "accepted")),
            )
        )
        assert open_ <= limit
    assert db.scalar(select(func.count()).select_from(Unavailability)) > 0
    # Everything happened already: no request was sent or answered in the future.
    from matchmaker.dbtypes import utcnow

    latest = db.scalar(
        select(func.max(MeetingRequest.updated_at)).where(MeetingRequest.event_id == event.id)
    )
    assert latest <= utcnow()
