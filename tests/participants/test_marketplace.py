"""Profile and opportunities: saved via htmx, limits at the field, text escaped."""

from matchmaker.participants.models import Opportunity, Participant
from tests.conftest import htmx_headers


def test_profile_saves_in_place_and_escapes_markup(client, db, make_event, make_participant, auth):
    event = make_event()
    me = make_participant(event)
    other = make_participant(event)
    auth.login(me.user)
    response = client.post(
        f"/events/{event.slug}/profile",
        data={
            "name": "Anna",
            "role_title": "Sales",
            "bio": "<script>alert(1)</script> cylinders",
            "languages": "English, Finnish",
        },
        headers=htmx_headers(),
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html and 'id="profile-card"' in html
    assert 'id="profile-saved"' in html
    db.expire_all()
    assert me.bio == "<script>alert(1)</script> cylinders" and me.languages == "English, Finnish"
    auth.logout()
    auth.login(other.user)
    shown = client.get(f"/events/{event.slug}/participants/{me.id}").get_data(as_text=True)
    assert (
        "&lt;script&gt;alert(1)&lt;/script&gt; cylinders" in shown and "<script>alert" not in shown
    )


def test_too_long_bio_is_refused_and_nothing_changes(
    client, db, make_event, make_participant, auth
):
    event = make_event()
    me = make_participant(event, bio="Old bio")
    auth.login(me.user)
    response = client.post(
        f"/events/{event.slug}/profile",
        data={"name": "Anna", "bio": "x" * 2001},
        headers=htmx_headers(),
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="bio-error"' in html and "2000" in html
    assert "x" * 2001 in html  # what the person typed is still there to shorten
    db.expire_all()
    assert me.bio == "Old bio"


def test_add_and_remove_opportunities(client, db, make_event, make_participant, auth):
    event = make_event()
    me = make_participant(event)
    auth.login(me.user)
    response = client.post(
        f"/events/{event.slug}/opportunities",
        data={
            "kind": "offer",
            "title": "Custom hydraulic cylinders",
            "tags": "Hydraulics; hydraulic cylinders",
            "target_countries": "za, de",
        },
        headers=htmx_headers(),
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html and 'id="opportunities"' in html
    assert "Custom hydraulic cylinders" in html
    opp = db.query(Opportunity).filter_by(participant_id=me.id).one()
    # Tags keep the casing typed (shown as written); matching ignores it.
    assert opp.tags == "|Hydraulics|hydraulic cylinders|" and opp.target_countries == "ZA,DE"
    bad = client.post(
        f"/events/{event.slug}/opportunities",
        data={"kind": "offer", "title": "Wheels", "target_countries": "South Africa"},
        headers=htmx_headers(),
    )
    assert bad.status_code == 422 and 'id="target_countries-error"' in bad.get_data(as_text=True)
    no_title = client.post(
        f"/events/{event.slug}/opportunities", data={"kind": "request", "title": ""}
    )
    assert no_title.status_code == 422 and 'id="title-error"' in no_title.get_data(as_text=True)
    bad_kind = client.post(
        f"/events/{event.slug}/opportunities", data={"kind": "bribe", "title": "X"}
    )
    assert bad_kind.status_code == 422 and 'id="kind-error"' in bad_kind.get_data(as_text=True)
    assert db.query(Opportunity).filter_by(participant_id=me.id).count() == 1
    removed = client.post(
        f"/events/{event.slug}/opportunities/{opp.id}/delete", headers=htmx_headers()
    )
    assert removed.status_code == 200 and "Custom hydraulic cylinders" not in removed.get_data(
        as_text=True
    )
    assert db.query(Opportunity).filter_by(participant_id=me.id).count() == 0


def test_cannot_remove_someone_elses_opportunity(client, db, make_event, make_participant, auth):
    event = make_event()
    me, other = make_participant(event), make_participant(event)
    opp = Opportunity(participant_id=other.id, kind="offer", title="Cabins")
    db.add(opp)
    db.flush()
    auth.login(me.user)
    assert client.post(f"/events/{event.slug}/opportunities/{opp.id}/delete").status_code == 404
    assert db.query(Opportunity).filter_by(id=opp.id).count() == 1


def test_edit_an_opportunity_in_place(client, db, make_event, make_participant, auth):
    event = make_event()
    me = make_participant(event)
    opp = Opportunity(
        participant_id=me.id, kind="offer", title="Cabins", tags="|cabins|", description="Old"
    )
    db.add(opp)
    db.flush()
    auth.login(me.user)
    form = client.get(
        f"/events/{event.slug}/opportunities/{opp.id}/edit", headers=htmx_headers()
    ).get_data(as_text=True)
    assert "<html" not in form and 'name="edit-title"' in form and 'value="Cabins"' in form
    assert 'value="cabins"' in form  # tags come back as the comma list the person typed
    bad = client.post(
        f"/events/{event.slug}/opportunities/{opp.id}",
        data={"edit-kind": "offer", "edit-title": "x" * 300},
        headers=htmx_headers(),
    )
    assert bad.status_code == 422 and 'id="edit-title-error"' in bad.get_data(as_text=True)
    db.expire_all()
    assert opp.title == "Cabins" and opp.description == "Old"
    saved = client.post(
        f"/events/{event.slug}/opportunities/{opp.id}",
        data={
            "edit-kind": "partnership",
            "edit-title": "Operator cabins, ROPS/FOPS certified",
            "edit-description": "Joint development",
            "edit-tags": "cabins, ROPS",
        },
        headers=htmx_headers(),
    )
    html = saved.get_data(as_text=True)
    assert saved.status_code == 200 and "Operator cabins, ROPS/FOPS certified" in html
    assert 'name="edit-title"' not in html  # back to the list
    db.expire_all()
    assert (opp.kind, opp.description, opp.tags) == (
        "partnership",
        "Joint development",
        "|cabins|ROPS|",
    )


def test_cannot_edit_someone_elses_opportunity(client, db, make_event, make_participant, auth):
    event = make_event()
    me, other = make_participant(event), make_participant(event)
    opp = Opportunity(participant_id=other.id, kind="offer", title="Cabins")
    db.add(opp)
    db.flush()
    auth.login(me.user)
    url = f"/events/{event.slug}/opportunities/{opp.id}"
    assert client.get(url + "/edit").status_code == 404
    assert client.post(url, data={"edit-kind": "offer", "edit-title": "Mine"}).status_code == 404
    db.expire_all()
    assert opp.title == "Cabins"


def test_profile_needs_registration(client, db, make_event, make_user, auth):
    event = make_event()
    auth.login(make_user())
    assert client.get(f"/events/{event.slug}/profile").status_code == 403
    assert (
        client.post(
            f"/events/{event.slug}/opportunities", data={"kind": "offer", "title": "X"}
        ).status_code
        == 403
    )
    assert db.query(Participant).count() == 0
