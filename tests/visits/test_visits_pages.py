"""The visit pages: the organiser creates a visit and a group; a participant ranks the
visits; the organiser's allocation page shows the counts and the places."""

from __future__ import annotations

from sqlalchemy import select

from matchmaker.visits.models import Visit, VisitOption, VisitWish


def test_organiser_creates_a_visit_and_a_group(client, auth, db, scheduled_event):
    s = scheduled_event()
    auth.login(s.organiser)
    base = f"/events/{s.event.slug}/organiser/visits"
    response = client.post(
        base,
        data={
            "title": "Port of Richards Bay",
            "host": "Transnet",
            "address": "Port Road, Richards Bay",
            "meeting_point": "Main gate",
            "eligibility": "all",
        },
    )
    assert response.status_code == 302
    visit = db.scalar(select(Visit).where(Visit.event_id == s.event.id))
    response = client.post(
        f"{base}/{visit.id}/options",
        data={
            "start_day": "2027-03-09",
            "start_time": "14:00",
            "end_time": "16:30",
            "places": "20",
            "travel_before": "30",
            "travel_after": "30",
        },
    )
    assert response.status_code == 302
    option = db.scalar(select(VisitOption).where(VisitOption.visit_id == visit.id))
    assert option.places == 20 and option.starts_at.hour == 12  # 14:00 SAST is 12:00 UTC
    page = client.get(base).get_data(as_text=True)
    assert "Port of Richards Bay" in page and "0 of 20 places" in page
    bad = client.post(f"{base}/{visit.id}/options", data={"start_day": "2027-03-09"})
    assert bad.status_code == 422


def test_participant_ranks_visits_and_cannot_by_someone_else(client, auth, db, visit_event):
    from matchmaker.visits import services

    s, visit, g1, g2 = visit_event()
    port = services.create_visit(s.event, title="Port", address="Port Road")
    services.add_option(port, g2.starts_at, g2.ends_at, 10)
    db.commit()
    me = s.people[0]
    auth.login(me.user)
    url = f"/events/{s.event.slug}/visits/mine"
    assert "Bell ADT assembly line" in client.get(url).get_data(as_text=True)
    response = client.post(
        url,
        data={f"rank_{visit.id}": "2", f"option_{visit.id}": str(g1.id), f"rank_{port.id}": "1"},
    )
    assert response.status_code == 302
    wishes = db.scalars(
        select(VisitWish).where(VisitWish.participant_id == me.id).order_by(VisitWish.rank)
    ).all()
    assert [(w.visit_id, w.rank, w.option_id) for w in wishes] == [
        (port.id, 1, None),
        (visit.id, 2, g1.id),
    ]
    # Not an organiser: the allocation page is not theirs.
    assert client.get(f"/events/{s.event.slug}/organiser/visits").status_code in (403, 404)


def test_the_event_navigation_links_to_visits_only_where_there_are_some(
    client, auth, db, scheduled_event, visit_event
):
    plain = scheduled_event()
    s, *_ = visit_event()
    db.commit()
    auth.login(s.people[0].user)
    page = client.get(f"/events/{s.event.slug}/agenda").get_data(as_text=True)
    assert f'href="/events/{s.event.slug}/visits/mine"' in page
    auth.logout()
    auth.login(plain.people[0].user)
    assert "/visits/mine" not in client.get(f"/events/{plain.event.slug}/agenda").get_data(
        as_text=True
    )
