"""Every organiser page, with every role of an event's team.

The pages are found in the app's URL map: every view that loads its event through
``organised_event_or_404`` (so a page another module adds later is walked too). The
loader leaves its decision in ``g`` (``team_allowed``), read here when the request ends.

Expected, as the issue says: the desk reaches only check-in and attendance; a viewer only
read-only figures and the report (never a POST); an organiser everything but the team; the
owner everything; anyone else nothing. Refused means 404, as for an event that does not
exist.
"""

from __future__ import annotations

import inspect

import pytest
from flask import g, request_finished

DESK = {
    "desk.checkin_page",
    "desk.check_in",
    "desk.undo",
    "desk.scan",
    "desk.counts",
    "desk.attendance_page",
    "desk.mark",
}
VIEWER = {"events.stats", "reports.report", "reports.meetings", "reports.download"}
OWNER_ONLY_PREFIX = "teams."


def organiser_routes(app):
    for rule in app.url_map.iter_rules():
        view = inspect.unwrap(app.view_functions[rule.endpoint])
        if "slug" not in rule.arguments or "organised_event_or_404(" not in inspect.getsource(view):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def expected(endpoint: str, method: str, role: str | None) -> bool:
    if role == "owner":
        return True
    if role == "organiser":
        return not endpoint.startswith(OWNER_ONLY_PREFIX)
    if role == "desk":
        return endpoint in DESK
    if role == "viewer":
        return endpoint in VIEWER and method == "GET"
    return False


def _url(rule, slug):
    values = {"slug": slug}
    for name in rule.arguments - {"slug"}:
        values[name] = 1 if "id" in name and name != "job_id" else "x"
    path, _ = rule.build(values, append_unknown=False)[1], None
    return path


@pytest.mark.parametrize("role", ["owner", "organiser", "desk", "viewer", None])
def test_each_role_reaches_exactly_its_pages(
    app, client, make_event, make_user, add_member, auth, role
):
    event = make_event()
    if role == "owner":
        user = event.organisers[0]
    elif role is None:
        user = make_user("organiser")  # a site organiser, but not on this event's team
    else:
        user = add_member(event, role)  # a participant account on the team
    auth.login(user)

    decisions = []

    def remember(sender, response, **extra):
        decisions.append(g.get("team_allowed"))

    routes = list(organiser_routes(app))
    endpoints = {rule.endpoint for rule, _ in routes}
    assert DESK | VIEWER <= endpoints  # renamed pages would silently lose their roles
    assert "teams.team" in endpoints and "audit.log" in endpoints

    wrong = []
    with request_finished.connected_to(remember, app):
        for rule, method in routes:
            decisions.clear()
            response = client.open(_url(rule, event.slug), method=method)
            allowed = bool(decisions and decisions[-1])
            should = expected(rule.endpoint, method, role)
            if allowed != should or (not should and response.status_code != 404):
                wrong.append((method, rule.rule, response.status_code, allowed))
    assert wrong == [], f"{role}: {wrong}"
