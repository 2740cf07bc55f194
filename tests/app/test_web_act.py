"""web.act: the one rule for actions without a form - commit when done, roll back and
answer the domain error's status when the service refuses, flash only for whole pages."""

from datetime import UTC, datetime

from flask import get_flashed_messages
from sqlalchemy import select

from matchmaker.accounts.models import AttemptCounter
from matchmaker.errors import Conflict
from matchmaker.web import act
from tests.conftest import htmx_headers


def _keys(db) -> list[str]:
    return list(db.scalars(select(AttemptCounter.key).order_by(AttemptCounter.key)))


def _add(db, key: str) -> AttemptCounter:
    counter = AttemptCounter(key=key, window_start=datetime.now(UTC), hits=1)
    db.add(counter)
    db.flush()
    return counter


def test_a_done_action_is_committed_and_its_value_returned(app, db):
    with app.test_request_context("/", method="POST"):
        outcome = act(lambda: _add(db, "done"))
        db.rollback()  # a later failure in the request no longer takes it back

    assert outcome.saved and outcome.status == 200 and outcome.refusal is None
    assert outcome.value.key == "done"
    assert _keys(db) == ["done"]


def test_a_refused_action_saves_nothing_and_answers_the_errors_status(app, db):
    def refused():
        _add(db, "half-done")  # written before the service refused
        raise Conflict("Someone was quicker.")

    with app.test_request_context("/", method="POST"):
        outcome = act(refused, done="Saved.")
        flashed = get_flashed_messages()

    assert not outcome.saved and outcome.status == 409
    assert isinstance(outcome.refusal, Conflict)
    assert outcome.message == "Someone was quicker."
    assert _keys(db) == []
    assert flashed == []  # the caller shows a refusal, in its fragment or error page


def test_done_is_flashed_for_a_whole_page_and_not_for_a_fragment(app, db):
    with app.test_request_context("/", method="POST"):
        act(lambda: None, done="Invitation sent.")
        page = get_flashed_messages()
    with app.test_request_context("/", method="POST", headers=htmx_headers()):
        act(lambda: None, done="Invitation sent.")
        fragment = get_flashed_messages()

    assert page == ["Invitation sent."]
    assert fragment == []
