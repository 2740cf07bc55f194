"""The audit log page (the event's owners and organisers)."""

from __future__ import annotations

from sqlalchemy import select

from ..access import role_required
from ..events.loaders import organised_event_or_404
from ..extensions import db
from ..web import parse_id, render
from . import ACTIONS, bp
from .models import AuditEntry

PAGE_SIZE = 100


@bp.get("/events/<slug>/audit")
@role_required("organiser")
def log(slug: str):
    from flask import request

    event = organised_event_or_404(slug)
    before = parse_id(request.args.get("before"))
    query = select(AuditEntry).where(AuditEntry.event_id == event.id)
    if before:
        query = query.where(AuditEntry.id < before)
    entries = list(db.session.scalars(query.order_by(AuditEntry.id.desc()).limit(PAGE_SIZE + 1)))
    more = len(entries) > PAGE_SIZE
    entries = entries[:PAGE_SIZE]
    return render(
        "audit/log.html",
        event=event,
        entries=entries,
        names=_participant_names(event, entries),
        older=entries[-1].id if more else None,
        actions=ACTIONS,
    )


def _participant_names(event, entries) -> dict[int, str]:
    """Participants are named as they are now (an erased one as "Former participant"):
    the log keeps their id, never a copy of their personal data."""
    from ..participants.models import Participant

    ids = {e.details.get("participant_id") for e in entries if isinstance(e.details, dict)}
    ids.discard(None)
    if not ids:
        return {}
    rows = db.session.execute(
        select(Participant.id, Participant.name).where(
            Participant.event_id == event.id, Participant.id.in_(ids)
        )
    )
    return dict(rows.tuples().all())
