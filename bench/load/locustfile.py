"""An event day, as the server sees it: participants with the app open on their phones,
calendars polling feeds, the check-in desks at work, and the burst when the schedule is
published. Run by bench/load/run.py (which seeds the event and starts the servers); on
its own: ``locust -f bench/load/locustfile.py --host http://127.0.0.1:PORT`` with
LOAD_PLAN naming the seed's plan (JSON).

Most participants' phones had the app open before the day: they start with the session
cookie of an earlier log-in (made by the seed). One in LOAD_LOGIN_EVERY logs in afresh
(run.py sets it so that about 300 do, as participants spawn over the first minute: the
start-of-day log-in burst). Then each, on their own clock:
- "My meetings" poll every 10 s and the menu's badge poll every 20 s, each revalidated
  with the ETag of its last answer, as a browser's cache does (If-None-Match);
- the agenda every 60-180 s and the directory every 90-240 s;
- the stylesheets and scripts of each page as a browser's cache gets them (kept,
  revalidated or fetched, as the server's Cache-Control says);
- their calendar feed about once in the run (a calendar app polls hourly; at 2,000
  subscribers that is one feed request every two seconds), revalidated;
- at PUBLISH_AT (a fraction of the run), everybody opens the agenda within
  BURST_SECONDS (the schedule is published; everybody looks).
Two desk clerks (the organiser's account) check people in, one every 2-4 s each.

The request kinds are named so that run.py can print p50/p95/p99 per kind.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import time
from email.utils import formatdate
from http.cookiejar import Cookie

from locust import FastHttpUser, constant, events, task

PLAN = json.loads(open(os.environ["LOAD_PLAN"]).read()) if os.environ.get("LOAD_PLAN") else {}
RUN_SECONDS = float(os.environ.get("LOAD_SECONDS", "60"))
PUBLISH_AT = float(os.environ.get("LOAD_PUBLISH_AT", "0.4"))  # of the run
BURST_SECONDS = float(os.environ.get("LOAD_BURST_SECONDS", min(60.0, 0.55 * RUN_SECONDS)))
LOGIN_EVERY = int(os.environ.get("LOAD_LOGIN_EVERY", "1"))  # 1: everybody logs in
POLL_SECONDS = 10.0
KEPT = "kept"  # a static file the browser keeps without asking again
BADGE_SECONDS = 20.0

_accounts = itertools.count()
_desk_targets = itertools.count(1)
_started = {"at": None}
STATIC = re.compile(r'(?:href|src)="(/static/[^"]+)"')
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|"X-CSRFToken": "([^"]+)"')


def csrf(html: str | None) -> str:
    """The page's CSRF token (a form's hidden field, or the one htmx sends)."""
    match = CSRF.search(html or "")
    return (match.group(1) or match.group(2)) if match else ""


@events.test_start.add_listener
def _on_start(environment, **_kwargs):
    _started["at"] = time.monotonic()


def _elapsed() -> float:
    return time.monotonic() - (_started["at"] or time.monotonic())


class Participant(FastHttpUser):
    """One phone with the app open. One tick a second; whatever is due is done."""

    wait_time = constant(1)
    weight = 1000
    default_headers = {"User-Agent": PLAN.get("user_agent", "matchmaker-load")}

    def on_start(self):
        n = next(_accounts) % len(PLAN["emails"])
        self.slug = PLAN["slug"]
        self.feed = PLAN["feeds"][n]
        self.etag = None
        self.badge_etag = None
        self.feed_etag = None
        self.assets: dict[str, str] = {}  # the browser's cache: static URL -> ETag or KEPT
        self.returning = False
        self.rng = random.Random(n)
        now = _elapsed()
        self.due = {
            "poll": now + self.rng.uniform(0, POLL_SECONDS),
            "badge": now + self.rng.uniform(0, BADGE_SECONDS),
            "agenda": now + self.rng.uniform(0, 180),
            "directory": now + self.rng.uniform(0, 240),
            "feed": now + self.rng.uniform(0, RUN_SECONDS),
            "burst": PUBLISH_AT * RUN_SECONDS + self.rng.uniform(0, BURST_SECONDS),
        }
        if n % LOGIN_EVERY == 0 or not PLAN.get("cookies"):
            self._login(PLAN["emails"][n])
        else:  # the phone kept its log-in from before, and its cache
            self.client.cookiejar.set_cookie(_cookie("session", PLAN["cookies"][n]))
            self.returning = True

    def _login(self, email: str):
        page = self.client.get("/login", name="login page")
        self._static(page.text)
        with self.client.post(
            "/login",
            data={"csrf_token": csrf(page.text), "email": email,
                  "password": PLAN["password"]},
            name="login", allow_redirects=False, catch_response=True,
        ) as response:  # fmt: skip
            if response.status_code != 302:  # the form again: not logged in
                response.failure(f"HTTP {response.status_code}, not logged in")

    @task
    def tick(self):
        now = _elapsed()
        kind = min(self.due, key=self.due.get)
        if self.due[kind] > now:
            return
        getattr(self, kind)()
        again = {"poll": POLL_SECONDS, "badge": BADGE_SECONDS}
        if kind in again:
            self.due[kind] = now + again[kind]
        elif kind == "agenda":
            self.due[kind] = now + self.rng.uniform(60, 180)
        elif kind == "directory":
            self.due[kind] = now + self.rng.uniform(90, 240)
        else:  # the feed and the burst: once a run
            self.due[kind] = float("inf")

    def _get(self, path: str, name: str, etag: str = "", htmx: bool = False):
        """GET ``path``; 200 (or 304 to a revalidation with the ETag kept in attribute
        ``etag``) is a success, anything else a failure: a redirect to the log-in page
        too (a session the server did not take)."""
        headers = {"HX-Request": "true"} if htmx else {}
        if etag and getattr(self, etag):
            headers["If-None-Match"] = getattr(self, etag)
        with self.client.get(
            path, headers=headers, name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code in (200, 304):
                if etag:
                    setattr(self, etag, response.headers.get("ETag") or getattr(self, etag))
                response.success()
                return response.text or ""
            response.failure(f"HTTP {response.status_code}")
            return ""

    def _static(self, html: str) -> None:
        """The page's stylesheets and scripts, as a browser's cache gets them: not at all
        when an earlier answer said to keep them (max-age), else revalidated (a 304), or
        fetched. A returning phone has them from before: a versioned link (``?v=``) was
        kept, another is revalidated."""
        for url in dict.fromkeys(STATIC.findall(html or "")):
            known = self.assets.get(url)
            if known == KEPT:
                continue
            headers = {}
            if known:
                headers["If-None-Match"] = known
            elif self.returning and "?v=" in url:
                self.assets[url] = KEPT
                continue
            elif self.returning:
                headers["If-Modified-Since"] = formatdate(usegmt=True)
            with self.client.get(
                url, headers=headers, name="static file", catch_response=True
            ) as response:
                if response.status_code not in (200, 304):
                    response.failure(f"HTTP {response.status_code}")
                    continue
                response.success()
                cache = response.headers.get("Cache-Control") or ""
                if "max-age" in cache and "no-cache" not in cache:
                    self.assets[url] = KEPT
                elif response.headers.get("ETag"):
                    self.assets[url] = response.headers["ETag"]

    def poll(self):
        self._get(f"/events/{self.slug}/meetings/counts", "my meetings poll", "etag", True)

    def badge(self):
        self._get(
            f"/events/{self.slug}/meetings/counts?show=badge", "menu badge poll", "badge_etag",
            True,
        )  # fmt: skip

    def agenda(self):
        self._static(self._get(f"/events/{self.slug}/agenda", "agenda"))

    def directory(self):
        self._static(self._get(f"/events/{self.slug}/directory", "directory"))

    def burst(self):
        self._static(self._get(f"/events/{self.slug}/agenda", "agenda (publish burst)"))

    def feed(self):
        self._get(self.feed, "calendar feed", "feed_etag")


def _cookie(name: str, value: str) -> Cookie:
    """A session cookie for the server on 127.0.0.1, as the browser kept it."""
    return Cookie(
        version=0, name=name, value=value, port=None, port_specified=False,
        domain="127.0.0.1", domain_specified=False, domain_initial_dot=False, path="/",
        path_specified=True, secure=False, expires=None, discard=True, comment=None,
        comment_url=None, rest={"HttpOnly": None},
    )  # fmt: skip


class DeskClerk(FastHttpUser):
    """A check-in desk: one person checked in every 2-4 s."""

    weight = 1
    fixed_count = 2
    default_headers = Participant.default_headers

    def wait_time(self):
        return random.uniform(2, 4)

    def on_start(self):
        page = self.client.get("/login", name="login page")
        self.client.post(
            "/login",
            data={"csrf_token": csrf(page.text), "email": PLAN["organiser"],
                  "password": PLAN["password"]},
            name="login", allow_redirects=False,
        )  # fmt: skip
        desk = self.client.get(f"/events/{PLAN['slug']}/desk", name="desk page")
        self.token = csrf(desk.text)

    @task
    def check_in(self):
        ids = PLAN["participant_ids"]
        participant = ids[next(_desk_targets) % len(ids)]
        self.client.post(
            f"/events/{PLAN['slug']}/desk/participants/{participant}/checkin",
            data={"csrf_token": self.token},
            headers={"HX-Request": "true", "X-CSRFToken": self.token},
            name="desk check-in",
        )
