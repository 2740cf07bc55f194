"""``flask schedule solve|publish EVENT_SLUG`` for operators and scripts."""

import click
from flask.cli import AppGroup

from ..errors import DomainError
from ..events.services import event_by_slug
from ..extensions import db
from ..web import csv_response
from . import runs, services
from .export import current_schedule_rows

schedule_cli = AppGroup(
    "schedule", help="Schedule an event's meetings, publish them and export them."
)


def _event(slug: str):
    try:
        return event_by_slug(slug)
    except DomainError as error:
        raise click.ClickException(f"{slug}: {error.message}") from None


@schedule_cli.command("solve")
@click.argument("event_slug")
@click.option("--time-limit", type=float, default=30.0, show_default=True, help="Seconds.")
def solve_command(event_slug: str, time_limit: float) -> None:
    """Run the solver now (synchronously) and save its schedule as the draft."""
    event = _event(event_slug)
    try:
        run = runs.start_run(event, None, time_limit)
    except DomainError as error:
        raise click.ClickException(error.message) from None
    db.session.commit()
    finished = runs.execute_run(run.id)
    if finished is None:
        raise click.ClickException("The run was deleted before it ran.")
    for line in runs.summary_lines(finished):
        click.echo(line)
    if finished.status != "succeeded":
        raise SystemExit(1)


@schedule_cli.command("publish")
@click.argument("event_slug")
def publish_command(event_slug: str) -> None:
    """Publish the draft schedule as a new revision and notify whom it concerns."""
    event = _event(event_slug)
    try:
        revision = services.publish(event, None)
    except DomainError as error:
        raise click.ClickException(error.message) from None
    db.session.commit()
    counts: dict[str, int] = {}
    for change in revision.changes:
        counts[change["change"]] = counts.get(change["change"], 0) + 1
    detail = ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items())) or "no changes"
    click.echo(f"Published revision {revision.number} of {event.slug}: {detail}.")


@schedule_cli.command("export")
@click.argument("event_slug")
def export_command(event_slug: str) -> None:
    """Print the event's current schedule (the draft, or the published one when the
    draft places nothing) as the CSV the schedule page downloads."""
    event = _event(event_slug)
    header, rows = current_schedule_rows(event)
    body = csv_response(f"{event.slug}-schedule.csv", header, rows).get_data()
    click.echo(body, nl=False)  # bytes: the CRLF line ends stay as in the download
