"""Who can be seen: pending and rejected registrations, and organisations of other events.

A registration that is not approved exists only for the event's organisers: every route
addressed to another participant answers 404 for it, as for an id that does not exist,
and never says the name. The organisation search finds only organisations the asker
could see anyway.
"""

import pytest

from matchmaker.access import ACCESS_ATTR
from matchmaker.meetings.models import MeetingRequest
from matchmaker.participants.models import Favourite, Organisation, Participant
from tests.conftest import htmx_headers

SECRET_PERSON = "Sanna Hämäläinen"
SECRET_ORG = "Teräsrakenne Pohjola Oy"


def _participant_routes(app) -> list[tuple[str, str]]:
    """Every (method, rule) a participant addresses to another participant by id.

    Read from the URL map, so a route added later is walked too. The organisers' own
    pages (declared organiser-only: the list, the desk) show every registration on purpose.
    """
    found = []
    for rule in app.url_map.iter_rules():
        access = getattr(app.view_functions[rule.endpoint], ACCESS_ATTR, "")
        if "participant_id" not in rule.arguments or access.startswith("role:"):
            continue
        for method in sorted(rule.methods & {"GET", "POST"}):
            found.append((method, rule.rule))
    return found


@pytest.fixture
def scene(db, make_event, make_participant):
    event = make_event(requires_approval=True)
    me = make_participant(event)
    return event, me


@pytest.mark.parametrize("status", ["pending", "rejected"])
def test_a_registration_not_approved_is_404_on_every_route_and_never_named(
    app, client, db, scene, make_participant, make_user, auth, status
):
    event, me = scene
    hidden = make_participant(
        event,
        make_user(name=SECRET_PERSON),
        status=status,
        organisation=Organisation(name=SECRET_ORG, country="FI"),
    )
    routes = _participant_routes(app)
    # The profile, the meeting request and the bookmark at least.
    assert {r for _, r in routes} >= {
        "/events/<slug>/participants/<int:participant_id>",
        "/events/<slug>/participants/<int:participant_id>/request",
        "/events/<slug>/participants/<int:participant_id>/favourite",
    }
    auth.login(me.user)
    for method, rule in routes:
        url = rule.replace("<slug>", event.slug).replace("<int:participant_id>", str(hidden.id))
        for headers in ({}, htmx_headers()):
            response = client.open(
                url, method=method, data={"message": "Hello", "on": "1"}, headers=headers
            )
            body = response.get_data(as_text=True)
            assert response.status_code == 404, (method, url, headers, body[:300])
            assert SECRET_PERSON not in body and SECRET_ORG not in body, (method, url)
    assert db.query(Favourite).count() == 0
    assert db.query(MeetingRequest).count() == 0


def test_an_approved_participant_is_found_and_the_organiser_sees_everyone(
    client, db, scene, make_participant, make_user, auth
):
    event, me = scene
    visible = make_participant(event, make_user(name="Thandi Nkosi"))
    pending = make_participant(event, make_user(name=SECRET_PERSON), status="pending")
    auth.login(me.user)
    page = client.get(f"/events/{event.slug}/participants/{visible.id}")
    assert page.status_code == 200 and "Thandi Nkosi" in page.get_data(as_text=True)
    bookmark = client.post(
        f"/events/{event.slug}/participants/{visible.id}/favourite", data={"on": "1"}
    )
    assert bookmark.status_code == 302 and db.query(Favourite).count() == 1
    auth.logout()
    auth.login(event.organisers[0])
    seen = client.get(f"/events/{event.slug}/participants/{pending.id}")
    assert seen.status_code == 200 and SECRET_PERSON in seen.get_data(as_text=True)


# --- the organisation search ----------------------------------------------------------------


def _org(name: str) -> Organisation:
    return Organisation(name=name, country="FI")


def _search(client, event, query: str) -> str:
    response = client.get(
        f"/events/{event.slug}/organisations?org_query={query}", headers=htmx_headers()
    )
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_organisation_search_finds_only_what_the_asker_may_see(
    client, db, make_event, make_participant, make_user, auth
):
    open_event = make_event()
    draft_organiser = make_user("organiser")
    draft = make_event(organiser=draft_organiser, status="draft")
    make_participant(draft, organisation=_org("Draft Steel Oy"))
    make_participant(open_event, organisation=_org("Public Steel Oy"))
    make_participant(open_event, status="pending", organisation=_org("Pending Steel Oy"))
    make_participant(open_event, status="rejected", organisation=_org("Rejected Steel Oy"))
    db.add(_org("Orphan Steel Oy"))  # no participant anywhere, made by nobody
    db.flush()

    auth.login(make_user())
    found = _search(client, open_event, "steel")
    assert "Public Steel Oy" in found
    for hidden in ("Draft Steel Oy", "Pending Steel Oy", "Rejected Steel Oy", "Orphan Steel Oy"):
        assert hidden not in found
    auth.logout()

    # Another organiser, even one who organises an event of their own, sees no more.
    auth.login(make_user("organiser"))
    assert "Draft Steel Oy" not in _search(client, open_event, "steel")
    auth.logout()

    # The draft's organiser finds the organisations of their own event.
    auth.login(draft_organiser)
    own = _search(client, draft, "steel")
    assert "Draft Steel Oy" in own and "Public Steel Oy" in own
    assert "Pending Steel Oy" not in own


def test_an_organisation_id_typed_by_hand_is_refused_unless_it_could_be_found(
    client, db, make_event, make_participant, make_user, auth
):
    event = make_event(requires_approval=False)
    draft = make_event(status="draft")
    secret = make_participant(draft, organisation=_org(SECRET_ORG)).organisation
    auth.login(make_user())
    response = client.post(
        f"/events/{event.slug}/register",
        data={"organisation_id": str(secret.id), "name": "Laura", "kind": "sme"},
    )
    assert response.status_code == 422
    assert "no longer exists" in response.get_data(as_text=True)
    assert db.query(Participant).filter_by(event_id=event.id).count() == 0


def test_a_stand_held_by_a_registration_not_approved_is_taken_but_not_named(
    client, db, scene, make_participant, make_user, auth
):
    event, me = scene
    table = event.tables[2]
    make_participant(
        event,
        make_user(name=SECRET_PERSON),
        status="pending",
        organisation=Organisation(name=SECRET_ORG, country="FI"),
        fixed_table_id=table.id,
    )
    auth.login(me.user)
    response = client.post(
        f"/events/{event.slug}/stand",
        data={"fixed_table_id": str(table.id)},
        headers=htmx_headers(),
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and f"{table.name} is taken" in html
    assert SECRET_ORG not in html and SECRET_PERSON not in html
