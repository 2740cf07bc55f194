"""Turning two-factor on and off (the account page), and the code asked at log-in."""

from __future__ import annotations

import time

from flask import flash, redirect, request, session, url_for
from flask_login import current_user

from .. import ratelimit
from ..access import public, user_required
from ..errors import DomainError, Invalid
from ..extensions import db
from ..web import render, safe_next
from . import bp, services

PENDING = "two_factor_pending"
#: A password proven this long ago still waits for its code; then log in again.
PENDING_SECONDS = 300


def begin_challenge(user, next_url: str) -> None:
    """After the password: remember who is half logged in, until the code comes."""
    session[PENDING] = {"u": user.id, "v": user.auth_version, "t": time.time(), "n": next_url}


@bp.route("/account/two-factor", methods=["GET", "POST"])
@user_required
def setup():
    user = current_user
    codes, status = None, 200
    if request.method == "POST":
        try:
            codes = services.enable(user, request.form.get("code", ""))
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
            status = error.status
        else:
            db.session.commit()
            flash("Two-factor log-in is on.", "success")
    elif not user.totp_enabled_at:
        services.pending_secret(user)
        db.session.commit()
    return render(
        "twofactor/setup.html",
        user=user,
        codes=codes,
        qr=services.qr_svg(user) if user.totp_secret and not user.totp_enabled_at else None,
        status=status,
    )


@bp.post("/account/two-factor/off")
@user_required
def turn_off():
    try:
        services.disable(current_user, request.form.get("password"), request.form.get("code"))
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("twofactor.setup"))
    db.session.commit()
    flash("Two-factor log-in is off.", "info")
    return redirect(url_for("accounts.account"))


@bp.route("/login/two-factor", methods=["GET", "POST"])
@public
def challenge():
    from ..accounts.models import User
    from ..accounts.routes import _start_session

    pending = session.get(PENDING)
    user = db.session.get(User, pending["u"]) if pending else None
    if (
        user is None
        or user.auth_version != pending["v"]
        or time.time() - pending["t"] > PENDING_SECONDS
    ):
        session.pop(PENDING, None)
        flash("Log in again, please.", "info")
        return redirect(url_for("accounts.login"))
    error, status = None, 200
    if request.method == "POST":
        try:
            ratelimit.check(
                f"2fa:{user.id}", 10, 600, "Too many codes tried. Try again in {wait}.", "code"
            )
            if not services.verify(user, request.form.get("code", "")):
                raise Invalid("That code is not right.", "code")
        except DomainError as refusal:
            db.session.rollback()
            error, status = refusal.message, refusal.status
        else:
            target = safe_next(pending.get("n"), url_for("events.home"))
            _start_session(user)  # clears the session, the pending log-in with it
            return redirect(target)
    return render("twofactor/challenge.html", error=error, status=status)
