import logging

from flask import flash, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user

from ..access import public, user_required
from ..errors import DomainError
from ..extensions import db
from ..mailings.outbox import queue_mail
from ..web import render, safe_next, submit
from . import bp, services, sessions, signup
from .forms import ForgotPasswordForm, LoginForm, RegisterForm, ResetPasswordForm
from .models import user_by_email

log = logging.getLogger(__name__)


def _safe_next(default: str) -> str:
    return safe_next(request.args.get("next"), default)


def _start_session(user) -> None:
    """Log ``user`` in on this browser, with a server-side session row (committed)."""
    session.clear()  # a fresh session on login: no fixation
    login_user(user)
    sessions.begin(user)
    db.session.commit()


def log_in(user, next_url: str, code: int = 303):
    """The redirect after ``user`` proved their password (or their address by a mailed
    link): to ``next_url`` logged in, or first to the code from the phone when two-factor
    is on. A mailed link is only one factor: it must not skip the second."""
    if user.totp_enabled_at:
        from ..twofactor.routes import begin_challenge

        begin_challenge(user, next_url)
        return redirect(url_for("twofactor.challenge"), code)
    _start_session(user)
    return redirect(next_url, code)


@bp.route("/register", methods=["GET", "POST"])
@public
def register():
    form = RegisterForm()
    if signup.organiser_signup() == "approval":
        note = " (a site admin approves organisers)"
        form.role.choices = [
            (value, label + note if value == "organiser" else label)
            for value, label in form.role.choices
        ]

    def sign_up():
        services.count_signup(form.email.data, request.remote_addr)  # before any mail
        return signup.sign_up(
            form.name.data, form.email.data, form.password.data, role=form.role.data
        )

    result = submit(form, sign_up)
    if result.saved:
        # The same answer whether or not the address had an account (then its owner got a
        # mail instead): no session, no "exists already". The mail's link proves the address.
        return render(
            "accounts/check_mail.html",
            email=form.email.data.strip().lower(),
            organiser_request=form.role.data == "organiser"
            and signup.organiser_signup() == "approval",
        )
    headers = result.refusal.headers if result.refusal else None
    return render("accounts/register.html", form=form, status=result.status, headers=headers)


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = services.authenticate(
                form.email.data, form.password.data, ip=request.remote_addr
            )
        except DomainError as refusal:  # too many attempts for now: 429 and Retry-After
            db.session.rollback()
            refusal.apply_to(form)
            return render(
                "accounts/login.html", form=form, status=refusal.status, headers=refusal.headers
            )
        db.session.commit()  # the login time, the counters' reset
        if user is None:
            form.password.errors.append("E-mail or password is wrong.")
            status = 422
        elif user.totp_enabled_at:  # the code from the phone first (twofactor)
            from ..twofactor.routes import begin_challenge

            begin_challenge(user, _safe_next(url_for("events.home")))
            return redirect(url_for("twofactor.challenge"))
        else:
            _start_session(user)
            return redirect(_safe_next(url_for("events.home")))
    elif form.is_submitted():
        status = 422
    return render("accounts/login.html", form=form, status=status)


@bp.post("/logout")
@user_required
def logout():
    sessions.end_current()
    db.session.commit()
    logout_user()
    session.clear()
    flash("You are logged out.", "info")
    return redirect(url_for("events.home"))


@bp.post("/account/logout-everywhere")
@user_required
def logout_everywhere():
    """End every session of this account, on every browser (this one included)."""
    sessions.end_all(current_user)
    db.session.commit()
    logout_user()
    session.clear()
    flash("You are logged out on every browser and device.", "info")
    return redirect(url_for("accounts.login"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@public
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        try:
            services.count_reset_request(form.email.data, request.remote_addr)
        except DomainError as refusal:  # the same for known and unknown addresses
            refusal.apply_to(form)
            return render(
                "accounts/forgot.html",
                form=form,
                lifetime=services.reset_link_lifetime(),
                status=refusal.status,
                headers=refusal.headers,
            )
        user = user_by_email(form.email.data)
        if user is not None:
            # Required mail, through the outbox (text and HTML). Without MAIL_SERVER the
            # worker writes it to the log, link included, for the operator.
            link = services.reset_link(user)
            lifetime = services.reset_link_lifetime()
            body = f"Reset your password here (the link works for {lifetime}):\n{link}"
            queue_mail(user.email, "Reset your Matchmaker password", body)
            db.session.commit()
        # The same answer whether or not the address is known: no account probing.
        flash("If an account uses that address, a reset link is on its way.", "info")
        return redirect(url_for("accounts.login"))
    return render(
        "accounts/forgot.html",
        form=form,
        lifetime=services.reset_link_lifetime(),
        status=422 if form.is_submitted() else 200,
    )


def _reset_and_confirm(user, password: str) -> None:
    services.change_password(user, password)
    # The link came by e-mail: the address is proven now (if it was not yet).
    signup.confirm_email(user)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str):
    try:
        user = services.user_from_reset_token(token)
    except DomainError as error:
        return render("accounts/reset_invalid.html", message=error.message, status=400)
    form = ResetPasswordForm()
    result = submit(form, lambda: _reset_and_confirm(user, form.password.data))
    if result.saved:
        response = log_in(user, url_for("events.home"), 302)
        flash("Your password is changed.", "success")  # after the new session began
        return response
    return render("accounts/reset.html", form=form, status=result.status)


@bp.get("/account")
@user_required
def account():
    return render(
        "accounts/account.html", user=current_user, session_count=sessions.count(current_user)
    )
