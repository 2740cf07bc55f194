"""What a freed partner reads after accepting a proposal: the request is sent, said once."""

from __future__ import annotations

from sqlalchemy import select

from tests.conftest import htmx_headers
from tests.desk.test_proposals import _interests


def test_accepting_a_proposal_says_the_request_is_sent_once(
    client, auth, db, day_event, make_participant
):
    from matchmaker.desk.proposal_models import ReplanProposal

    day = day_event()
    anna = day.people[0]
    kadri, _lena = _interests(db, day, make_participant)
    auth.login(day.organiser)
    client.post(f"/events/{day.event.slug}/desk/participants/{anna.id}/absent")
    proposal = db.scalar(select(ReplanProposal))
    auth.logout()
    auth.login(kadri.user)

    url = f"/events/{day.event.slug}/proposals/{proposal.id}/accept"
    fragment = client.post(url, headers=htmx_headers()).get_data(True)
    assert fragment.count("request is sent") == 1
    assert "Accepted." in fragment


def test_the_proposals_page_has_the_participant_s_event_pages(client, auth, db, day_event):
    """Opened from a notification, the page leads on to the profile, meetings, agenda..."""
    day = day_event()
    auth.login(day.people[1].user)
    page = client.get(f"/events/{day.event.slug}/proposals").get_data(True)
    assert 'class="event-nav' in page
    assert f'href="/events/{day.event.slug}/meetings"' in page
