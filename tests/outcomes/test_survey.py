"""The survey of an event day: one page per participant, both sides answer on their own,
answers can change, refusals keep what was typed, private notes stay private."""

from __future__ import annotations

from datetime import date

from matchmaker.outcomes.models import SurveyAnswer, SurveyResponse


def _answer(client, event, day, data, **extra):
    return client.post(f"/events/{event.slug}/survey?day={day.isoformat()}", data=data, **extra)


def test_survey_lists_the_days_meetings_and_saves_each_sides_answers(db, client, auth, past_event):
    past = past_event()
    anna, thandi = past.people[0], past.people[1]
    m1, m3 = past.meetings[0], past.meetings[2]
    auth.login(anna.user)
    page = client.get(f"/events/{past.event.slug}/survey")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Thandi Nkosi (Bell Equipment)" in html and "Kadri Tamm (Tartu Robotics)" in html
    assert "Jukka Laine" not in html  # not Anna's meeting

    response = _answer(
        client,
        past.event,
        past.day,
        {
            f"held-{m1.id}": "yes",
            f"promising-{m1.id}": "5",
            f"result-{m1.id}": "quotation",
            f"follow-{m1.id}": "2027-01-15",
            f"note-{m1.id}": "Send the hose catalogue",
            f"held-{m3.id}": "no",
            "satisfaction": "4",
            "comment": "Well run",
        },
    )
    assert response.status_code == 303
    auth.logout()
    auth.login(thandi.user)
    _answer(client, past.event, past.day, {f"held-{m1.id}": "yes", f"promising-{m1.id}": "2"})

    answers = {
        (a.meeting_id, a.participant_id): a for a in db.scalars(db.query(SurveyAnswer).statement)
    }
    mine = answers[(m1.id, anna.id)]
    assert (mine.held, mine.promising, mine.expected_result) == (True, 5, "quotation")
    assert mine.follow_up_on == date(2027, 1, 15) and mine.note == "Send the hose catalogue"
    assert answers[(m3.id, anna.id)].held is False
    assert answers[(m1.id, thandi.id)].promising == 2  # her own answer, beside Anna's
    assert db.get(SurveyResponse, (anna.id, past.day)).satisfaction == 4
    # Thandi's page shows her answers, never Anna's private note.
    html = client.get(f"/events/{past.event.slug}/survey").get_data(as_text=True)
    assert "Send the hose catalogue" not in html
    assert 'value="2" checked' in html


def test_an_answer_can_be_changed_and_a_refusal_keeps_what_was_typed(db, client, auth, past_event):
    past = past_event()
    anna, m1 = past.people[0], past.meetings[0]
    auth.login(anna.user)
    _answer(client, past.event, past.day, {f"held-{m1.id}": "yes", f"promising-{m1.id}": "3"})
    refused = _answer(
        client,
        past.event,
        past.day,
        {
            f"held-{m1.id}": "yes",
            f"promising-{m1.id}": "9",
            f"note-{m1.id}": "kept text",
        },
    )
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "Rate how promising it was from 1 to 5." in html and "kept text" in html
    assert db.get(SurveyAnswer, (m1.id, anna.id)).promising == 3  # nothing saved
    _answer(client, past.event, past.day, {f"held-{m1.id}": "yes", f"promising-{m1.id}": "4"})
    db.expire_all()
    assert db.get(SurveyAnswer, (m1.id, anna.id)).promising == 4


def test_only_the_events_participants_see_a_survey(db, client, auth, past_event, make_user):
    past = past_event()
    auth.login(make_user())
    assert client.get(f"/events/{past.event.slug}/survey").status_code == 404
    auth.logout()
    auth.login(past.people[3].user)
    # A day on which the person had no meeting, or that is not a day of the event: 404.
    assert client.get(f"/events/{past.event.slug}/survey?day=2020-01-01").status_code == 404


def test_the_survey_of_a_day_to_come_is_closed(db, client, auth, past_event):
    past = past_event(days_ago=-3)  # in three days
    auth.login(past.people[0].user)
    html = client.get(f"/events/{past.event.slug}/survey").get_data(as_text=True)
    assert "no meetings to tell us about yet" in html
    response = _answer(client, past.event, past.day, {f"held-{past.meetings[0].id}": "yes"})
    assert response.status_code == 404
    assert db.get(SurveyAnswer, (past.meetings[0].id, past.people[0].id)) is None
