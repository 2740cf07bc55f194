"""A participant's contacts: partners met, their own notes and follow-up dates, as a page,
CSV and vCards; the second stage records agreements."""

from __future__ import annotations

from datetime import date, timedelta

import vobject

from matchmaker.outcomes.models import OutcomeSettings, SurveyAnswer


def _answer_anna(client, auth, past):
    anna, m1 = past.people[0], past.meetings[0]
    auth.login(anna.user)
    client.post(
        f"/events/{past.event.slug}/survey?day={past.day.isoformat()}",
        data={
            f"held-{m1.id}": "yes",
            f"promising-{m1.id}": "5",
            f"result-{m1.id}": "order",
            f"follow-{m1.id}": "2027-02-01",
            f"note-{m1.id}": "Wants 40 cylinders",
        },
    )


def test_contacts_page_csv_and_vcards(db, client, auth, past_event):
    past = past_event()
    past.people[1].role_title = "Procurement"
    past.people[1].organisation.website = "https://bellequipment.test"
    db.flush()
    _answer_anna(client, auth, past)
    html = client.get(f"/events/{past.event.slug}/follow-ups").get_data(as_text=True)
    assert "Thandi Nkosi" in html and "Wants 40 cylinders" in html and "Kadri Tamm" in html
    csv = client.get(f"/events/{past.event.slug}/follow-ups.csv").get_data(as_text=True)
    lines = csv.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("Name,Role,Organisation")
    assert lines[1].startswith("Thandi Nkosi,Procurement,Bell Equipment,South Africa")
    assert "2027-02-01,Wants 40 cylinders" in lines[1]  # the follow-up date comes first
    response = client.get(f"/events/{past.event.slug}/follow-ups.vcf")
    assert response.content_type.startswith("text/vcard")
    cards = list(vobject.readComponents(response.get_data(as_text=True)))
    assert [c.fn.value for c in cards] == ["Thandi Nkosi", "Kadri Tamm"]
    thandi = cards[0]
    assert thandi.org.value == ["Bell Equipment"] and thandi.email.value == past.people[1].email
    assert "Follow up on 2027-02-01" in thandi.note.value and "Wants 40" in thandi.note.value


def test_someone_elses_contacts_are_not_shown(db, client, auth, past_event, make_user):
    past = past_event()
    auth.login(make_user())
    for path in ("follow-ups", "follow-ups.csv", "follow-ups.vcf"):
        assert client.get(f"/events/{past.event.slug}/{path}").status_code == 404


def test_second_stage_opens_when_the_organiser_said_and_records_agreements(
    db, client, auth, past_event
):
    from matchmaker.dbtypes import utcnow

    past = past_event()
    anna, m1 = past.people[0], past.meetings[0]
    _answer_anna(client, auth, past)
    url = f"/events/{past.event.slug}/survey/agreements"
    assert client.get(url).status_code == 404  # not open
    settings = OutcomeSettings(
        event_id=past.event.id,
        survey_time=past.slots[0].starts_at.time(),
        reminder_hours=48,
        second_stage_at=utcnow() + timedelta(days=1),
    )
    db.add(settings)
    db.flush()
    assert client.get(url).status_code == 404
    settings.second_stage_at = utcnow() - timedelta(hours=1)
    db.flush()
    assert "Bell Equipment" in client.get(url).get_data(as_text=True)
    response = client.post(
        url,
        data={
            f"agreement-{m1.id}": "distribution",
            f"value-{m1.id}": "50k-250k",
            f"agreement-note-{m1.id}": "Agency for Finland",
        },
    )
    assert response.status_code == 303
    answer = db.get(SurveyAnswer, (m1.id, anna.id))
    db.refresh(answer)
    assert (answer.agreement, answer.agreement_value) == ("distribution", "50k-250k")
    assert answer.promising == 5 and answer.follow_up_on == date(2027, 2, 1)  # kept
    refused = client.post(url, data={f"agreement-{m1.id}": "bribe"})
    assert refused.status_code == 422


def test_a_refused_agreement_keeps_what_was_typed(db, client, auth, past_event):
    from matchmaker.dbtypes import utcnow

    past = past_event()
    m1 = past.meetings[0]
    _answer_anna(client, auth, past)
    db.add(
        OutcomeSettings(
            event_id=past.event.id,
            survey_time=past.slots[0].starts_at.time(),
            reminder_hours=48,
            second_stage_at=utcnow() - timedelta(hours=1),
        )
    )
    db.flush()
    url = f"/events/{past.event.slug}/survey/agreements"
    refused = client.post(
        url,
        data={
            f"agreement-{m1.id}": "distribution",
            f"value-{m1.id}": "a-billion",
            f"agreement-note-{m1.id}": "Agency for Finland and the Baltics",
        },
    )
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "Choose the value from the list" in html
    assert "Agency for Finland and the Baltics</textarea>" in html
    assert '<option value="distribution" selected>' in html


def test_a_note_as_long_as_the_field_allows_is_taken_whatever_its_line_breaks(
    db, client, auth, past_event
):
    """The browser counts a line break as one character against maxlength="2000" but
    sends it as two (CR LF): a note the field accepted must not be refused."""
    past = past_event()
    anna, m1 = past.people[0], past.meetings[0]
    auth.login(anna.user)
    note = "\r\n".join(["x" * 399] * 5) + "x"  # 2,000 characters in the field
    response = client.post(
        f"/events/{past.event.slug}/survey?day={past.day.isoformat()}",
        data={f"held-{m1.id}": "yes", f"note-{m1.id}": note},
    )
    assert response.status_code == 303
    saved = db.get(SurveyAnswer, (m1.id, anna.id))
    assert saved.note == note.replace("\r\n", "\n") and len(saved.note) == 2000


def test_the_contacts_page_reads_the_partners_in_one_query_however_many(
    db, client, auth, past_event
):
    """Anna met two partners, Thandi one: their pages take as many statements (each
    partner and organisation used to be loaded on its own)."""
    from sqlalchemy import event as sa_event
    from sqlalchemy.engine import Engine

    past = past_event()

    def statements_for(person) -> int:
        auth.login(person.user)
        seen: list[str] = []

        def record(_conn, _cursor, statement, *_args):
            if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
                seen.append(statement)

        sa_event.listen(Engine, "before_cursor_execute", record)
        try:
            page = client.get(f"/events/{past.event.slug}/follow-ups")
        finally:
            sa_event.remove(Engine, "before_cursor_execute", record)
        auth.logout()
        assert page.status_code == 200
        return len(seen)

    anna, thandi = past.people[0], past.people[1]
    assert statements_for(anna) == statements_for(thandi)
