"""Confirming an address, re-sending the link, and site admins' answers to organiser requests."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_login import current_user

from ..access import public, role_required, user_required
from ..errors import DomainError, Invalid
from ..extensions import db
from ..web import get_or_404, render, safe_next
from . import bp, services, signup
from .models import User


@bp.route("/confirm/<token>", methods=["GET", "POST"])
@public
def confirm_email(token: str):
    """GET shows what is confirmed; the button (POST) confirms, so a mail scanner that
    fetches links confirms nothing. The account's password is asked too (unless one is
    logged in as it): whoever made an account with someone else's address cannot have
    that person prove it for them, and so get the places made for that address."""
    try:
        user = signup.user_from_confirmation_token(token)
    except DomainError as error:
        return render("accounts/link_invalid.html", message=error.message, status=400)
    if user.email_confirmed_at is not None:
        flash("Your e-mail address is confirmed already.", "info")
        return redirect(_after_confirmation())
    own = current_user.is_authenticated and current_user.id == user.id
    if request.method == "GET":
        return render("accounts/confirm.html", user=user, ask_password=not own)
    refusal = None if own else _password_refusal(user)
    if refusal is not None:
        return render(
            "accounts/confirm.html",
            user=user,
            ask_password=True,
            password_error=refusal.message,
            status=refusal.status,
            headers=refusal.headers,
        )
    return _confirmed(user)


def _password_refusal(user: User) -> DomainError | None:
    """Why the password typed does not prove ``user``'s account, or None when it does: a
    guess as at log-in, counted first and limited per address and IP."""
    try:
        services.count_login_attempt(user.email, request.remote_addr)
    except DomainError as refusal:
        return refusal
    if not user.check_password(request.form.get("password", "")[:200]):
        return Invalid("That is not this account's password. Not your account? Then do nothing.")
    return None


def _confirmed(user: User):
    """Confirm ``user``'s address; whoever was not logged in is now (the password and the
    address are both proven; two-factor still asks its code)."""
    linked = signup.confirm_email(user)
    db.session.commit()
    if current_user.is_authenticated:
        response = redirect(_after_confirmation(), 303)
    else:
        from .routes import log_in

        response = log_in(user, url_for("events.home"))
    flash("Thank you: your e-mail address is confirmed.", "success")  # in the new session
    if linked:
        events = ", ".join(sorted({p.event.name for p in linked}))
        flash(f"Your places organisers made for you are in your account: {events}.", "info")
    return response


def _after_confirmation() -> str:
    if current_user.is_authenticated:
        return url_for("events.home")
    return url_for("accounts.login")


@bp.post("/confirm/resend")
@user_required
def resend_confirmation():
    try:
        signup.resend_confirmation(current_user)
        db.session.commit()
        flash(f"We sent a new confirmation link to {current_user.email}.", "success")
    except DomainError as refusal:
        db.session.rollback()
        flash(refusal.message, "error" if refusal.status != 409 else "info")
    return redirect(safe_next(request.form.get("next"), url_for("events.home")), 303)


@bp.post("/account/organise")
@user_required
def ask_to_organise():
    """A participant account asks to organise (granted at once where sign-up is open)."""
    try:
        granted = signup.ask_to_organise(current_user)
        db.session.commit()
    except DomainError as refusal:
        db.session.rollback()
        flash(refusal.message, "error")
        return redirect(url_for("accounts.account"), 303)
    if granted:
        flash("You can now organise events.", "success")
    else:
        flash("A site admin will look at your request to organise events.", "info")
    return redirect(url_for("accounts.account"), 303)


@bp.get("/admin/organisers")
@role_required("admin")
def organiser_requests():
    return render("accounts/organiser_requests.html", requests=signup.organiser_requests())


@bp.post("/admin/organisers/<int:user_id>")
@role_required("admin")
def decide_organiser_request(user_id: int):
    user = get_or_404(User, user_id)
    approve = request.form.get("decision") == "approve"
    try:
        signup.decide_organiser_request(user, approve)
        db.session.commit()
        flash(f"{user.name} {'may now organise events' if approve else 'was declined'}.", "success")
    except DomainError as refusal:
        db.session.rollback()
        flash(refusal.message, "error")
    return redirect(url_for("accounts.organiser_requests"), 303)
