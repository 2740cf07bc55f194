"""What the meeting templates need, gathered in one place for pages and fragments."""

from __future__ import annotations

import math

from ..participants.models import Participant
from .booking import PER_PAGE, TABS, booking_problem, counts_for, open_request_between, requests_of
from .forms import ReasonForm, RequestForm


def request_box_context(event, me: Participant | None, other: Participant, **extra) -> dict:
    """The "request a meeting" box on someone's profile, from ``me``'s point of view."""
    can_ask = me is not None and me.status == "approved" and me.id != other.id
    return {
        "box_me": me,
        "box_other": other,
        "box_request": open_request_between(me, other) if me is not None and can_ask else None,
        "box_can_ask": can_ask,
        "box_problem": booking_problem(event),
        "request_form": extra.pop("request_form", None) or RequestForm(formdata=None),
        "box_error": extra.pop("box_error", None),
    }


def my_meetings_context(event, me: Participant, show: str, page: int = 1) -> dict:
    show = show if show in TABS else "all"
    counts = counts_for(me)
    in_tab = {
        "all": counts.open + counts.declined + counts.closed,
        "incoming": counts.incoming,
        "outgoing": counts.outgoing,
        "accepted": counts.accepted,
        "declined": counts.declined,
        "closed": counts.closed,
    }[show]
    pages = max(1, math.ceil(in_tab / PER_PAGE))
    page = min(max(page, 1), pages)
    return {
        "event": event,
        "me": me,
        "show": show,
        "tabs": TABS,
        "counts": counts,
        "requests": requests_of(me, show, page),
        "page_number": page,
        "pages": pages,
        "reason_form": ReasonForm(formdata=None),
    }
