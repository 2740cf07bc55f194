"""Publishing the visit places alone tells the organiser what happened (the page looked
the same before and after the button)."""

from __future__ import annotations

from matchmaker.visits import services


def test_publishing_the_places_says_how_many_were_told(client, auth, db, visit_event):
    s, visit, g1, _g2 = visit_event()
    services.fix_place(s.event, visit, g1, s.people[0])
    db.commit()
    auth.login(s.organiser)
    page = client.post(
        f"/events/{s.event.slug}/organiser/visits/publish", follow_redirects=True
    ).get_data(True)
    assert "Visit places published: 1 participant told of a new place." in page
    again = client.post(
        f"/events/{s.event.slug}/organiser/visits/publish", follow_redirects=True
    ).get_data(True)
    assert "Visit places published: 0 participants told of a new place." in again
