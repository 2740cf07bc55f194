"""The directory: who may see it, one card per organisation, search as you type, filters,
pages, bookmarks. (Ranking: test_search_ranking.py; suggestions: test_suggestions.py.)"""

from matchmaker.participants.models import Favourite, Opportunity, Organisation
from matchmaker.participants.tags import pack_tags
from tests.conftest import htmx_headers


def _company(make_participant, event, name, country="FI", kind="sme", sectors=(), opps=(), **kw):
    org = Organisation(name=name, country=country, kind=kind, sectors=pack_tags(sectors))
    participant = make_participant(event, organisation=org, **kw)
    for opp_kind, title, tags in opps:
        participant.opportunities.append(
            Opportunity(kind=opp_kind, title=title, tags=pack_tags(tags))
        )
    from matchmaker.extensions import db as _db

    _db.session.flush()
    return participant


def _ids(html):
    """The participants shown: every representative line of every card."""
    import re

    return {int(i) for i in re.findall(r'id="representative-(\d+)"', html)}


def _orgs(html):
    """The organisation cards shown, in order."""
    import re

    return [int(i) for i in re.findall(r'id="organisation-(\d+)"', html)]


def test_search_as_you_type_matches_names_and_opportunities(
    client, db, make_event, make_participant, auth
):
    event = make_event()
    me = _company(
        make_participant,
        event,
        "Bell Equipment",
        "ZA",
        "large",
        ["earthmoving"],
        [("request", "Hydraulic cylinders for dump trucks", ["hydraulics"])],
    )
    hydro = _company(
        make_participant,
        event,
        "HydroCyl Oy",
        "FI",
        "sme",
        ["hydraulics"],
        [("offer", "Custom cylinders up to 400 mm bore", ["hydraulic cylinders"])],
    )
    cabins = _company(
        make_participant,
        event,
        "Kabiini Works",
        "EE",
        "startup",
        ["cabins"],
        [("offer", "ROPS cabins", ["cabins"])],
    )
    hidden = _company(make_participant, event, "Pending Cylinders Ltd", status="pending")
    auth.login(me.user)
    response = client.get(f"/events/{event.slug}/directory?q=cylind", headers=htmx_headers())
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html and 'id="directory-results"' in html
    assert _ids(html) == {hydro.id}  # title words, tags; never the pending one, never mine
    assert hidden.id not in _ids(html)
    assert _ids(client.get(f"/events/{event.slug}/directory?q=kabiini").get_data(as_text=True)) == {
        cabins.id
    }
    # Several words must all match; the full page is a page.
    page = client.get(f"/events/{event.slug}/directory?q=ROPS+kabiini").get_data(as_text=True)
    assert "<html" in page and _ids(page) == {cabins.id}
    # LIKE wildcards typed by people are literal.
    assert _ids(client.get(f"/events/{event.slug}/directory?q=%25").get_data(as_text=True)) == set()


def test_search_folds_accents_case_and_follows_edits(
    client, db, make_event, make_participant, auth
):
    event = make_event()
    me = _company(make_participant, event, "Bell Equipment", "ZA")
    hudro = _company(
        make_participant, event, "HÜDROSILINDER OÜ", "EE", opps=[("offer", "Seals", ["seals"])]
    )
    auth.login(me.user)

    def search(q):
        html = client.get(f"/events/{event.slug}/directory?q={q}", headers=htmx_headers())
        return _ids(html.get_data(as_text=True))

    assert search("hüdrosilinder oü") == {hudro.id}  # Unicode case, not ASCII only
    assert search("gaskets") == set()
    auth.logout()
    auth.login(hudro.user)
    opp = hudro.opportunities[0]
    client.post(
        f"/events/{event.slug}/opportunities/{opp.id}",
        data={"edit-kind": "offer", "edit-title": "Seals and gaskets"},
    )
    auth.logout()
    auth.login(me.user)
    assert search("gaskets") == {hudro.id}  # the edit is searchable at once


def test_filters_combine(client, db, make_event, make_participant, auth):
    event = make_event()
    me = _company(make_participant, event, "Bell", "ZA", "large", ["earthmoving"])
    hydro = _company(
        make_participant,
        event,
        "HydroCyl",
        "FI",
        "sme",
        ["hydraulics"],
        [("offer", "Cylinders", [])],
    )
    lab = _company(
        make_participant,
        event,
        "Uni Tartu",
        "EE",
        "research",
        ["research"],
        [("partnership", "Robotics", ["hydraulics"])],
    )
    auth.login(me.user)

    def get(qs):
        url = f"/events/{event.slug}/directory?{qs}"
        return _ids(client.get(url, headers=htmx_headers()).get_data(as_text=True))

    assert get("country=FI") == {hydro.id}
    assert get("org_kind=research") == {lab.id}
    assert get("opp_kind=offer") == {hydro.id}
    assert get("sector=hydraulics") == {hydro.id, lab.id}  # organisation sector or opportunity tag
    assert get("sector=hydraulics&country=EE") == {lab.id}
    assert get("org_kind=nonsense") == {hydro.id, lab.id}  # unknown values are ignored


def test_pages_of_twenty(client, db, make_event, make_participant, auth):
    event = make_event()
    people = [_company(make_participant, event, f"Company {i:02d}") for i in range(46)]
    auth.login(people[0].user)
    first = client.get(f"/events/{event.slug}/directory", headers=htmx_headers()).get_data(
        as_text=True
    )
    third = client.get(f"/events/{event.slug}/directory?page=3", headers=htmx_headers()).get_data(
        as_text=True
    )
    assert len(_ids(first)) == 20 and len(_ids(third)) == 5
    assert "45 organisations" in first and "page 1 of 3" in first
    assert "page=2" in first and 'rel="prev"' not in first
    too_far = client.get(f"/events/{event.slug}/directory?page=99").get_data(as_text=True)
    assert len(_ids(too_far)) == 5  # clamped to the last page
    assert client.get(f"/events/{event.slug}/directory?page=abc").status_code == 200


def test_only_approved_participants_and_organisers_see_the_directory(
    client, db, make_event, make_participant, make_user, auth
):
    event = make_event()
    _company(make_participant, event, "Visible Oy")
    auth.login(make_user())
    assert client.get(f"/events/{event.slug}/directory").status_code == 403
    auth.logout()
    auth.login(event.organisers[0])
    assert "Visible Oy" in client.get(f"/events/{event.slug}/directory").get_data(as_text=True)
    auth.logout()
    other_event = make_event()
    stranger = make_participant(other_event)
    auth.login(stranger.user)
    assert client.get(f"/events/{event.slug}/directory").status_code == 403


def test_bookmarks_toggle_and_filter(client, db, make_event, make_participant, auth):
    event = make_event()
    me = _company(make_participant, event, "Bell")
    hydro = _company(make_participant, event, "HydroCyl")
    _company(make_participant, event, "Other")
    auth.login(me.user)
    url = f"/events/{event.slug}/participants/{hydro.id}/favourite"
    response = client.post(url, data={"on": "1"}, headers=htmx_headers())
    html = response.get_data(as_text=True)
    assert (
        response.status_code == 200 and "<html" not in html and f'id="favourite-{hydro.id}"' in html
    )
    assert 'aria-pressed="true"' in html
    client.post(url, data={"on": "1"}, headers=htmx_headers())  # a double click changes nothing
    assert db.query(Favourite).filter_by(participant_id=me.id).count() == 1
    assert _ids(
        client.get(f"/events/{event.slug}/directory?favourites=1").get_data(as_text=True)
    ) == {hydro.id}
    client.post(url, data={"on": "0"}, headers=htmx_headers())
    assert db.query(Favourite).filter_by(participant_id=me.id).count() == 0
    assert (
        client.post(
            f"/events/{event.slug}/participants/{me.id}/favourite", data={"on": "1"}
        ).status_code
        == 422
    )


def test_matches_are_marked_and_markup_stays_text(client, db, make_event, make_participant, auth):
    event = make_event()
    me = _company(make_participant, event, "Bell Equipment", "ZA")
    _company(
        make_participant,
        event,
        "<b>Cyl</b> & Co",
        opps=[("offer", "Hydraulic CYLINDERS", ["cylinders"])],
    )
    auth.login(me.user)
    # Matched and marked on the text people typed, never on its HTML escape.
    amp = client.get(f"/events/{event.slug}/directory?q=amp", headers=htmx_headers())
    assert "<mark>" not in amp.get_data(as_text=True)
    html = client.get(f"/events/{event.slug}/directory?q=cyl", headers=htmx_headers())
    text = html.get_data(as_text=True)
    assert "Hydraulic <mark>CYL</mark>INDERS" in text
    assert "&lt;b&gt;<mark>Cyl</mark>&lt;/b&gt; &amp; Co" in text and "<b>Cyl" not in text
    assert 'class="tag"><mark>cyl</mark>inders' in text


def test_one_card_per_organisation_with_its_people_and_opportunities_once(
    client, db, make_event, make_participant, auth
):
    event = make_event()
    opps = [("offer", "Hydraulic cylinders", ["hydraulics"]), ("request", "Steel bars", [])]
    hydro = _company(make_participant, event, "HydroCyl Oy", opps=opps, role_title="CEO")
    org = hydro.organisation
    for name, role, languages in (("Aino Virtanen", "Sales", "fi, en"), ("Ben Oja", "", "et")):
        colleague = make_participant(
            event, organisation=org, name=name, role_title=role, languages=languages
        )
        for kind, title, tags in opps:  # colleagues publish the same opportunities
            colleague.opportunities.append(
                Opportunity(kind=kind, title=title, tags=pack_tags(tags))
            )
    me = _company(make_participant, event, "Bell Equipment", opps=[("request", "Cylinders", [])])
    make_participant(event, organisation=me.organisation, name="My Colleague")
    db.flush()
    auth.login(me.user)
    for url in ("directory", "directory?q=cylinders"):
        html = client.get(f"/events/{event.slug}/{url}", headers=htmx_headers()).get_data(
            as_text=True
        )
        assert _orgs(html) == [org.id]  # once; my own organisation (it matches) never
        assert "Bell Equipment" not in html and "My Colleague" not in html
        assert html.count("Steel bars") == 1  # each opportunity once
        assert "Aino Virtanen</a>, Sales" in html and "speaks fi, en" in html and "Ben Oja" in html
        assert f'id="org-request-{org.id}"' in html  # a request button on the card
    assert "1 organisation" in html


def test_search_never_finds_anyone_by_an_unlisted_persons_name_or_offers(
    client, db, make_event, make_participant, auth
):
    """Mart said no to the directory: searching his name or his offer must not bring up
    his organisation (whose listed colleague is in the directory), which would tell
    everyone he is there and with whom."""
    event = make_event()
    me = _company(make_participant, event, "Bell Equipment", "ZA")
    colleague = make_participant(event, organisation=Organisation(name="Kivi OÜ"), name="Liisa")
    mart = make_participant(
        event, organisation=colleague.organisation, name="Mart Quietman", listed=False
    )
    mart.opportunities.append(Opportunity(kind="offer", title="Granite quarry machines"))
    db.flush()
    auth.login(me.user)
    url = f"/events/{event.slug}/directory?q="
    assert _ids(client.get(url + "Liisa").get_data(as_text=True)) == {colleague.id}
    assert _orgs(client.get(url + "Quietman").get_data(as_text=True)) == []
    assert _orgs(client.get(url + "granite").get_data(as_text=True)) == []


def test_the_directory_follows_each_change_to_registrations_and_organisations_at_once(
    client, db, make_event, make_participant, auth
):
    """The list of organisations and the filter menus are kept between views (at the
    directory's data version): every change that moves them shows on the next view."""
    event = make_event()
    me = _company(make_participant, event, "Bell", "ZA")
    hydro = _company(make_participant, event, "HydroCyl", "FI", sectors=["hydraulics"])
    late = _company(make_participant, event, "Aalto Late", "EE", status="pending")
    db.commit()
    auth.login(me.user)

    def view(qs=""):
        return client.get(f"/events/{event.slug}/directory?{qs}").get_data(as_text=True)

    assert _ids(view()) == {hydro.id} and _ids(view("country=FI")) == {hydro.id}
    late.status = "approved"  # approved by the organisers
    db.commit()
    assert _orgs(view()) == [late.organisation_id, hydro.organisation_id]
    hydro.organisation.name = "Aalborg Hydraulics"  # renamed: comes first now
    hydro.organisation.country = "SE"
    db.commit()
    assert _orgs(view()) == [hydro.organisation_id, late.organisation_id]
    assert _ids(view("country=FI")) == set()
    assert _ids(view("country=SE")) == {hydro.id}
    assert 'value="SE"' in view()  # the country menu has it
    hydro.opportunities.append(Opportunity(kind="offer", title="Seals", tags=pack_tags([])))
    db.commit()
    assert _ids(view("opp_kind=offer")) == {hydro.id}
    hydro.listed = False  # said no to the directory
    db.commit()
    assert _ids(view()) == {late.id}


def test_a_second_look_at_the_directory_does_not_read_every_registration_again(
    client, db, make_event, make_participant, auth
):
    from sqlalchemy import event as sa_event
    from sqlalchemy.engine import Engine

    event = make_event()
    me = _company(make_participant, event, "Bell", "ZA")
    hydro = _company(make_participant, event, "HydroCyl", "FI")
    db.commit()
    auth.login(me.user)
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(" ".join(statement.split()))

    sa_event.listen(Engine, "before_cursor_execute", record)
    try:
        views = []
        for _ in range(2):
            statements.clear()
            views.append(client.get(f"/events/{event.slug}/directory").get_data(as_text=True))
            views.append(list(statements))
    finally:
        sa_event.remove(Engine, "before_cursor_execute", record)
    first_html, first, second_html, second = views
    assert _ids(first_html) == _ids(second_html) == {hydro.id}

    def reads_everyone(sql: str) -> bool:  # the list by name, the filter menus
        return "GROUP BY organisations.id" in sql or "SELECT DISTINCT organisations.country" in sql

    assert sum(map(reads_everyone, first)) == 2
    assert not any(map(reads_everyone, second)), second
