import click
from flask.cli import AppGroup

from ..extensions import db
from .data import PASSWORD
from .loader import demo_accounts, load_demo

demo_cli = AppGroup("demo", help="The demo trade mission.")


@demo_cli.command("load")
def load_command() -> None:
    """Create the demo mission (does nothing when it exists already)."""
    event = load_demo()
    db.session.commit()
    if event is None:
        click.echo("The demo mission exists already; nothing to do.")
    else:
        click.echo(
            f"Loaded the demo mission '{event.name}'. Every demo account's password: {PASSWORD}"
        )


@demo_cli.command("accounts")
def accounts_command() -> None:
    """Print role<TAB>email for every demo account."""
    for role, email in demo_accounts():
        click.echo(f"{role}\t{email}")
