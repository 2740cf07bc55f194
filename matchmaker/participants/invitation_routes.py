"""The invitation link: the person an organiser registered takes their place."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_login import current_user

from ..access import public
from ..accounts import services as accounts
from ..accounts.forms import ClaimAccountForm
from ..accounts.models import user_by_email
from ..errors import DomainError
from ..web import act, render, submit
from . import bp, invitations


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@public
def claim(token: str):
    """Logged in with the invited address: accept. No account for it: set a name and a
    password. An account exists: log in first. Another address: refused."""
    user = current_user if current_user.is_authenticated else None
    try:
        participant = invitations.participant_from_invitation(token, user)
    except DomainError as error:
        return render("accounts/link_invalid.html", message=error.message, status=400)
    event = participant.event
    if user is not None and participant.user_id == user.id:
        flash(f"Your place at {event.name} is in your account.", "info")
        return redirect(url_for("events.show", slug=event.slug))
    if user is not None:
        return _claim_as(user, participant)
    if user_by_email(participant.email) is not None:
        # The link's reader owns the address, so saying that it has an account tells
        # nobody else anything.
        return render("participants/claim.html", participant=participant, mode="login")
    return _claim_with_new_account(participant)


def _claim_as(user, participant):
    """The logged-in person takes the place: accept (POST) if the address is theirs."""
    if user.email != participant.email:
        return render("participants/claim.html", participant=participant, mode="other", status=403)
    if request.method != "POST":
        return render("participants/claim.html", participant=participant, mode="accept")
    claimed = act(lambda: invitations.claim(participant, user))
    if claimed.saved:
        return _welcome(participant)
    return render(
        "participants/claim.html",
        participant=participant,
        mode="refused",
        message=claimed.message,
        status=claimed.status,
    )


def _claim_with_new_account(participant):
    """No account for the address: a name and a password make one, logged in."""
    form = ClaimAccountForm(data={"name": participant.name} if request.method == "GET" else None)
    result = submit(form, lambda: _new_account(participant, form))
    if result.saved:
        from ..accounts.routes import _start_session

        _start_session(result.value)
        return _welcome(participant)
    return render(
        "participants/claim.html",
        participant=participant,
        mode="new",
        form=form,
        status=result.status,
    )


def _new_account(participant, form: ClaimAccountForm):
    user = accounts.register_user(form.name.data, participant.email, form.password.data)
    invitations.claim(participant, user)  # proves the address too
    return user


def _welcome(participant):
    flash(f"Welcome! Your place at {participant.event.name} is yours.", "success")
    return redirect(url_for("events.show", slug=participant.event.slug), 303)
