"""``flask calendar feed-urls EVENT_SLUG``: every approved participant's feed link."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from ..errors import NotFound
from ..extensions import db
from ..web import site_url

calendar_cli = AppGroup("calendar", help="Calendar feeds.")


@calendar_cli.command("feed-urls")
@click.argument("event_slug")
@click.option(
    "--base-url",
    default=None,
    help="Public address of the site (default: BASE_URL, else http://HOST:PORT).",
)
def feed_urls(event_slug: str, base_url: str | None) -> None:
    """Print e-mail<TAB>feed URL for every approved participant (creating missing feeds)."""
    from ..events.services import event_by_slug
    from ..participants.models import Participant
    from . import services

    try:
        event = event_by_slug(event_slug)
    except NotFound as error:
        raise click.ClickException(f"{error.message} ({event_slug!r})") from None
    participants = db.session.scalars(
        select(Participant)
        .where(Participant.event_id == event.id, Participant.status == "approved")
        .order_by(Participant.email, Participant.id)
    ).all()
    base = base_url or site_url()
    lines = []
    for participant in participants:
        feed = services.participant_feed(participant)
        email = participant.email or (participant.user.email if participant.user else "")
        lines.append(f"{email}\t{services.feed_urls(feed, base_url=base)['https']}")
    db.session.commit()
    for line in lines:
        click.echo(line)
