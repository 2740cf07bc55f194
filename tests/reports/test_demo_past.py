"""The demo gains a previous mission whose surveys were answered: its report has figures."""

from __future__ import annotations

from sqlalchemy import select

from matchmaker.demo.loader import load_demo
from matchmaker.demo.past import SLUG
from matchmaker.events.models import Event
from matchmaker.outcomes import mailing
from matchmaker.reports import figures


def test_demo_past_mission_has_a_report_with_real_figures(db):
    load_demo()
    event = db.scalar(select(Event).where(Event.slug == SLUG))
    assert event.status == "finished"
    r = figures.build(event)
    assert r.participants == 30 and r.meetings["scheduled"] > 40
    assert r.meetings["held"] > r.meetings["no_show"] > 0
    assert 0.5 < r.response_rate <= 1 and r.promising_mean and r.satisfaction_mean
    assert r.agreements_signed > 0 and sum(r.expected.values()) > 0
    assert r.requests["declined"] > 0 and r.revisions == 1
    # Its surveys and second stage went long ago: the periodic task sends nothing.
    assert mailing.send_due() == {}
