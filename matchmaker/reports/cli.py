"""``flask report EVENT_SLUG --out FILE.xlsx``: the report's XLSX from the command line."""

from __future__ import annotations

import click
from sqlalchemy import select

from ..events.models import Event
from ..extensions import db
from . import xlsx


@click.command("report")
@click.argument("slug")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True))
@click.option("--anonymise", is_flag=True, help="Leave people's names out (organisations stay).")
def report_cli(slug: str, out: str, anonymise: bool) -> None:
    """Write the report of event SLUG as an XLSX workbook to OUT."""
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    if event is None:
        raise click.ClickException(f"No event {slug!r}.")
    with open(out, "wb") as handle:
        xlsx.write(event, handle, anonymise)
    click.echo(f"Wrote the report of {event.name} to {out}.")
