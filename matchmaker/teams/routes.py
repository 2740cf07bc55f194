"""The team page (the event's owners) and the invitation link (its reader)."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_login import current_user

from ..access import public, role_required
from ..errors import DomainError
from ..events.loaders import organised_event_or_404
from ..web import act, render, submit
from . import bp, services
from .forms import InviteForm

OWNERS = ("owner",)


def landing(event, role: str | None) -> str:
    """Where a team member in ``role`` starts: the first page that role may open."""
    if role == "desk":
        return url_for("desk.checkin_page", slug=event.slug)
    if role == "viewer":
        return url_for("reports.report", slug=event.slug)
    return url_for("events.manage", slug=event.slug)


@bp.route("/events/<slug>/team", methods=["GET", "POST"])
@role_required("organiser")
def team(slug: str):
    event = organised_event_or_404(slug, allow=OWNERS)
    form = InviteForm()
    result = submit(
        form, lambda: services.invite(event, current_user, form.email.data, form.role.data)
    )
    if result.saved:
        flash(f"Invitation sent to {result.value.email}.", "success")
        return redirect(url_for("teams.team", slug=slug))
    return _team_page(event, form, result.status)


def _team_page(event, form, status: int, settings: dict | None = None, refusal=None):
    """The team page; ``settings`` (the rules as typed) and ``refusal`` when the rules
    were refused, so the form shows what was typed with the message at its field."""
    from ..privacy.retention import retention_date

    return render(
        "teams/team.html",
        event=event,
        form=form,
        retention=retention_date(event),
        members=services.members(event),
        invitations=services.pending_invitations(event),
        roles=services.ROLE_LABELS,
        settings=settings,
        settings_refusal=refusal,
        status=status,
    )


def _change(event, action, message: str):
    changed = act(lambda: action(event))
    flash(changed.message or message, "error" if changed.refusal else "success")
    return redirect(url_for("teams.team", slug=event.slug))


@bp.post("/events/<slug>/team/members/<int:user_id>/role")
@role_required("organiser")
def set_role(slug: str, user_id: int):
    role = request.form.get("role", "")
    event = organised_event_or_404(slug, allow=OWNERS)
    return _change(
        event, lambda e: services.set_role(e, current_user, user_id, role), "Role changed."
    )


@bp.post("/events/<slug>/team/members/<int:user_id>/remove")
@role_required("organiser")
def remove(slug: str, user_id: int):
    event = organised_event_or_404(slug, allow=OWNERS)
    return _change(
        event, lambda e: services.remove(e, current_user, user_id), "Removed from the team."
    )


@bp.post("/events/<slug>/team/invitations/<int:invitation_id>/withdraw")
@role_required("organiser")
def withdraw(slug: str, invitation_id: int):
    event = organised_event_or_404(slug, allow=OWNERS)
    return _change(event, lambda e: services.withdraw(e, invitation_id), "Invitation withdrawn.")


@bp.route("/team/join/<token>", methods=["GET", "POST"])
@public
def accept(token: str):
    """The link from the mail: log in (or sign up) as the invited address, then join."""
    try:
        invitation = services.invitation_from_token(token)
    except DomainError as error:
        return render("teams/join.html", status=404, error=error.message, invitation=None)
    if request.method == "POST" and current_user.is_authenticated:
        joined = act(lambda: services.accept(invitation, current_user))
        if joined.refusal:
            return render(
                "teams/join.html", status=joined.status, error=joined.message, invitation=invitation
            )
        event = joined.value
        role = event.team_role(current_user)
        flash(f"You are on the team of {event.name}.", "success")
        return redirect(landing(event, role))
    return render("teams/join.html", error=None, invitation=invitation, roles=services.ROLE_LABELS)


@bp.post("/events/<slug>/team/settings")
@role_required("organiser")
def settings(slug: str):
    """The team's rules: the day personal data is anonymised, two-factor for everyone."""
    from datetime import date

    from ..privacy.retention import set_retain_until

    def change(event):
        raw = request.form.get("retain_until", "").strip()
        try:
            value = date.fromisoformat(raw) if raw else None
        except ValueError:
            from ..errors import Invalid

            raise Invalid("Give a date.", "retain_until") from None
        if value != event.retain_until:
            set_retain_until(event, current_user, value)
        services.set_two_factor_rule(
            event, current_user, request.form.get("require_two_factor") == "yes"
        )

    event = organised_event_or_404(slug, allow=OWNERS)
    changed = act(lambda: change(event))
    if changed.refusal is None:
        flash("Saved.", "success")
        return redirect(url_for("teams.team", slug=slug))
    typed = {
        "retain_until": request.form.get("retain_until", ""),
        "require_two_factor": request.form.get("require_two_factor") == "yes",
    }
    return _team_page(event, InviteForm(formdata=None), changed.status, typed, changed.refusal)
