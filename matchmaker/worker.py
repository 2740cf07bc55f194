"""The job workers: ``python -m matchmaker.worker [jobs] [solver]``.

Two queues, each with its own Huey instance and thread pool: ``jobs`` (e-mail, reset
links among them; ``JOB_THREADS``) and ``solver`` (solver runs, minutes each;
``SOLVER_THREADS``, one run per thread). A run therefore never holds up an e-mail.
With no argument one process consumes both; ``scripts/run.py`` and a deployment that
wants them apart start one process per queue.
"""

from __future__ import annotations

import argparse
import logging

from flask import Flask
from huey.consumer import Consumer

from . import create_app
from .extensions import huey, solver_huey

QUEUES = ("jobs", "solver")


def consumer_for(queue: str, app: Flask, **options) -> Consumer:
    """The Huey consumer of ``queue`` with the pool the configuration gives it.

    Idle polling backs off to at most one second (Huey's default is ten), so a run an
    organiser starts begins at once; Redis storage blocks instead of polling.
    """
    instance, threads = {
        "jobs": (huey, app.config.get("JOB_THREADS", 2)),
        "solver": (solver_huey, app.config.get("SOLVER_THREADS", 2)),
    }[queue]
    settings = {"workers": threads, "worker_type": "thread", "max_delay": 1.0}
    settings["periodic"] = queue == "jobs"
    settings.update(options)
    return instance.create_consumer(**settings)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m matchmaker.worker")
    parser.add_argument("queues", nargs="*", metavar="{jobs,solver}", help="default: both")
    queues = list(dict.fromkeys(parser.parse_args(argv).queues or QUEUES))
    if unknown := [q for q in queues if q not in QUEUES]:
        parser.error(f"unknown queue {unknown[0]!r}: choose from {', '.join(QUEUES)}")
    app = create_app()
    logging.getLogger("huey").setLevel(logging.INFO)
    *others, first = [consumer_for(queue, app) for queue in queues]
    with app.app_context():
        for consumer in others:
            # One process, one set of signal handlers: the first consumer's. When it
            # stops, the others stop with it (as abruptly: a solver run cut short is
            # marked failed by its stale heartbeat, as if the worker had died).
            consumer._set_signal_handlers = lambda: None
            consumer.start()
        try:
            first.run()
        finally:
            for consumer in others:
                consumer.stop()


if __name__ == "__main__":
    main()
