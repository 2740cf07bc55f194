"""My data (download, readable page) and deleting my account."""

from __future__ import annotations

from flask import Response, flash, redirect, session, url_for
from flask_login import current_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.validators import DataRequired, Length

from ..access import user_required
from ..extensions import db
from ..web import render, submit
from . import bp, consent, erase, mydata


class DeleteAccountForm(FlaskForm):
    password = PasswordField("Your password", validators=[DataRequired(), Length(max=200)])


@bp.get("/account/data")
@user_required
def my_data():
    data = mydata.collect(current_user)
    return render(
        "privacy/my_data.html",
        data=data,
        title=mydata.section_title,
        places=_my_places(),
        questions=(consent.LISTED_QUESTION, consent.SHARE_QUESTION),
    )


def _my_places():
    from sqlalchemy import select

    from ..extensions import db
    from ..participants.models import Participant

    return db.session.scalars(
        select(Participant).where(Participant.user_id == current_user.id).order_by(Participant.id)
    ).all()


@bp.post("/account/choices/<int:participant_id>")
@user_required
def change_choices(participant_id: int):
    """Change one's mind about what others see at one event (recorded as a new consent)."""
    from flask import abort, request

    from ..extensions import db
    from ..participants.models import Participant

    place = db.session.get(Participant, participant_id)
    if place is None or place.user_id != current_user.id:
        abort(404)
    consent.record(
        place,
        listed=request.form.get("listed") == "yes",
        share_contact=request.form.get("share_contact") == "yes",
        phone=request.form.get("phone", place.phone),
    )
    db.session.commit()
    flash(f"Your choices for {place.event.name} are saved.", "success")
    return redirect(url_for("privacy.my_data") + f"#choices-{place.id}")


@bp.get("/account/data.json")
@user_required
def my_data_json():
    if mydata.row_count(current_user) > mydata.LARGE_ROWS:
        # Too much to build while the browser waits: the worker mails it.
        from ..notifications.services import after_commit
        from .tasks import mail_my_data

        user_id = current_user.id
        after_commit(lambda: mail_my_data(user_id))  # queued once this request commits
        db.session.commit()
        flash(
            f"Your data is large: we are preparing it and will e-mail it to "
            f"{current_user.email} as a JSON file in a few minutes.",
            "info",
        )
        return redirect(url_for("privacy.my_data"))
    body = mydata.as_json(current_user)
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": 'attachment; filename="my-matchmaker-data.json"'},
    )


@bp.route("/account/delete", methods=["GET", "POST"])
@user_required
def delete_account():
    form = DeleteAccountForm()
    result = submit(form, lambda: erase.delete_account(current_user, form.password.data))
    if result.saved:
        logout_user()
        session.clear()
        flash("Your account is deleted, and your personal data with it.", "info")
        return redirect(url_for("events.home"))
    return render(
        "privacy/delete.html",
        form=form,
        owned=erase.sole_owner_of(current_user),
        status=result.status,
    )
