"""Organisers register participants themselves: one by one, or from a CSV file."""

from __future__ import annotations

from io import BytesIO

from matchmaker.notifications.models import Notification
from matchmaker.participants.models import Organisation, Participant


def _import(client, event, text: str, encoding: str = "utf-8"):
    return client.post(
        f"/events/{event.slug}/organiser/participants/import",
        data={"csv_file": (BytesIO(text.encode(encoding)), "people.csv")},
        content_type="multipart/form-data",
    )


def test_organiser_adds_one_participant_who_is_invited_not_enrolled(
    client, db, make_event, make_user, auth
):
    event = make_event(requires_approval=True)
    anna = make_user("participant", email="anna@hydrocyl.example")
    auth.login(event.organisers[0])
    url = f"/events/{event.slug}/organiser/participants/add"
    bad = client.post(url, data={"org_name": "HydroCyl Oy", "country": "Atlantis", "name": "A"})
    assert bad.status_code == 422 and 'id="country-error"' in bad.get_data(as_text=True)
    response = client.post(
        url,
        data={
            "org_name": "HydroCyl Oy",
            "country": "fi",
            "kind": "sme",
            "name": "Anna Virtanen",
            "email": "Anna@HydroCyl.example",
            "role_title": "Sales director",
        },
    )
    assert response.status_code == 303
    person = db.query(Participant).filter_by(event_id=event.id).one()
    assert person.status == "approved"  # approval not needed
    assert person.organisation.country == "FI" and person.email == "anna@hydrocyl.example"
    # Invited, not enrolled: Anna's account is neither linked nor told (she accepts by link).
    assert person.user_id is None and person.invitations_sent == 1
    assert db.query(Notification).filter_by(user_id=anna.id).count() == 0
    again = client.post(
        url, data={"org_name": "X", "country": "FI", "name": "B", "email": "anna@hydrocyl.example"}
    )
    assert again.status_code == 409 and "registered for this event already" in again.get_data(
        as_text=True
    )


def test_csv_import_is_all_or_nothing_with_line_numbers(client, db, make_event, auth):
    event = make_event()
    auth.login(event.organisers[0])
    bad = _import(
        client,
        event,
        "Company;Country;Name;E-mail\n"
        "Hüdrosilinder OÜ;EE;Marten Kask;marten@hudro.example\n"
        ";FI;Nobody;\n"
        "Kabiini Oy;Atlantis;Laura Mäkinen;laura@kabiini.example\n"
        "Hüdrosilinder OÜ;EE;Liis Saar;marten@hudro.example\n",
    )
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and 'id="import-errors"' in html
    assert "Line 3:" in html and "Line 4:" in html and "Line 5:" in html
    assert "Line 2:" not in html
    assert db.query(Participant).filter_by(event_id=event.id).count() == 0

    good = _import(
        client,
        event,
        "organisation,country,name,email,role,type\n"
        "Hüdrosilinder OÜ,EE,Marten Kask,marten@hudro.example,CEO,sme\n"
        "Hüdrosilinder OÜ,EE,Liis Saar,,Sales engineer,sme\n"
        "\n"
        "Tartu Science Park,EE,Rene Tõnisson,,,cluster\n",
    )
    assert good.status_code == 303
    people = db.query(Participant).filter_by(event_id=event.id).all()
    assert sorted(p.name for p in people) == ["Liis Saar", "Marten Kask", "Rene Tõnisson"]
    assert all(p.status == "approved" and p.user_id is None for p in people)
    # Two representatives of one company share one organisation.
    assert db.query(Organisation).filter_by(name="Hüdrosilinder OÜ").count() == 1
    assert next(p for p in people if p.name == "Rene Tõnisson").organisation.kind == "cluster"


def test_csv_import_reads_old_spreadsheet_encodings_and_names_missing_columns(
    client, db, make_event, auth
):
    event = make_event()
    auth.login(event.organisers[0])
    latin = _import(
        client, event, "Company;Country;Name\nVanne Wheels Oy;FI;Timo Hämäläinen\n", "cp1252"
    )
    assert latin.status_code == 303
    assert db.query(Participant).filter_by(name="Timo Hämäläinen").count() == 1
    missing = _import(client, event, "Company;Name\nX;Y\n")
    assert missing.status_code == 422 and "missing: country" in missing.get_data(as_text=True)
    empty = client.post(f"/events/{event.slug}/organiser/participants/import", data={})
    assert empty.status_code == 422 and "Choose a CSV file" in empty.get_data(as_text=True)


def test_only_the_events_organisers_may_add(
    client, db, make_event, make_participant, make_user, auth
):
    event = make_event()
    auth.login(make_user("organiser"))
    url = f"/events/{event.slug}/organiser/participants"
    assert (
        client.post(url + "/add", data={"org_name": "X", "country": "FI", "name": "Y"}).status_code
        == 404
    )
    assert _import(client, event, "organisation,country,name\nX,FI,Y\n").status_code == 404
    auth.logout()
    auth.login(make_participant(event).user)
    assert (
        client.post(url + "/add", data={"org_name": "X", "country": "FI", "name": "Y"}).status_code
        == 403
    )
    assert db.query(Participant).filter_by(event_id=event.id).count() == 1
