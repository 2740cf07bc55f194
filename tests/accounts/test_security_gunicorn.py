"""Log-in limits and log-out against gunicorn with several worker processes (issue 17, 1 and
2), on SQLite or on PostgreSQL (TEST_DATABASE_URL): what the in-process tests cannot show,
parallel requests in separate processes and a cookie replayed from another client.
"""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from matchmaker.accounts.services import LOGIN_LIMIT_PER_ADDRESS
from tests.gunicorn_server import gunicorn_server

pytestmark = pytest.mark.slow

PASSWORD = "correct-horse-battery"
GUESSES = 60


def test_parallel_wrong_passwords_get_no_further_than_the_limit(tmp_path):
    limit = LOGIN_LIMIT_PER_ADDRESS[0]
    with gunicorn_server(tmp_path, "parallel_login", workers=4) as server:
        server.add_user("target@example.test", PASSWORD)
        # Every guesser has its own session and CSRF token, fetched beforehand, so that
        # the 60 log-in attempts themselves leave together.
        guessers = [server.browser() for _ in range(GUESSES)]
        tokens = [b.csrf_token("/login") for b in guessers]
        start = threading.Barrier(GUESSES)

        def guess(n: int):
            start.wait()
            form = {
                "csrf_token": tokens[n],
                "email": "target@example.test",
                "password": f"wrong-guess-{n}",
            }
            for attempt in (1, 2):
                try:
                    status, headers, html = guessers[n].request("POST", "/login", form)
                    return status, headers.get("Retry-After"), html
                except ConnectionError as error:  # once seen on a busy machine: try again
                    if attempt == 2:
                        return repr(error), None, ""  # reported with the server's log

        with ThreadPoolExecutor(GUESSES) as pool:
            answers = list(pool.map(guess, range(GUESSES)))

        statuses = [status for status, _, _ in answers]
        assert all(isinstance(s, int) for s in statuses), (statuses, server.log()[-3000:])
        checked = statuses.count(422)  # the password was checked (and wrong)
        refused = [a for a in answers if a[0] == 429]
        assert checked + len(refused) == GUESSES, statuses
        assert checked <= limit, f"{checked} passwords checked; the limit is {limit}"
        assert all(retry_after and int(retry_after) > 0 for _, retry_after, _ in refused)
        assert all("Too many" in html for _, _, html in refused)
        # And the owner, with the right password, is refused for now as well.
        owner = server.browser()
        status, _, _ = owner.post_form(
            "/login", {"email": "target@example.test", "password": PASSWORD}
        )
        assert status == 429


def test_a_copied_session_cookie_is_dead_after_logout(tmp_path):
    with gunicorn_server(tmp_path, "session_replay", workers=3) as server:
        server.add_user("sanna@example.test", PASSWORD, name="Sanna Hämäläinen")
        browser = server.browser()
        status, headers, _ = browser.post_form(
            "/login", {"email": "sanna@example.test", "password": PASSWORD}
        )
        assert status == 302, headers
        copied = dict(browser.cookies)
        thief = server.browser()
        thief.cookies = dict(copied)
        # Several requests, so that they meet several workers: all know the session.
        for _ in range(6):
            status, _, html = thief.get("/account")
            assert status == 200 and "Sanna Hämäläinen" in html

        status, headers, _ = browser.post_form("/logout", {}, page="/account")
        assert status == 302

        thief.cookies = dict(copied)  # the cookie as it was before the log-out
        for _ in range(6):
            status, headers, html = thief.get("/account")
            assert status == 302 and re.search(r"/login", headers["Location"])
            thief.cookies = dict(copied)
        status, _, html = thief.get("/")
        assert "Sanna" not in html
