import pytest
from sqlalchemy import insert

from matchmaker.events.models import event_organisers
from tests.planning.conftest import scheduled_event  # noqa: F401  (a fixture)


@pytest.fixture
def add_member(db, make_user):
    """Put a (participant) account on ``event``'s team in ``role``; returns the user."""

    def add(event, role: str, user=None):
        user = user or make_user("participant")
        db.execute(insert(event_organisers).values(event_id=event.id, user_id=user.id, role=role))
        db.flush()
        return user

    return add
