"""The organiser's mail pages: audience counts, the preview with one recipient's data,
refusals with a clear message, the outbox (own event only), and who may see them."""

from __future__ import annotations

from sqlalchemy import select

from matchmaker.mailings.models import Mailing
from matchmaker.participants.models import Organisation
from tests.conftest import htmx_headers


def test_the_preview_fills_in_one_recipient_and_escapes_what_was_typed(
    client, db, auth, make_event, make_participant
):
    event = make_event()
    make_participant(event, name="Zed <b>Bold</b>")
    anna = make_participant(event, name="Anna Virtanen")
    auth.login(event.organisers[0])
    page = client.post(
        f"/events/{event.slug}/mailings",
        data={
            "preview": "1",
            "audience": "everyone",
            "subject": "For {name}",
            "body": "Hi {name} <script>alert(1)</script>\n\nYour calendar: {calendar_link}",
        },
        headers=htmx_headers(),
    )
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<html" not in html  # the component alone
    assert "Preview for Anna Virtanen" in html and "For Anna Virtanen" in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert "/feeds/" in html  # her own calendar link
    assert "2 recipients" in html and "Send to 2" in html
    assert db.scalar(select(Mailing)) is None  # a preview sends nothing
    assert anna.id


def test_refusals_name_the_field_and_the_limit(client, db, auth, make_event, make_participant):
    event = make_event()
    make_participant(event)
    auth.login(event.organisers[0])
    url = f"/events/{event.slug}/mailings"
    unknown = client.post(url, data={"audience": "everyone", "subject": "Hi {nme}", "body": "x"})
    assert unknown.status_code == 422 and "Unknown placeholder {nme}" in unknown.get_data(
        as_text=True
    )
    long = client.post(url, data={"audience": "everyone", "subject": "Hi", "body": "x" * 20_001})
    assert long.status_code == 422 and "at most 20,000" in long.get_data(as_text=True)
    nobody = client.post(
        url, data={"audience": "country", "country": "ZZ", "subject": "a", "body": "b"}
    )
    assert nobody.status_code == 422 and "Nobody is in this audience" in nobody.get_data(
        as_text=True
    )
    assert db.scalar(select(Mailing)) is None


def test_audiences_count_whom_they_say(client, db, auth, make_event, make_participant):
    event = make_event()
    make_participant(event, organisation=Organisation(name="Bell", country="ZA", kind="large"))
    make_participant(event, organisation=Organisation(name="Kivi", country="EE"))
    make_participant(event, organisation=Organisation(name="Hydro", country="FI"))
    auth.login(event.organisers[0])

    def count(**args):
        answer = client.get(f"/events/{event.slug}/mailings/count", query_string=args)
        return answer.get_data(as_text=True)

    assert "3 recipients" in count(audience="everyone")
    assert "1 recipient<" in count(audience="country", country="za")
    assert "1 recipient<" in count(audience="kind", kind="large")
    assert "3 recipients" in count(audience="without_meetings")
    assert "0 recipients" in count(audience="unanswered")


def test_mail_pages_belong_to_the_events_organisers(
    client, db, auth, make_event, make_participant, make_user
):
    event, other = make_event(), make_event()
    p = make_participant(event)
    make_participant(other)
    auth.login(event.organisers[0])
    client.post(
        f"/events/{event.slug}/mailings",
        data={"audience": "everyone", "subject": "Ours", "body": "x"},
    )
    mine = client.get(f"/events/{event.slug}/outbox").get_data(as_text=True)
    assert p.email in mine and "written to the log" in mine  # no MAIL_SERVER here
    assert client.get(f"/events/{other.slug}/outbox").status_code == 404
    assert client.get(f"/events/{other.slug}/mailings").status_code == 404
    assert client.get("/admin/outbox").status_code == 403
    auth.logout()
    auth.login(p.user)
    assert client.get(f"/events/{event.slug}/outbox").status_code in (403, 404)
    auth.logout()
    auth.login(make_user("admin"))
    assert p.email in client.get("/admin/outbox").get_data(as_text=True)


def test_the_preferences_page_keeps_the_choice(client, db, auth, make_user):
    from matchmaker.mailings.preferences import wants

    user = make_user()
    auth.login(user)
    page = client.post("/account/mail", data={"announcements": "y"})
    assert page.status_code == 200 and "Saved." in page.get_data(as_text=True)
    assert wants(user.email, "announcements") and not wants(user.email, "reminders")
    assert wants(user.email, "required")
    assert client.get("/mail/preferences/forged").status_code == 422


def test_the_account_page_leads_to_the_mail_choices(client, db, auth, make_user):
    auth.login(make_user())
    page = client.get("/account").get_data(as_text=True)
    assert 'href="/account/mail"' in page and "/admin/outbox" not in page


def test_refused_reminder_settings_keep_what_was_typed_and_say_why(client, db, auth, make_event):
    from matchmaker.mailings.models import ReminderSettings

    event = make_event()
    auth.login(event.organisers[0])
    refused = client.post(
        f"/events/{event.slug}/mailings/reminders",
        data={"pending_requests": "y", "pending_days": "90"},  # deadlines, day before: off
    )
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert 'value="90"' in html and "between 1 and 60" in html
    assert '<input id="deadlines" name="deadlines" type="checkbox" value="y">' in html  # off
    assert db.get(ReminderSettings, event.id) is None  # nothing saved


def test_the_outbox_page_ignores_a_mail_number_no_row_can_have(client, db, auth, make_event):
    event = make_event()
    auth.login(event.organisers[0])
    for mail in ("99999999999999999999", "²", "-1"):
        assert client.get(f"/events/{event.slug}/outbox?mail={mail}").status_code == 200


def test_the_events_outbox_shows_no_link_that_acts_as_its_recipient(
    client, db, auth, make_event, make_user
):
    """An organiser reading the invitation mail in the outbox must not get its link: opened,
    it would make an account for the invited address (proven) and hand it the places made
    for that address at other organisers' events too."""
    from matchmaker.mailings.models import OutboxMail
    from matchmaker.participants.models import Organisation, Participant

    event = make_event()
    place = Participant(
        event=event,
        organisation=Organisation(name="Kivi OÜ", country="EE"),
        status="approved",
        name="Mart Kivi",
        email="mart@kivi.example",
    )
    db.add(place)
    db.flush()
    auth.login(event.organisers[0])
    client.post(f"/events/{event.slug}/organiser/participants/{place.id}/invite")
    client.post(f"/events/{event.slug}/team", data={"email": "liis@desk.example", "role": "desk"})
    mails = db.scalars(select(OutboxMail).where(OutboxMail.event_id == event.id)).all()
    assert {m.to_address for m in mails} == {"mart@kivi.example", "liis@desk.example"}
    for mail in mails:
        html = client.get(f"/events/{event.slug}/outbox?mail={mail.id}").get_data(as_text=True)
        assert "Kivi" in html or "team" in html
        assert "/invitations/" not in html and "/team/join/" not in html
        assert "personal link, not shown" in html
    auth.logout()
    auth.login(make_user("admin"))
    html = client.get(f"/admin/outbox?mail={mails[0].id}").get_data(as_text=True)
    assert "/invitations/" in html or "/team/join/" in html  # the site admin sees all


def test_a_message_as_long_as_the_field_allows_is_sent_whatever_its_line_breaks(
    client, db, auth, make_event, make_participant
):
    """The field's maxlength counts a line break once; the browser sends it as CR LF."""
    event = make_event()
    make_participant(event)
    auth.login(event.organisers[0])
    body = "\r\n".join(["x" * 999] * 20) + "x"  # 20,000 characters in the field
    sent = client.post(
        f"/events/{event.slug}/mailings",
        data={"audience": "everyone", "subject": "Long", "body": body},
    )
    assert sent.status_code == 303
    assert len(db.scalar(select(Mailing)).body) == 20_000


def test_the_history_names_each_mailings_audience_in_words(
    client, db, auth, make_event, make_participant
):
    event = make_event()
    make_participant(event)
    auth.login(event.organisers[0])
    url = f"/events/{event.slug}/mailings"
    client.post(url, data={"audience": "without_meetings", "subject": "Hi", "body": "x"})
    history = client.get(url).get_data(as_text=True).split('id="mailing-history"')[1]
    assert "<td>Without meetings</td>" in history and "without_meetings" not in history
