"""Who may apply (the wish form and the engine's problem), the deadline for changing a
choice, and the organiser editing and deleting a visit."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from matchmaker.calendar import services as calendar
from matchmaker.dbtypes import utcnow
from matchmaker.notifications.models import Notification
from matchmaker.planning.engine_input import build_problem
from matchmaker.visits import services
from matchmaker.visits.models import Visit, VisitOption, VisitPlace, VisitWish
from matchmaker.visits.visibility import publish_places
from tests.calendar.helpers import parse_icalendar, vevents


def test_a_participant_who_may_not_apply_cannot_rank_the_visit(client, auth, db, visit_event):
    s, visit, g1, _ = visit_event()
    visit.eligibility = "country:ZA"  # the fixture's organisations are Finnish
    db.commit()
    me = s.people[0]
    auth.login(me.user)
    url = f"/events/{s.event.slug}/visits/mine"
    page = client.get(url).get_data(as_text=True)
    assert "Not open to your organisation." in page
    response = client.post(url, data={f"rank_{visit.id}": "1"})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert f'id="rank-error-{visit.id}"' in body
    assert "not open to your organisation: you cannot rank it" in body
    assert db.scalar(select(VisitWish).where(VisitWish.participant_id == me.id)) is None


def test_the_hosts_people_cannot_rank_their_own_visit(client, auth, db, visit_event):
    """Bell Equipment's buyer sees Bell's plant tour as hers to host, not to visit: the
    form refuses her rank, and a wish she made before is not the engine's."""
    s, visit, g1, _ = visit_event()
    me, other = s.people[0], s.people[1]
    services.set_wishes(s.event, me, [(visit.id, None)])
    services.set_wishes(s.event, other, [(visit.id, None)])
    me.organisation.name = "  bell   EQUIPMENT "  # as typed: case and spaces aside
    db.commit()
    assert [w["participant"] for w in build_problem(s.event)["visit_wishes"]] == [str(other.id)]
    auth.login(me.user)
    url = f"/events/{s.event.slug}/visits/mine"
    page = client.get(url).get_data(as_text=True)
    assert "Your organisation hosts this visit." in page
    assert "Not open to your organisation." not in page
    response = client.post(url, data={f"rank_{visit.id}": "1"})
    assert response.status_code == 422
    assert "hosted by your organisation: you cannot rank it" in response.get_data(as_text=True)


def test_the_engine_never_gives_a_place_to_someone_who_may_not_apply(db, visit_event):
    s, visit, g1, _ = visit_event()
    me, other = s.people[0], s.people[1]
    services.set_wishes(s.event, me, [(visit.id, None)])
    services.set_wishes(s.event, other, [(visit.id, None)])
    # The rule changes after they wished: their wish rows stay, but are not the engine's.
    visit.eligibility = "kind:research"
    db.flush()
    assert db.scalar(select(VisitWish).where(VisitWish.participant_id == me.id)) is not None
    data = build_problem(s.event)
    assert data["visit_wishes"] == []
    me.organisation.kind = "research"
    db.flush()
    data = build_problem(s.event)
    assert [w["participant"] for w in data["visit_wishes"]] == [str(me.id)]


def test_after_the_deadline_a_choice_cannot_change(client, auth, db, visit_event):
    s, visit, g1, _ = visit_event()
    me = s.people[0]
    services.set_wishes(s.event, me, [(visit.id, None)])
    visit.wishes_until = utcnow() - timedelta(hours=1)
    db.commit()
    auth.login(me.user)
    url = f"/events/{s.event.slug}/visits/mine"
    page = client.get(url).get_data(as_text=True)
    assert f'id="deadline-{visit.id}"' in page and "Choices closed on" in page
    response = client.post(url, data={f"rank_{visit.id}": "1", f"option_{visit.id}": str(g1.id)})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert f'id="rank-error-{visit.id}"' in body and "closed on" in body
    wish = db.scalar(select(VisitWish).where(VisitWish.participant_id == me.id))
    assert wish.option_id is None
    # The same choice sent again is not a change: accepted.
    assert client.post(url, data={f"rank_{visit.id}": "1"}).status_code == 302


def test_the_organiser_edits_a_visit_and_its_deadline(client, auth, db, visit_event):
    s, visit, g1, _ = visit_event()
    db.commit()
    auth.login(s.organiser)
    url = f"/events/{s.event.slug}/organiser/visits/{visit.id}/edit"
    page = client.get(url).get_data(as_text=True)
    assert 'value="Bell ADT assembly line"' in page and 'name="wishes_until"' in page
    form = {
        "title": "Bell ADT line tour",
        "host": "Bell Equipment",
        "address": "Old Main Road, Richards Bay, 3900",
        "meeting_point": "Gate 3",
        "map_url": "https://example.org/map",
        "eligibility": "country:za",
        "wishes_until": "2027-03-01T18:00",
    }
    assert client.post(url, data=form).status_code == 302
    db.expire_all()
    visit = db.get(Visit, visit.id)
    assert (visit.title, visit.meeting_point, visit.eligibility) == (
        "Bell ADT line tour",
        "Gate 3",
        "country:ZA",
    )
    assert visit.wishes_until.hour == 16  # 18:00 SAST
    manage = client.get(f"/events/{s.event.slug}/organiser/visits").get_data(as_text=True)
    assert "choices close on" in manage
    bad = client.post(url, data={**form, "map_url": "ftp://x"})
    assert bad.status_code == 422
    assert 'id="map_url-error-' in bad.get_data(as_text=True)


def test_the_organiser_changes_a_groups_places_never_below_those_given(
    client, auth, db, visit_event
):
    s, visit, g1, _ = visit_event(places=2)
    services.fix_place(s.event, visit, g1, s.people[0])
    services.fix_place(s.event, visit, g1, s.people[1])
    db.commit()
    auth.login(s.organiser)
    url = f"/events/{s.event.slug}/organiser/visits/{visit.id}/options/{g1.id}"
    refused = client.post(url, data={"places": "1", "label": "Group 1"})
    assert refused.status_code == 409
    assert "2 places of Group 1 are given" in refused.get_data(as_text=True)
    assert client.post(url, data={"places": "20", "label": "Morning"}).status_code == 302
    db.expire_all()
    option = db.get(VisitOption, g1.id)
    assert (option.places, option.label) == (20, "Morning")


def test_deleting_a_visit_asks_first_and_tells_the_holders(client, auth, db, visit_event):
    s, visit, g1, _ = visit_event()
    me = s.people[0]
    services.fix_place(s.event, visit, g1, me)
    publish_places(s.event, [visit])
    feed = calendar.participant_feed(me)
    db.commit()
    auth.login(s.organiser)
    url = f"/events/{s.event.slug}/organiser/visits/{visit.id}/delete"
    page = client.get(url).get_data(as_text=True)
    assert "1 place given" in page and 'id="confirm-delete"' in page
    assert db.get(Visit, visit.id) is not None  # asking deleted nothing
    vid = visit.id
    assert client.post(url).status_code == 302
    db.expire_all()
    assert db.get(Visit, vid) is None
    assert db.scalar(select(VisitPlace).where(VisitPlace.participant_id == me.id)) is None
    told = db.scalars(
        select(Notification.message).where(
            Notification.user_id == me.user_id, Notification.kind == "visit_place"
        )
    ).all()
    assert any("is cancelled by the organisers" in m for m in told)
    body = client.get(f"/feeds/{calendar.feed_token(feed)}.ics").data
    (event,) = [e for e in vevents(parse_icalendar(body)) if str(e["UID"]).startswith("visit-")]
    assert str(event["STATUS"]) == "CANCELLED"
