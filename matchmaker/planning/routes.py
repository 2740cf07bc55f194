"""The participant's side of the schedule: their agenda, and the template helpers that
say whether it exists (the organiser's pages are in ``organiser_routes``)."""

from __future__ import annotations

from datetime import datetime

from flask import abort
from flask_login import current_user

from ..access import user_required
from ..events.loaders import visible_event_or_404
from ..extensions import db
from ..participants.services import participant_for
from ..web import render
from . import agenda as agendas
from . import bp, runs
from . import changes as revision_changes


@bp.app_template_filter("fromiso")
def fromiso(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


@bp.app_context_processor
def schedule_helpers() -> dict:
    def my_agenda_available(event) -> bool:
        return (
            current_user.is_authenticated
            and agendas.is_published(event)
            and participant_for(event, current_user, approved=True) is not None
        )

    return {
        "my_agenda_available": my_agenda_available,
        "tie_break_summary": runs.tie_break_summary,
    }


@bp.get("/events/<slug>/agenda")
@user_required
def agenda(slug: str):
    event = visible_event_or_404(slug)
    participant = participant_for(event, current_user, approved=True)
    if participant is None:
        abort(404)
    published = agendas.is_published(event)
    changed: dict[int, str] = {}
    cancelled: list[str] = []
    if published:
        # Marks what changed since the revision they last saw, and records this one.
        changed, cancelled = revision_changes.since_last_seen(event, participant)
        if db.session.new or db.session.dirty:
            db.session.commit()
    return render(
        "schedules/agenda.html",
        event=event,
        participant=participant,
        days=agendas.agenda(event, participant, published),
        published=published,
        changed=changed,
        cancelled=cancelled,
    )
