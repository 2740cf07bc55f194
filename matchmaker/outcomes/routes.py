"""The participant's pages after the event: the survey of each day, the second stage and
their follow-ups (CSV, vCards). Only the event's approved participants; others get 404."""

from __future__ import annotations

from datetime import date

from flask import Response, abort, flash, redirect, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from ..access import user_required
from ..events.loaders import visible_event_or_404
from ..participants.services import participant_for
from ..web import csv_response, render, submit
from . import bp, followups
from . import survey as surveys
from .models import AGREEMENT_KINDS, EXPECTED_RESULTS, VALUE_BANDS


def _participant(slug: str):
    event = visible_event_or_404(slug)
    participant = participant_for(event, current_user, approved=True)
    if participant is None:
        abort(404)
    return event, participant


def _day(event, participant) -> date | None:
    days = surveys.survey_days(event, participant)
    wanted = request.values.get("day", "")
    if wanted:
        try:
            day = date.fromisoformat(wanted)
        except ValueError:
            abort(404)
        if day not in days:
            abort(404)
        return day
    return days[-1] if days else None


@bp.route("/events/<slug>/survey", methods=["GET", "POST"])
@user_required
def survey(slug: str):
    event, participant = _participant(slug)
    day = _day(event, participant)
    form = FlaskForm()
    if day is not None:
        done = submit(form, lambda: surveys.save_survey(event, participant, day, request.form))
        if done.saved:
            flash(
                f"Thank you: {done.value} meeting(s) answered. You can change them later.",
                "success",
            )
            return redirect(url_for("outcomes.survey", slug=event.slug, day=day.isoformat()), 303)
        status = done.status
    else:
        status = 200
    day_items = surveys.items(event, participant, day) if day else []
    return render(
        "outcomes/survey.html",
        status=status,
        event=event,
        participant=participant,
        form=form,
        day=day,
        days=surveys.survey_days(event, participant),
        items=day_items,
        shown=surveys.shown_values(day_items, request.form if request.method == "POST" else None),
        response=surveys.response_of(participant, day) if day else None,
        posted=request.form if request.method == "POST" else None,
        results=EXPECTED_RESULTS,
        second_stage=surveys.second_stage_open(event),
    )


@bp.route("/events/<slug>/survey/agreements", methods=["GET", "POST"])
@user_required
def agreements(slug: str):
    event, participant = _participant(slug)
    if not surveys.second_stage_open(event):
        abort(404)
    form = FlaskForm()
    done = submit(form, lambda: surveys.save_agreements(event, participant, request.form))
    if done.saved:
        flash(f"Thank you: {done.value} contact(s) answered.", "success")
        return redirect(url_for("outcomes.agreements", slug=event.slug), 303)
    return render(
        "outcomes/agreements.html",
        status=done.status,
        event=event,
        form=form,
        items=[i for i in surveys.items(event, participant) if not i.answer or i.answer.held],
        # A refused form shows what was typed, not the stored answers.
        posted=request.form if request.method == "POST" else None,
        kinds=AGREEMENT_KINDS,
        bands=VALUE_BANDS,
    )


@bp.get("/events/<slug>/follow-ups")
@user_required
def follow_ups(slug: str):
    event, participant = _participant(slug)
    return render(
        "outcomes/follow_ups.html",
        event=event,
        contacts=followups.contacts(event, participant),
    )


@bp.get("/events/<slug>/follow-ups.csv")
@user_required
def follow_ups_csv(slug: str):
    event, participant = _participant(slug)
    rows = followups.csv_rows(followups.contacts(event, participant))
    return csv_response(f"{event.slug}-contacts.csv", followups.CSV_HEADER, rows)


@bp.get("/events/<slug>/follow-ups.vcf")
@user_required
def follow_ups_vcf(slug: str):
    event, participant = _participant(slug)
    body = followups.vcards(event, followups.contacts(event, participant))
    response = Response(body, content_type="text/vcard; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{event.slug}-contacts.vcf"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
