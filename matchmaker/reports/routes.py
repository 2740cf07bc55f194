"""The organiser's report: figures and charts, the meetings with both sides' answers,
the XLSX, and the survey settings. Every route loads the event as its organiser."""

from __future__ import annotations

from flask import Response, flash, redirect, request, url_for

from ..access import role_required
from ..events.loaders import organised_event_or_404
from ..outcomes.survey import settings_of
from ..web import render, submit
from . import bp, figures, raw, settings, tables, xlsx

PAGE_SIZE = 50
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _anonymise() -> bool:
    return request.args.get("anonymise") == "1"


def _page(event, form, status=200):
    report = figures.build(event)
    return render(
        "reports/report.html",
        status=status,
        event=event,
        report=report,
        tables={t.key: t for t in tables.tables(report)},
        anonymise=_anonymise(),
        form=form,
        settings=settings_of(event),
    )


@bp.get("/events/<slug>/report")
@role_required("organiser")
def report(slug: str):
    event = organised_event_or_404(slug)
    return _page(event, settings.form_for(event, settings_of(event)))


@bp.post("/events/<slug>/report/settings")
@role_required("organiser")
def save_settings(slug: str):
    event = organised_event_or_404(slug)
    form = settings.form_for(event, settings_of(event))
    done = submit(
        form,
        lambda: settings.save(
            event, form.survey_time.data, form.reminder_hours.data, form.second_stage_on.data
        ),
    )
    if done.saved:
        flash("Survey settings saved.", "success")
        return redirect(url_for("reports.report", slug=event.slug), 303)
    return _page(event, form, done.status)


@bp.get("/events/<slug>/report/meetings")
@role_required("organiser")
def meetings(slug: str):
    event = organised_event_or_404(slug)
    page = max(1, request.args.get("page", 1, type=int) or 1)
    anonymise = _anonymise()
    rows = list(raw.rows(event, anonymise, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE + 1))
    return render(
        "reports/meetings.html",
        event=event,
        header=raw.header(anonymise),
        rows=rows[:PAGE_SIZE],
        number=page,
        more=len(rows) > PAGE_SIZE,
        anonymise=anonymise,
    )


@bp.get("/events/<slug>/report.xlsx")
@role_required("organiser")
def download(slug: str):
    event = organised_event_or_404(slug)
    anonymise = _anonymise()
    body = xlsx.workbook_bytes(event, anonymise)
    name = f"{event.slug}-report{'-anonymised' if anonymise else ''}.xlsx"
    response = Response(body, content_type=XLSX_TYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
