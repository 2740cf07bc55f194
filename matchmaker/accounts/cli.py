import click
from flask.cli import AppGroup

from ..dbtypes import utcnow
from ..extensions import db
from . import services, signup
from .models import user_by_email

users_cli = AppGroup("users", help="Manage user accounts.")


@users_cli.command("reset-link")
@click.argument("email")
def reset_link_command(email: str) -> None:
    """Print a password reset link for EMAIL (valid for PASSWORD_RESET_MAX_AGE seconds)."""
    user = user_by_email(email)
    if user is None:
        raise click.ClickException(f"No account uses {email}.")
    click.echo(services.reset_link(user))


@users_cli.command("create")
@click.argument("email")
@click.option("--name", required=True)
@click.option(
    "--role", type=click.Choice(["admin", "organiser", "participant"]), default="participant"
)
@click.password_option()
def create_command(email: str, name: str, role: str, password: str) -> None:
    """Create an account (e.g. the first site admin)."""
    user = services.register_user(name, email, password, role=role, allow_admin=True)
    user.email_confirmed_at = utcnow()  # the operator vouches for the address
    db.session.commit()
    click.echo(f"Created {user.role} {user.email}")


@users_cli.command("approve-organiser")
@click.argument("email")
def approve_organiser_command(email: str) -> None:
    """Let EMAIL organise events (where ORGANISER_SIGNUP is "approval")."""
    user = user_by_email(email)
    if user is None:
        raise click.ClickException(f"No account uses {email}.")
    if user.has_role("organiser"):
        raise click.ClickException(f"{user.email} may organise events already.")
    if user.organiser_requested_at is None:
        user.organiser_requested_at = utcnow()  # approved without asking first
    signup.decide_organiser_request(user, approve=True)
    db.session.commit()
    click.echo(f"{user.email} may now organise events.")
