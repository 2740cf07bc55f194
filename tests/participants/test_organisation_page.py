"""An organisation's page: its details, people and opportunities; edited by its people."""

from matchmaker.participants.countries import find_country
from matchmaker.participants.models import Opportunity, Organisation
from tests.conftest import htmx_headers


def _fields(**changes):
    data = {
        "name": "HydroCyl Oy",
        "description": "Cylinders since 1978.",
        "website": "hydrocyl.fi",
        "country": "Finland",
        "city": "Tampere",
        "kind": "sme",
        "size": "10-49",
        "sectors": "hydraulics, cylinders",
    }
    data.update(changes)
    return data


def test_the_page_shows_details_people_and_opportunities(
    client, db, make_event, make_participant, auth
):
    event = make_event()
    org = Organisation(
        name="HydroCyl Oy",
        country="FI",
        website="https://hydrocyl.fi",
        description="Cylinders since 1978.",
        sectors="|hydraulics|",
    )
    first = make_participant(event, organisation=org, name="Aino", role_title="CEO")
    make_participant(event, organisation=org, name="Ben", languages="fi, en")
    make_participant(event, organisation=org, name="Pending Person", status="pending")
    first.opportunities.append(Opportunity(kind="offer", title="Hydraulic cylinders"))
    me = make_participant(event)
    db.flush()
    auth.login(me.user)
    html = client.get(f"/events/{event.slug}/organisations/{org.id}").get_data(as_text=True)
    for text in ("Cylinders since 1978.", "https://hydrocyl.fi", "Finland", "hydraulics"):
        assert text in html
    assert "Aino</a>, CEO" in html and "speaks fi, en" in html and "Pending Person" not in html
    assert "Hydraulic cylinders" in html and "Anyone from HydroCyl Oy" in html
    assert "Edit the organisation" not in html  # not mine


def test_its_people_edit_it_in_place_with_a_country_name_and_a_bare_website(
    client, db, make_event, make_participant, auth
):
    event = make_event()
    org = Organisation(name="Hydro", country="EE")
    mine = make_participant(event, organisation=org)
    stranger = make_participant(event)
    db.flush()
    url = f"/events/{event.slug}/organisations/{org.id}/edit"
    auth.login(stranger.user)
    assert client.post(url, data=_fields(name="Taken over")).status_code == 403
    assert db.get(Organisation, org.id).name == "Hydro"  # only its own people
    auth.logout()
    auth.login(mine.user)
    page = client.get(f"/events/{event.slug}/organisations/{org.id}").get_data(as_text=True)
    assert "Edit the organisation" in page and 'aria-current="page">My organisation' in page
    form = client.get(url, headers=htmx_headers()).get_data(as_text=True)
    assert "<html" not in form and 'list="country-list"' in form and ">Estonia<" not in form
    assert 'value="Estonia"' in form  # the stored code shown as the country's name
    saved = client.post(url, data=_fields(), headers=htmx_headers())
    html = saved.get_data(as_text=True)
    assert saved.status_code == 200 and "Saved." in html and "<form" not in html
    db.expire_all()
    org = db.get(Organisation, org.id)
    assert (org.name, org.country, org.website) == ("HydroCyl Oy", "FI", "https://hydrocyl.fi")
    assert org.description == "Cylinders since 1978." and org.sectors == "|hydraulics|cylinders|"
    refused = client.post(url, data=_fields(country="Atlantis"), headers=htmx_headers())
    assert refused.status_code == 422 and "not a country we know" in refused.get_data(as_text=True)
    bad_site = client.post(url, data=_fields(website="ftp://x"), headers=htmx_headers())
    assert bad_site.status_code == 422


def test_a_pending_or_rejected_registration_cannot_edit_a_shared_organisation(
    client, db, make_event, make_participant, make_user, auth
):
    """Organisations are shared by every event: anyone may register naming an existing one,
    so only an approved registration (in any event) or its events' organisers may edit it."""
    boss = make_user("organiser")
    earlier, event = make_event(), make_event(organiser=boss)
    org = Organisation(name="Hydro", country="EE", website="https://hydro.ee")
    make_participant(event, organisation=org)  # so the organisation is in the event
    url = f"/events/{event.slug}/organisations/{org.id}/edit"
    page_url = f"/events/{event.slug}/organisations/{org.id}"
    for status in ("pending", "rejected"):
        someone = make_participant(event, organisation=org, status=status)
        db.flush()
        auth.login(someone.user)
        if status == "pending":  # "My organisation" is open to them, without the edit link
            page = client.get(page_url).get_data(as_text=True)
            assert "About Hydro" in page and "Edit the organisation" not in page
        assert client.get(url, headers=htmx_headers()).status_code == 403
        refused = client.post(url, data=_fields(name="Taken over", website="evil.example"))
        assert refused.status_code == 403
        assert "approved representatives" in refused.get_data(as_text=True)
        auth.logout()
        db.expire_all()
        assert (org.name, org.website) == ("Hydro", "https://hydro.ee")  # nothing saved
    # Approved in another event: they are its representative, and may edit it here too.
    approved = make_participant(earlier, organisation=org)
    db.flush()
    auth.login(approved.user)
    saved = client.post(url, data=_fields(name="HydroCyl Oy"))
    assert saved.status_code == 302
    db.expire_all()
    assert org.name == "HydroCyl Oy"
    auth.logout()
    # The event's organiser may correct it; an organiser of an unrelated event may not.
    outsider = make_user("organiser")
    make_event(organiser=outsider)
    auth.login(outsider)
    assert client.post(url, data=_fields(name="Nope")).status_code == 403
    auth.logout()
    auth.login(boss)
    assert "Edit the organisation" in client.get(page_url).get_data(as_text=True)
    assert client.post(url, data=_fields(name="Hydro Group")).status_code == 302
    db.expire_all()
    assert org.name == "Hydro Group"


def test_countries_are_found_by_name_code_or_a_unique_beginning():
    assert find_country("South Africa") == "ZA"
    assert find_country("za") == "ZA"
    assert find_country("estonia") == "EE"
    assert find_country("Côte d'Ivoire") == find_country("cote d'ivoire") == "CI"
    assert find_country("Bolivia") == "BO"
    assert find_country("Germ") == "DE"
    assert find_country("S") is None  # many countries begin so
    assert find_country("Atlantis") is None


def test_registration_takes_a_country_name_and_a_bare_website(
    client, db, make_event, make_user, auth
):
    event = make_event()
    auth.login(make_user())
    response = client.post(
        f"/events/{event.slug}/register",
        data={
            "org_name": "HydroCyl Oy",
            "country": "Finland",
            "website": "www.hydrocyl.example/en",
            "kind": "sme",
            "name": "Anna Virtanen",
        },
    )
    assert response.status_code == 302
    org = db.query(Organisation).filter_by(name="HydroCyl Oy").one()
    assert (org.country, org.website) == ("FI", "https://www.hydrocyl.example/en")
