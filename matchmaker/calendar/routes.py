"""Calendar routes: .ics download, private feeds, and the pages that hand out their links."""

from __future__ import annotations

from flask import Response, abort, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select

from .. import changes
from ..access import public, role_required, user_required
from ..dbtypes import utcnow
from ..errors import NotFound
from ..events.loaders import organised_event_or_404, visible_event_or_404
from ..extensions import db
from ..participants.services import participant_for
from ..web import get_or_404, render, safe_next, wants_fragment
from . import bp, cache, feeds, services
from .models import CalendarFeed


def _calendar_response(rendered: cache.RenderedFeed, filename: str | None = None) -> Response:
    """The calendar as bytes, with a strong ETag, Last-Modified and conditional answers."""
    headers = {
        "ETag": rendered.quoted_etag,
        "Cache-Control": "private, no-cache",
        "Referrer-Policy": "no-referrer",
        "X-Robots-Tag": "noindex, nofollow",
    }
    if rendered.http_last_modified:
        headers["Last-Modified"] = rendered.http_last_modified
    if request.method in ("GET", "HEAD") and request.if_none_match.contains(rendered.etag):
        # The common case of a calendar app polling: answered without the body or
        # Werkzeug's general conditional machinery.
        return Response(status=304, headers=headers)
    if filename:
        headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response = Response(rendered.body, content_type="text/calendar; charset=utf-8", headers=headers)
    response.make_conditional(request)  # changes the response in place
    response.headers.pop("Date", None)  # the server adds its own; two would be invalid
    return response


def _approved_participant_or_404(event):
    participant = participant_for(event, current_user)
    if participant is None or participant.status != "approved":
        abort(404)
    return participant


@bp.get("/feeds/<token>.ics")
@public
def feed(token: str):
    """A private feed, opened by its secret token alone (calendar apps cannot log in)."""
    now, version = utcnow(), changes.version(cache.VERSION)
    try:
        hashed = services.token_hash(token)
        feed_id = cache.tokens_cache.get_or_compute(
            hashed, version, lambda: services.check_token(token), now
        )
    except NotFound as error:
        # Plain and identical for every failure: nothing tells a guess from a reset link.
        response = Response(error.message + "\n", 404, content_type="text/plain; charset=utf-8")
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "private, no-store"
        return response
    rendered = cache.feeds_cache.get_or_compute(
        feed_id,
        version,
        lambda: cache.render(feeds.build_calendar(services.feed_by_token(token), now)),
        now,
        valid_until=lambda r: r.valid_until,
    )
    return _calendar_response(rendered)


@bp.get("/events/<slug>/agenda.ics")
@user_required
def download(slug: str):
    """The logged-in participant's agenda as a file to import."""
    event = visible_event_or_404(slug)
    participant = _approved_participant_or_404(event)
    calendar = feeds.participant_calendar(event, participant, utcnow())
    rendered = cache.render(calendar)
    return _calendar_response(rendered, filename=f"{event.slug}-agenda.ics")


@bp.get("/events/<slug>/calendar")
@user_required
def page(slug: str):
    """The participant's calendar links (the agenda page shows the same component)."""
    event = visible_event_or_404(slug)
    participant = _approved_participant_or_404(event)
    return render("calendar/page.html", event=event, participant=participant)


@bp.post("/events/<slug>/calendar/feed")
@user_required
def create_link(slug: str):
    """Make the participant's subscription link (once; later calls change nothing)."""
    return _change_my_feed(slug, reset=False)


@bp.post("/events/<slug>/calendar/reset")
@user_required
def reset(slug: str):
    """A new subscription link; the old one stops working at once."""
    return _change_my_feed(slug, reset=True)


def _change_my_feed(slug: str, reset: bool):
    event = visible_event_or_404(slug)
    participant = _approved_participant_or_404(event)
    feed = services.participant_feed(participant)
    if reset:
        services.reset_feed(feed)
    db.session.commit()
    if wants_fragment():
        notice = (
            "Your new subscription link is ready. Links you had before no longer work:"
            " subscribe again with this one."
            if reset
            else "Your subscription link is ready: copy it into your calendar app."
        )
        return render(
            "calendar/_agenda_links.html", event=event, participant=participant, notice=notice
        )
    return redirect(_back_to(slug) + "#calendar-links", code=303)


def _back_to(slug: str) -> str:
    """Where the form was (the agenda or the calendar page): a local path only."""
    return safe_next(request.form.get("next"), url_for("calendar.page", slug=slug))


@bp.get("/events/<slug>/calendar/feeds")
@role_required("organiser")
def organiser_feeds(slug: str):
    """The event-wide feed and one feed per table, for organisers and venue staff."""
    event = organised_event_or_404(slug)
    return render("calendar/organiser.html", event=event, rows=_organiser_rows(event))


@bp.post("/events/<slug>/calendar/feeds")
@role_required("organiser")
def create_organiser_feeds(slug: str):
    """Create the missing event and table feeds (existing links stay as they are)."""
    event = organised_event_or_404(slug)
    services.event_feed(event)
    for table in event.tables:
        services.table_feed(table)
    db.session.commit()
    return redirect(url_for("calendar.organiser_feeds", slug=slug), code=303)


@bp.post("/events/<slug>/calendar/feeds/<int:feed_id>/reset")
@role_required("organiser")
def reset_organiser_feed(slug: str, feed_id: int):
    """A new link for the event feed or one table's feed."""
    event = organised_event_or_404(slug)
    feed = get_or_404(CalendarFeed, feed_id)
    if feed.event_id != event.id or feed.kind == "participant":
        abort(404)
    services.reset_feed(feed)
    db.session.commit()
    if not wants_fragment():
        return redirect(url_for("calendar.organiser_feeds", slug=slug), code=303)
    row = next(r for r in _organiser_rows(event) if r["feed"] and r["feed"].id == feed.id)
    return render("calendar/_feed_row.html", event=event, row=row)


@bp.app_context_processor
def calendar_helpers():
    return {"calendar_links": _calendar_links}


def _calendar_links(participant) -> dict[str, str] | None:
    """The participant's subscribe URLs, or ``None`` until they ask for a link."""
    feed = services.participant_feed(participant, create=False)
    return services.feed_urls(feed) if feed else None


def _organiser_rows(event) -> list[dict]:
    query = select(CalendarFeed).where(
        CalendarFeed.event_id == event.id, CalendarFeed.kind != "participant"
    )
    existing = {(f.kind, f.table_id): f for f in db.session.scalars(query)}
    rows: list[dict] = [
        {"label": "Whole event", "key": "event", "feed": existing.get(("event", None))}
    ]
    rows += [
        {"label": table.name, "key": f"table-{table.id}", "feed": existing.get(("table", table.id))}
        for table in event.tables
    ]
    for row in rows:
        row["urls"] = services.feed_urls(row["feed"]) if row["feed"] else None
    return rows
