"""Matchmaker: B2B matchmaking for trade missions and brokerage events."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None) -> Flask:
    """Application factory. ``config`` overrides what the environment says."""
    from .config import load_config

    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    app.config.update(load_config(Path(app.instance_path)))
    if config:
        app.config.update(config)
    if proxies := app.config.get("TRUSTED_PROXIES"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        # The client's address and scheme as the proxies in front saw them.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]  # Flask's documented way
            app.wsgi_app, x_for=proxies, x_proto=proxies
        )
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )

    _init_extensions(app)
    _register_blueprints(app)
    _register_cli(app)
    return app


def _init_extensions(app: Flask) -> None:
    from . import access, errorhandlers, models, security, templating, web  # noqa: F401
    from .accounts.sessions import init_sessions, load_user
    from .database import init_database
    from .extensions import csrf, db, htmx, init_huey, login_manager, migrate

    db.init_app(app)
    init_database(app)  # real transactions (savepoints) on SQLite
    migrate.init_app(
        app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True
    )
    csrf.init_app(app)
    htmx.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    login_manager.user_loader(load_user)
    init_sessions(app)
    init_huey(app)
    access.init_access(app)
    security.init_security(app)
    errorhandlers.init_errorhandlers(app)
    web.init_web(app)
    templating.init_templating(app)


def _register_blueprints(app: Flask) -> None:
    from . import (
        accounts,
        audit,  # who did what on an event
        calendar,
        demo,
        desk,  # the event day: check-in, attendance, live board, printed signs
        events,
        mailings,  # organisers' mailings, the outbox, reminders, mail preferences
        meetings,
        notifications,
        outcomes,  # after the event: surveys, follow-ups (participants)
        participants,
        planning,  # the schedule: runs, drafts, publishing, agendas (the app's side of the engine)
        privacy,  # consent, my data, deleting an account, retention
        reports,  # after the event: the organisers' report
        teams,  # an event's team: co-organisers, desk, viewers
        threads,  # message threads on requests; organisers writing to one participant
        twofactor,  # TOTP and recovery codes at log-in
        visits,  # trade visits: groups with places, ranked wishes, the allocation
    )
    from .web import IdConverter

    app.url_map.converters["int"] = IdConverter  # ids beyond any row's answer 404

    for package in (
        accounts,
        events,
        participants,
        meetings,
        planning,  # the schedule: runs, drafts, publishing, agendas (the app's side of the engine)
        calendar,
        notifications,
        demo,
        desk,
        mailings,
        threads,
        outcomes,
        reports,
        teams,
        audit,
        privacy,
        twofactor,
        visits,
    ):
        app.register_blueprint(package.bp)
    # Task modules register their Huey tasks on import.
    from . import tasks  # noqa: F401


def _register_cli(app: Flask) -> None:
    from .accounts.cli import users_cli
    from .demo.cli import demo_cli
    from .planning.cli import schedule_cli

    for group in (users_cli, demo_cli, schedule_cli):
        app.cli.add_command(group)
    app.cli.add_command(__import__("matchmaker.calendar.cli").calendar.cli.calendar_cli)
    app.cli.add_command(__import__("matchmaker.reports.cli").reports.cli.report_cli)
    from . import backup  # noqa: F401  (adds `backup` and `restore` to Flask-Migrate's `db`)
