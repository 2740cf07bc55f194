"""WSGI entry point: ``gunicorn wsgi:app`` or ``flask --app wsgi ...``."""

import gc

from matchmaker import create_app

app = create_app()
# What is loaded by now (modules, the app, OR-Tools) lives as long as the worker: out of
# the cyclic collector's way, a full collection during a request walks that request's
# objects only (bench/event_day.py, 2,000 participants: check-in search p95 135 -> 30 ms).
gc.freeze()
