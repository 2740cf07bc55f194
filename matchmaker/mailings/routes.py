"""The organiser's mail: compose (audience, count, preview), send, watch, history, the
event's outbox and its reminder switches. Every route loads the event as its organiser
(others get 404)."""

from __future__ import annotations

import re

from flask import abort, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ..access import role_required
from ..errors import DomainError
from ..events.loaders import organised_event_or_404
from ..extensions import db
from ..web import get_or_404, parse_id, render, submit, wants_fragment
from . import bp, mailings, reminders
from .forms import MailingForm, ReminderSettingsForm
from .mailings import AUDIENCES, CALENDAR_TEMPLATE, countries
from .models import Mailing, OutboxMail

OUTBOX_PAGE = 100
#: Links in a mail that act as its recipient (take a place, join a team, set a password,
#: confirm an address, read their calendar, change their mail choices). The event's
#: organisers see the mail without them: a place's invitation link opened by an
#: organiser would make an account for the invited address, proven, and with it every
#: place made for that address at other organisers' events too.
PERSONAL_LINK = re.compile(
    r"https?://\S+?/(?:invitations|team/join|password/reset|confirm|feeds|mail/preferences"
    r"|mail/unsubscribe)/\S+"
)


def _without_personal_links(text: str | None) -> str | None:
    return PERSONAL_LINK.sub("(the recipient's personal link, not shown)", text) if text else text


def _compose(event, form, status=200, preview=None, settings_form=None):
    if settings_form is None:
        settings_form = ReminderSettingsForm(obj=reminders.settings_for(event), formdata=None)
    return render(
        "mailings/index.html",
        "mailings/_compose.html",
        status=status,
        event=event,
        form=form,
        preview=preview,
        countries=countries(event),
        mailings=mailings.history(event),
        audiences=AUDIENCES,
        settings_form=settings_form,
    )


@bp.route("/events/<slug>/mailings", methods=["GET", "POST"])
@role_required("organiser")
def index(slug: str):
    """Compose (GET), preview (POST with ``preview``) or send (POST) a mailing."""
    event = organised_event_or_404(slug)
    form = MailingForm()
    if request.method == "GET" and request.args.get("template") == "calendar":
        form.subject.data, form.body.data = CALENDAR_TEMPLATE
    if request.method == "GET" or "preview" in request.form:
        preview = None
        if request.method == "POST":
            if not form.validate_on_submit():
                return _compose(event, form, 422)
            try:
                preview = mailings.preview(event, form.draft())
                preview["opted_out"] = mailings.opted_out_count(event, form.draft())
            except DomainError as error:
                error.apply_to(form)
                return _compose(event, form, error.status)
        return _compose(event, form, preview=preview)
    done = submit(form, lambda: mailings.create_mailing(event, current_user, form.draft()))
    if not done.saved:
        return _compose(event, form, done.status)
    target = url_for("mailings.show", slug=event.slug, mailing_id=done.value.id)
    if wants_fragment():
        return "", 204, {"HX-Redirect": target}
    return redirect(target, 303)


@bp.get("/events/<slug>/mailings/count")
@role_required("organiser")
def audience_count(slug: str):
    """How many the chosen audience holds (the compose form asks as it changes)."""
    event = organised_event_or_404(slug)
    form = MailingForm(formdata=request.args, meta={"csrf": False})
    try:
        total = mailings.count(event, form.audience.data, form.draft().value)
    except DomainError:
        total = None
    return render("mailings/_count.html", total=total)


def _mailing_or_404(event, mailing_id: int) -> Mailing:
    mailing = get_or_404(Mailing, mailing_id)
    if mailing.event_id != event.id:
        abort(404)
    return mailing


@bp.get("/events/<slug>/mailings/<int:mailing_id>")
@role_required("organiser")
def show(slug: str, mailing_id: int):
    event = organised_event_or_404(slug)
    mailing = _mailing_or_404(event, mailing_id)
    progress = mailings.progress(mailing)
    response = render(
        "mailings/show.html",
        "mailings/_progress.html",
        event=event,
        mailing=mailing,
        progress=progress,
    )
    if wants_fragment() and mailing.status == "done":
        response.status_code = 286  # htmx stops polling
    return response


@bp.get("/events/<slug>/outbox")
@role_required("organiser")
def outbox(slug: str):
    """The event's mail, newest first: what was sent, to whom, and the server's answer."""
    event = organised_event_or_404(slug)
    return _outbox_page(event, OutboxMail.event_id == event.id)


@bp.get("/admin/outbox")
@role_required("admin")
def all_outbox():
    """Site admins: every message, whatever its event."""
    return _outbox_page(None, None)


def _outbox_page(event, condition):
    query = select(OutboxMail).order_by(OutboxMail.id.desc()).limit(OUTBOX_PAGE)
    if condition is not None:
        query = query.where(condition)
    if status := request.args.get("status"):
        query = query.where(OutboxMail.status == status)
    rows = list(db.session.scalars(query))
    mail_id = parse_id(request.args.get("mail"))  # not every string of digits is an id
    shown = db.session.get(OutboxMail, mail_id) if mail_id else None
    if shown is not None and event is not None and shown.event_id != event.id:
        shown = None
    text = shown.text_body if shown is not None else None
    if event is not None:  # the organisers' page; site admins see the mail as it went
        text = _without_personal_links(text)
    return render("mailings/outbox.html", event=event, rows=rows, shown=shown, shown_text=text)


@bp.post("/events/<slug>/mailings/reminders")
@role_required("organiser")
def reminder_settings(slug: str):
    event = organised_event_or_404(slug)
    form = ReminderSettingsForm()
    done = submit(form, lambda: reminders.save_settings(event, form))
    if not done.saved:  # the settings as typed, with the error beside the field
        return _compose(event, MailingForm(formdata=None), done.status, settings_form=form)
    return redirect(url_for("mailings.index", slug=event.slug) + "#reminders", 303)
