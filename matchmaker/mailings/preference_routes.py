"""What one receives: the page behind the link at the foot of optional mail (no log-in
needed: the link is signed), its one-click unsubscribe (RFC 8058), and the same choices
on the account for a logged-in user."""

from __future__ import annotations

from flask import redirect, request, url_for
from flask_login import current_user

from ..access import public, user_required
from ..extensions import csrf, db
from ..web import render, submit
from . import bp
from . import preferences as prefs
from .forms import PreferencesForm
from .models import OPTIONAL_CATEGORIES


def _page(email: str, action: str, status: int = 200, saved: bool = False, form=None):
    row = prefs.preference_for(email)
    form = form or PreferencesForm(obj=row, formdata=None)
    return render(
        "mailings/preferences.html",
        status=status,
        form=form,
        email=email,
        action=action,
        saved=saved,
    )


@bp.route("/mail/preferences/<token>", methods=["GET", "POST"])
@public
def preferences_page(token: str):
    email = prefs.email_from_token(token)
    action = url_for("mailings.preferences_page", token=token)
    form = PreferencesForm()
    if request.method == "GET":
        return _page(email, action)
    done = submit(
        form,
        lambda: prefs.set_preferences(
            email, announcements=form.announcements.data, reminders=form.reminders.data
        ),
    )
    return _page(email, action, done.status, saved=done.saved, form=form)


# The endpoint optional mail links to. GET shows the page; POST is the mail client's
# one-click unsubscribe (``List-Unsubscribe=One-Click``), which carries no CSRF token:
# the signed address in the link is the proof.
@bp.route("/mail/unsubscribe/<token>", methods=["GET", "POST"])
@public
@csrf.exempt
def unsubscribe(token: str):
    if request.method == "GET":
        return redirect(url_for("mailings.preferences_page", token=token))
    email = prefs.email_from_token(token)
    category = request.args.get("c", "")
    if category in OPTIONAL_CATEGORIES:
        prefs.set_preferences(email, **{category: False})
    else:
        prefs.set_preferences(email, **dict.fromkeys(OPTIONAL_CATEGORIES, False))
    db.session.commit()
    return "Unsubscribed.\n", 200, {"Content-Type": "text/plain; charset=utf-8"}


@bp.route("/account/mail", methods=["GET", "POST"])
@user_required
def my_preferences():
    email = current_user.email
    action = url_for("mailings.my_preferences")
    if request.method == "GET":
        return _page(email, action)
    form = PreferencesForm()
    done = submit(
        form,
        lambda: prefs.set_preferences(
            email, announcements=form.announcements.data, reminders=form.reminders.data
        ),
    )
    return _page(email, action, done.status, saved=done.saved, form=form)
