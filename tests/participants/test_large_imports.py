"""Large CSV imports run in the job worker (finding 5 of issue 17): all or nothing, with
progress the page polls. (Tests run the queue in immediate mode: the task has finished
when the upload's answer comes.)"""

from __future__ import annotations

from io import BytesIO

import pytest

from matchmaker.extensions import huey
from matchmaker.participants import import_jobs
from matchmaker.participants.models import Participant
from tests.conftest import htmx_headers

HEADER = "organisation,country,name,email\n"


@pytest.fixture(autouse=True)
def _large_means_twenty(monkeypatch):
    """The rule, not the figure, is under test: 20 lines count as large here (fast)."""
    monkeypatch.setattr(import_jobs, "LARGE_IMPORT_ROWS", 20)
    monkeypatch.setattr(import_jobs, "PROGRESS_EVERY", 5)


def _rows(count: int, bad_line: int | None = None) -> str:
    lines = []
    for i in range(count):
        country = "" if i + 2 == bad_line else "FI"
        lines.append(f"Company {i},{country},Person {i},person{i}@bulk.example\n")
    return HEADER + "".join(lines)


def _upload(client, event, text: str):
    return client.post(
        f"/events/{event.slug}/organiser/participants/import",
        data={"csv_file": (BytesIO(text.encode()), "people.csv")},
        content_type="multipart/form-data",
    )


def _job_id(response) -> str:
    location = response.headers["Location"]
    assert "import_job=" in location, location
    return location.split("import_job=")[1]


def test_a_large_file_is_imported_by_the_worker(client, db, make_event, auth):
    event = make_event()
    auth.login(event.organisers[0])
    total = import_jobs.LARGE_IMPORT_ROWS + 50
    response = _upload(client, event, _rows(total))
    assert response.status_code == 303
    job = _job_id(response)
    assert db.query(Participant).filter_by(event_id=event.id).count() == total
    page = client.get(f"/events/{event.slug}/organiser/participants?import_job={job}")
    assert f"{total} participants imported" in page.get_data(as_text=True)
    status = client.get(
        f"/events/{event.slug}/organiser/participants/import/{job}", headers=htmx_headers()
    )
    assert status.status_code == 286 and status.headers["HX-Refresh"] == "true"
    assert "<html" not in status.get_data(as_text=True)
    # Each one is invited, nobody is enrolled.
    people = db.query(Participant).filter_by(event_id=event.id).all()
    assert all(p.user_id is None and p.invitations_sent == 1 for p in people)


def test_a_large_file_with_one_bad_line_imports_nothing(client, db, make_event, auth):
    event = make_event()
    auth.login(event.organisers[0])
    total = import_jobs.LARGE_IMPORT_ROWS + 1
    response = _upload(client, event, _rows(total, bad_line=total + 1))  # the last line
    job = _job_id(response)
    assert db.query(Participant).filter_by(event_id=event.id).count() == 0
    status = client.get(
        f"/events/{event.slug}/organiser/participants/import/{job}", headers=htmx_headers()
    )
    html = status.get_data(as_text=True)
    assert status.status_code == 286 and "HX-Refresh" not in status.headers
    assert f"Line {total + 1}:" in html and "nothing was imported" in html
    # The corrected file goes through (nothing of the first attempt is in the way).
    fixed = _upload(client, event, _rows(total))
    assert "import_job=" in fixed.headers["Location"]
    assert db.query(Participant).filter_by(event_id=event.id).count() == total


def test_the_page_polls_while_the_worker_checks_and_only_for_its_organisers(
    client, db, make_event, make_user, auth
):
    event = make_event()
    huey.put(
        f"participant-import:{event.id}:job-1", {"state": "checking", "done": 75, "total": 300}
    )
    try:
        auth.login(event.organisers[0])
        url = f"/events/{event.slug}/organiser/participants/import/job-1"
        polled = client.get(url, headers=htmx_headers())
        html = polled.get_data(as_text=True)
        assert polled.status_code == 200 and 'hx-trigger="every 1s"' in html
        assert 'value="75"' in html and "line 75 of 300" in html
        page = client.get(f"/events/{event.slug}/organiser/participants?import_job=job-1")
        assert 'id="import-progress"' in page.get_data(as_text=True)
        assert client.get(url.replace("job-1", "job-2"), headers=htmx_headers()).status_code == 404
        auth.logout()
        other = make_user("organiser")
        other_event = make_event(organiser=other)
        auth.login(other)
        assert client.get(url, headers=htmx_headers()).status_code == 404
        theirs = f"/events/{other_event.slug}/organiser/participants/import/job-1"
        assert client.get(theirs, headers=htmx_headers()).status_code == 404
    finally:
        huey.get(f"participant-import:{event.id}:job-1")  # take it out of the store


def test_a_small_file_stays_in_the_request(client, db, make_event, auth):
    event = make_event()
    auth.login(event.organisers[0])
    response = _upload(client, event, _rows(3))
    assert response.status_code == 303 and "import_job" not in response.headers["Location"]
    assert db.query(Participant).filter_by(event_id=event.id).count() == 3
