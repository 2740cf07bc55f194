"""Odd input never gives a 500 (issue 17, 10 and 12): huge and odd ids in every id route,
odd numbers and far-away dates in the forms, line breaks in names."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import quote

import pytest

from matchmaker.web import MAX_ID, parse_id
from tests.accounts import test_mail

inbox = test_mail.inbox  # the SMTP server fixture

HUGE_IDS = [MAX_ID, MAX_ID + 1, 2**63, 10**30]
ODD_NUMBERS = ["²", "١٢", "-1", "0", "1e3", " 7", "99999999999999999999", "2147483648", "\n", ""]
FAR_DATES = ["9999-12-31", "0001-01-01", "1900-02-28", "2101-01-01", "99999-01-01", "²"]


def _routes_with_ids(app):
    """Every rule with an ``<int:...>`` part, and the names of those parts."""
    from werkzeug.routing import IntegerConverter

    for rule in app.url_map.iter_rules():
        ids = [n for n, c in rule._converters.items() if isinstance(c, IntegerConverter)]
        if ids:
            yield rule, ids


def _url(rule, slug, ids, value):
    parts = re.split(r"<([^>]+)>", rule.rule)
    out = []
    for n, part in enumerate(parts):
        if n % 2 == 0:
            out.append(part)
            continue
        name = part.split(":")[-1]
        if name in ids:
            out.append(str(value))
        elif name == "slug":
            out.append(slug)
        elif part.startswith("any("):
            out.append(re.search(r"any\(([^,)]+)", part).group(1))
        else:
            out.append("x")
    return "".join(out)


@pytest.fixture
def busy_event(db, make_event, make_participant, make_user):
    organiser = make_user("organiser")
    event = make_event(organiser=organiser)
    mine = make_participant(event)
    other = make_participant(event)
    return organiser, event, mine, other


def test_parse_id_takes_ascii_ids_in_range_only():
    assert parse_id("42") == 42 and parse_id(" 42 ") == 42 and parse_id(7) == 7
    for value in [v for v in ODD_NUMBERS if v != " 7"] + [None, MAX_ID + 1, True, "4 2"]:
        assert parse_id(value) is None, repr(value)


@pytest.mark.parametrize("value", HUGE_IDS + ["²", "١٢", "-1", "0x10"])
def test_id_routes_answer_without_a_500_for_huge_and_odd_ids(
    app, client, db, busy_event, auth, value
):
    organiser, event, mine, _ = busy_event
    routes = list(_routes_with_ids(app))
    assert len(routes) > 15
    for user in (organiser, mine.user):
        auth.login(user)
        for rule, ids in routes:
            url = _url(rule, event.slug, ids, value)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                response = client.open(url, method=method, data={})
                assert response.status_code < 500, (method, url, response.status_code)
                if value != MAX_ID:
                    assert response.status_code in (403, 404, 405), (method, url)
        auth.logout()


def test_query_numbers_answer_without_a_500(client, db, busy_event, auth):
    organiser, event, mine, _ = busy_event
    for user, paths in (
        (organiser, ["/schedule?participant={}", "/schedule?organisation={}", "/schedule?x={}"]),
        (mine.user, ["/meetings?page={}", "/directory?page={}", "/meetings?show=all&page={}"]),
    ):
        auth.login(user)
        for path in paths:
            for value in ODD_NUMBERS + [str(2**63), str(10**30)]:
                url = f"/events/{event.slug}" + path.format(value)
                response = client.get(url)
                assert response.status_code < 500, (url, response.status_code)
        auth.logout()


ODD_TEXT = ["\x00", "a\x00b", "%", "_\\", "'; --", "x" * 5000, "9999-12-31", "²"]


def test_odd_query_text_answers_without_a_500(client, db, busy_event, auth):
    organiser, event, mine, _ = busy_event
    for user, paths in (
        (
            organiser,
            [
                "/schedule?day={}",
                "/schedule?view={}",
                "/organiser/participants?status={}",
                "/organiser/participants?import_job={}",
                "/organisations?org_query={}",
            ],
        ),
        (
            mine.user,
            [
                "/directory?q={}",
                "/directory?sector={}&country={}",
                "/organisations?org_query={}",
                "/meetings?show={}",
                "/agenda?day={}",
            ],
        ),
    ):
        auth.login(user)
        for path in paths:
            for value in ODD_TEXT:
                url = f"/events/{event.slug}" + path.replace("{}", quote(value, safe=""))
                response = client.get(url)
                assert response.status_code < 500, (url[:80], response.status_code)
        auth.logout()


def test_odd_form_text_answers_without_a_500(client, db, busy_event, auth):
    organiser, event, mine, other = busy_event
    slug = event.slug
    auth.login(mine.user)
    for value in ODD_TEXT:
        for url, data in (
            (f"/events/{slug}/participants/{other.id}/request", {"message": value}),
            (f"/events/{slug}/profile", {"name": value, "role_title": value, "bio": value}),
            (
                f"/events/{slug}/opportunities",
                {"kind": "offer", "title": value, "description": value},
            ),
        ):
            response = client.post(url, data=data)
            assert response.status_code < 500, (url, value[:20], response.status_code)
    auth.logout()


def test_form_numbers_answer_without_a_500(client, db, busy_event, auth):
    organiser, event, mine, other = busy_event
    slug = event.slug
    auth.login(mine.user)
    for value in ODD_NUMBERS + [str(2**63)]:
        for url, data in (
            (f"/events/{slug}/stand", {"fixed_table_id": value}),
            (f"/events/{slug}/profile", {"name": "Anna", "organisation_id": value}),
            (f"/events/{slug}/participants/{other.id}/request", {"message": "Hi", "slot": value}),
        ):
            response = client.post(url, data=data)
            assert response.status_code < 500, (url, value, response.status_code)
    auth.logout()
    auth.login(organiser)
    for value in ODD_NUMBERS + [str(2**63)]:
        for url, data in (
            (f"/events/{slug}/organiser/participants/{mine.id}/limit", {"limit": value}),
            (f"/events/{slug}/schedule/meetings/new", {"first": value, "second": value}),
            (f"/events/{slug}/tables", {"count": value}),
            (f"/events/{slug}/edit", {"max_meetings_per_participant": value}),
            (
                f"/events/{slug}/sessions",
                {
                    "day": "2027-03-10",
                    "start_time": "09:00",
                    "end_time": "10:00",
                    "slot_minutes": value,
                    "pause_minutes": value,
                },
            ),
            (f"/events/{slug}/schedule/runs", {"time_limit": value, "seed": value}),
        ):
            response = client.post(url, data=data)
            assert response.status_code < 500, (url, value, response.status_code)


@pytest.mark.parametrize("day", FAR_DATES)
def test_far_away_dates_are_refused_and_every_page_stays_up(client, db, busy_event, auth, day):
    organiser, event, mine, _ = busy_event
    slug = event.slug
    auth.login(organiser)
    session = client.post(
        f"/events/{slug}/sessions",
        data={"day": day, "start_time": "23:00", "end_time": "23:40", "slot_minutes": "20"},
    )
    programme = client.post(
        f"/events/{slug}/programme",
        data={"title": "Dinner", "day": day, "start_time": "23:00", "end_time": "23:30"},
    )
    edit = client.post(
        f"/events/{slug}/edit",
        data={
            "name": event.name,
            "slug": slug,
            "timezone": "Pacific/Kiritimati",
            "booking_deadline": f"{day}T23:00",
            "registration_closes_at": f"{day}T23:30",
        },
    )
    for response in (session, programme, edit):
        assert response.status_code == 422, response.status_code
    for path in ("", "/manage", "/slots", "/schedule", "/edit"):
        assert client.get(f"/events/{slug}{path}").status_code == 200, path
    auth.logout()
    assert client.get(f"/events/{slug}").status_code == 200


def test_a_date_inside_the_range_is_still_taken(client, db, busy_event, auth):
    organiser, event, _, _ = busy_event
    auth.login(organiser)
    response = client.post(
        f"/events/{event.slug}/sessions",
        data={
            "day": "2099-12-31",
            "start_time": "09:00",
            "end_time": "10:00",
            "slot_minutes": "20",
        },
    )
    assert response.status_code in (200, 302, 303)
    db.expire_all()
    assert date(2099, 12, 31) in {s.day for s in event.sessions}


# --- line breaks in single-line fields (finding 10) ---------------------------------------


def test_a_name_typed_with_line_breaks_is_stored_on_one_line(client, db):
    from matchmaker.accounts.models import user_by_email

    response = client.post(
        "/register",
        data={
            "name": "Anna\r\nVirtanen\n",
            "email": "anna@hydrocyl.example",
            "password": "long-pass-77",
        },
    )
    assert response.status_code in (200, 302)
    assert user_by_email("anna@hydrocyl.example").name == "Anna Virtanen"


def test_the_partner_of_someone_with_a_line_break_in_their_name_still_gets_mail(
    client, db, make_event, make_participant, auth, inbox
):
    event = make_event()
    asker, asked = make_participant(event), make_participant(event)
    asker.name = "Sanna\nHämäläinen"
    asker.organisation.name = "Teräsrakenne\r\nPohjola Oy"
    db.flush()
    assert (asker.name, asker.organisation.name) == ("Sanna Hämäläinen", "Teräsrakenne Pohjola Oy")
    auth.login(asker.user)
    response = client.post(
        f"/events/{event.slug}/participants/{asked.id}/request", data={"message": "Steel?"}
    )
    assert response.status_code in (200, 302, 303)
    (mail,) = inbox.to(asked.user.email)
    text = mail.get_body(("plain",)).get_content()  # the text part of text and HTML
    assert "\n" not in mail["Subject"] and "Teräsrakenne Pohjola Oy" in text


def test_a_mail_subject_is_always_one_line(app, db, inbox):
    from matchmaker.notifications.mail import deliver

    with app.app_context():
        assert deliver("anna@hydrocyl.example", "Matchmaker: Sanna\r\nBcc: all@x.example", "Hi")
    (mail,) = inbox.to("anna@hydrocyl.example")
    assert mail["Subject"] == "Matchmaker: Sanna Bcc: all@x.example"
    assert mail["Bcc"] is None


def test_nul_characters_are_refused_at_the_door_and_never_reach_the_database(
    client, db, make_event
):
    event = make_event()
    response = client.get(f"/events/{event.slug}?q=a%00b")
    assert response.status_code == 400
    event.name, event.description = "Bell\x00 mission", "Line one\nLine\x00 two"
    db.flush()  # PostgreSQL refuses NUL in text: it must be gone before it gets there
    db.expire_all()
    assert (event.name, event.description) == ("Bell mission", "Line one\nLine two")
