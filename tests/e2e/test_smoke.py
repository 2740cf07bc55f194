"""The browser harness works: the app serves a real browser, and jobs really run."""

import re

from playwright.sync_api import Page, expect

from matchmaker.extensions import huey


@huey.task()
def _ping(text: str) -> str:
    return f"pong: {text}"


def test_home_page_opens(page: Page) -> None:
    response = page.goto("/")
    assert response is not None and response.ok
    expect(page).to_have_title(re.compile("Matchmaker"))


def test_job_worker_runs_queued_jobs(live_server) -> None:
    result = _ping("hello")  # enqueued, not run in place: the live app is not immediate
    # Generous: the single worker may still be busy with a job an earlier test queued.
    assert result.get(blocking=True, timeout=60) == "pong: hello"
