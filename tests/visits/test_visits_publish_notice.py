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


def test_cancelling_a_place_names_the_person_and_asks_first(client, auth, db, visit_event):
    """Each "Cancel place" button says whose place it cancels (to a screen reader too) and
    asks before it does: one tap took a participant's place."""
    from markupsafe import escape

    s, visit, g1, _g2 = visit_event()
    me = s.people[0]
    services.fix_place(s.event, visit, g1, me)
    db.commit()
    auth.login(s.organiser)
    page = client.get(f"/events/{s.event.slug}/organiser/visits").get_data(True)
    assert f'aria-label="Cancel the place of {escape(me.name)}"' in page
    confirm = f"Cancel {escape(me.name)}'s place in Bell ADT assembly line (Group 1)?"
    assert f'data-confirm="{confirm}"' in page
