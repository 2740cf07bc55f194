"""Jinja filters and globals: times are shown in the event's zone, and the zone is named."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import overload
from zoneinfo import ZoneInfo

from flask import Flask
from flask_login import current_user
from markupsafe import Markup, escape


@overload
def to_zone(value: datetime, tz: str) -> datetime: ...
@overload
def to_zone(value: datetime | None, tz: str) -> datetime | None: ...


def to_zone(value: datetime | None, tz: str) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(ZoneInfo(tz))


def fmt_time(value: datetime | None, tz: str) -> str:
    local = to_zone(value, tz)
    return local.strftime("%H:%M") if local else ""


def fmt_datetime(value: datetime | None, tz: str) -> str:
    local = to_zone(value, tz)
    return local.strftime("%a %d %b %Y, %H:%M") if local else ""


def fmt_date(value, fmt: str = "%a %d %b %Y") -> str:
    return value.strftime(fmt) if value else ""


def highlight(text: str | None, words) -> Markup:
    """``text`` escaped, with every occurrence of any of ``words`` (any case) in <mark>.

    Matching runs on the raw text and each piece is escaped on its own, so a search can
    never split an entity or add markup.
    """
    text = text or ""
    words = [w for w in (words or []) if w]
    if not words:
        return escape(text)
    pattern = re.compile(
        "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)), re.IGNORECASE
    )
    pieces, last = [], 0
    for match in pattern.finditer(text):
        pieces += [escape(text[last : match.start()]), Markup("<mark>%s</mark>") % match.group()]
        last = match.end()
    pieces.append(escape(text[last:]))
    return Markup("").join(pieces)


def init_templating(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.filters.update(
        local_time=fmt_time,
        local_datetime=fmt_datetime,
        date=fmt_date,
        to_zone=to_zone,
        highlight=highlight,
    )

    @app.context_processor
    def inject_globals():
        unread = 0
        if current_user.is_authenticated:
            from .notifications.services import unread_count

            unread = unread_count(current_user)
        return {"unread_notifications": unread}
