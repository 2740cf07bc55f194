"""The organiser's report: figures from the schedule, the desk and the surveys; the
XLSX has the same figures; anonymised, people are left out and organisations stay."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from openpyxl import load_workbook

from matchmaker.desk.models import MeetingReport
from matchmaker.meetings.models import MeetingRequest
from matchmaker.outcomes.models import SurveyAnswer, SurveyResponse
from matchmaker.reports import figures


def _answer(db, past, meeting, person, held=True, **values):
    db.add(
        SurveyAnswer(
            meeting_id=meeting.id,
            participant_id=person.id,
            event_id=past.event.id,
            held=held,
            note="PRIVATE NOTE",
            agreement_note="",
            **values,
        )
    )


def _answered_event(db, past_event):
    past = past_event()
    anna, thandi, kadri, jukka = past.people
    m1, m2, m3 = past.meetings
    _answer(
        db,
        past,
        m1,
        anna,
        promising=5,
        expected_result="order",
        agreement="order",
        agreement_value="50k-250k",
    )
    _answer(db, past, m1, thandi, promising=4, expected_result="quotation", agreement="order")
    _answer(db, past, m2, kadri, held=False)
    db.add(
        SurveyResponse(
            participant_id=anna.id,
            day=past.day,
            event_id=past.event.id,
            satisfaction=5,
            comment="Excellent matches",
        )
    )
    db.add(
        SurveyResponse(
            participant_id=kadri.id,
            day=past.day,
            event_id=past.event.id,
            satisfaction=3,
            comment="",
        )
    )
    # The desk says Anna and Kadri met (the survey has nothing on it).
    db.add(
        MeetingReport(
            meeting_id=m3.id, reporter_id=kadri.id, outcome="held", marked_at=datetime.now(UTC)
        )
    )
    db.add(
        MeetingRequest(
            event_id=past.event.id,
            requester_id=anna.id,
            recipient_id=jukka.id,
            pair_low=min(anna.id, jukka.id),
            pair_high=max(anna.id, jukka.id),
            status="declined",
        )
    )
    db.flush()
    return past


def test_figures_count_participants_meetings_and_outcomes(db, past_event):
    past = _answered_event(db, past_event)
    r = figures.build(past.event)
    assert (r.participants, r.organisations) == (4, 4)
    assert r.countries["Finland"] == 2 and r.kinds["Start-up"] == 1 and r.sectors["mining"] == 4
    assert r.requests["declined"] == 1
    # m1 held (survey), m2 not held (the one side that answered), m3 held (the desk).
    assert r.meetings == {"scheduled": 3, "held": 2, "no_show": 1}
    assert r.per_participant == {2: 2, 1: 2}  # Anna and Kadri had two meetings
    assert r.utilisation[0][1] == 2 and r.utilisation[-1][1] == 1
    assert (r.surveyed, r.responded) == (4, 3)  # Anna, Thandi, Kadri answered
    assert (r.sides, r.sides_answered) == (6, 3)
    assert r.promising == {5: 1, 4: 1} and r.promising_mean == 4.5
    # Both sides of m1 report the order: one contact that led to an agreement.
    assert r.agreements_signed == 1 and r.agreements["order"] == 2
    assert r.values["€50,000 – 250,000"] == 1
    assert r.satisfaction_mean == 4.0 and r.comments == ["Excellent matches"]
    assert r.revisions == 1


def test_report_page_is_the_organisers_alone(db, client, auth, past_event):
    past = _answered_event(db, past_event)
    auth.login(past.people[0].user)
    assert client.get(f"/events/{past.event.slug}/report").status_code == 403
    auth.logout()
    auth.login(past.organiser)
    html = client.get(f"/events/{past.event.slug}/report").get_data(as_text=True)
    assert "<svg" in html and 'id="response-rate">75%' in html
    assert "Meetings held</dt><dd>2</dd>" in html
    assert "PRIVATE NOTE" not in html


def test_meetings_page_shows_both_sides_and_anonymises(db, client, auth, past_event):
    past = _answered_event(db, past_event)
    auth.login(past.organiser)
    html = client.get(f"/events/{past.event.slug}/report/meetings").get_data(as_text=True)
    assert "Anna Virtanen" in html and "Thandi Nkosi" in html and "quotation".title() in html
    assert "PRIVATE NOTE" not in html
    html = client.get(f"/events/{past.event.slug}/report/meetings?anonymise=1").get_data(
        as_text=True
    )
    assert "Anna Virtanen" not in html and "Hydroline Oy" in html


def _sheets(body: bytes) -> dict:
    book = load_workbook(io.BytesIO(body), read_only=True)
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in book}


def test_xlsx_has_the_pages_figures_and_the_raw_meetings(db, client, auth, past_event):
    past = _answered_event(db, past_event)
    auth.login(past.organiser)
    response = client.get(f"/events/{past.event.slug}/report.xlsx")
    assert response.status_code == 200
    sheets = _sheets(response.data)
    summary = dict(sheets["Summary"][1:])
    assert summary["Meetings held"] == 2 and summary["Response rate"] == "75%"
    assert dict(sheets["Meetings per participant"][1:]) == {0: 0, 1: 2, 2: 2}
    raw = sheets["Meetings and outcomes"]
    assert len(raw) == 4 and "A: Person" in raw[0]
    assert isinstance(raw[1][1], datetime)  # the day is a date cell, not a number
    flat = [v for row in raw for v in row]
    assert "Anna Virtanen" in flat and "PRIVATE NOTE" not in flat
    anonymised = _sheets(client.get(f"/events/{past.event.slug}/report.xlsx?anonymise=1").data)
    flat = [v for row in anonymised["Meetings and outcomes"] for v in row]
    assert "Anna Virtanen" not in flat and "Hydroline Oy" in flat


def test_a_name_that_looks_like_a_formula_stays_text(db, client, auth, past_event):
    past = past_event()
    past.people[1].organisation.name = '=HYPERLINK("http://evil")'
    db.flush()
    auth.login(past.organiser)
    book = load_workbook(io.BytesIO(client.get(f"/events/{past.event.slug}/report.xlsx").data))
    sheet = book["Meetings and outcomes"]
    cells = [
        c for row in sheet.iter_rows() for c in row if c.value and str(c.value).startswith("=")
    ]
    assert cells and all(c.data_type == "s" for c in cells)


def test_report_command_writes_the_same_workbook(app, db, past_event, tmp_path):
    past = _answered_event(db, past_event)
    out = tmp_path / "report.xlsx"
    result = app.test_cli_runner().invoke(args=["report", past.event.slug, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert dict(_sheets(out.read_bytes())["Summary"][1:])["Meetings held"] == 2
    result = app.test_cli_runner().invoke(args=["report", "nope", "--out", str(out)])
    assert result.exit_code != 0 and "No event" in result.output


def test_organiser_turns_surveys_on_with_a_time_and_a_second_stage(db, client, auth, past_event):
    from matchmaker.outcomes.models import OutcomeSettings

    past = past_event()
    auth.login(past.organiser)
    page = client.get(f"/events/{past.event.slug}/report").get_data(as_text=True)
    assert "Surveys are off" in page
    url = f"/events/{past.event.slug}/report/settings"
    refused = client.post(url, data={"survey_time": "18:00", "reminder_hours": "0"})
    assert refused.status_code == 422 and db.get(OutcomeSettings, past.event.id) is None
    response = client.post(
        url,
        data={"survey_time": "18:00", "reminder_hours": "24", "second_stage_on": "2027-06-01"},
    )
    assert response.status_code == 303
    settings = db.get(OutcomeSettings, past.event.id)
    assert settings.survey_time.strftime("%H:%M") == "18:00" and settings.reminder_hours == 24
    # 09:00 in Johannesburg (UTC+2) on the day chosen.
    assert settings.second_stage_at.isoformat() == "2027-06-01T07:00:00+00:00"
    auth.logout()
    auth.login(past.people[0].user)
    assert client.post(url, data={"survey_time": "07:00", "reminder_hours": "1"}).status_code == 403


def test_the_desks_no_show_mark_wins_over_a_survey_answer(db, past_event):
    from matchmaker.reports import raw

    past = _answered_event(db, past_event)
    m1 = past.meetings[0]
    # Thandi reported at the desk that Anna did not come (Anna's survey says held).
    db.add(
        MeetingReport(
            meeting_id=m1.id,
            reporter_id=past.people[1].id,
            outcome="partner_absent",
            marked_at=datetime.now(UTC),
        )
    )
    db.flush()
    r = figures.build(past.event)
    assert r.meetings == {"scheduled": 3, "held": 1, "no_show": 2}
    states = {row[0]: row[4] for row in raw.rows(past.event)}
    assert states[m1.id] == "no-show" and states[past.meetings[2].id] == "held"
    assert figures.meeting_states(past.event, [m1.id]) == {m1.id: "no_show"}


def test_the_raw_sheet_read_in_chunks_is_the_whole_sheet(db, past_event, monkeypatch):
    from matchmaker.reports import raw

    past = _answered_event(db, past_event)
    whole = list(raw.rows(past.event))
    monkeypatch.setattr(raw, "CHUNK", 2)
    assert list(raw.all_rows(past.event)) == whole and len(whole) == 3
