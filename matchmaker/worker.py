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
from datetime import datetime, timedelta

from flask import Flask
from huey import Huey
from huey.consumer import Consumer
from huey.storage import RedisStorage

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
    if settings["periodic"]:
        once_per_period(instance)
    return instance.create_consumer(**settings)


#: How long a claim on a periodic task's minute is kept (Redis expires it).
CLAIM_SECONDS = 3600


def claim_period(instance: Huey, task, timestamp: datetime) -> bool:
    """Whether this consumer is the first to schedule ``task`` for ``timestamp``'s minute.

    Every consumer with ``periodic`` on schedules the periodic tasks (each checks once a
    minute): with a worker per machine, a reminder would go out once per machine. The
    first consumer to claim the minute in the shared storage schedules it; the others
    skip it. On Redis the claim is ``SET NX`` with an expiry; on the SQLite file it is
    Huey's ``put_if_empty``, and yesterday's claim of the same task is dropped.
    """
    key = f"periodic:{task.name}:{timestamp:%Y-%m-%dT%H:%M}"
    storage = instance.storage
    if isinstance(storage, RedisStorage):
        name = f"huey.{storage.name}.{key}"
        return bool(storage.conn.set(name, b"1", nx=True, ex=CLAIM_SECONDS))
    storage.pop_data(f"periodic:{task.name}:{timestamp - timedelta(days=1):%Y-%m-%dT%H:%M}")
    return bool(storage.put_if_empty(key, b"1"))


def once_per_period(instance: Huey) -> None:
    """Make ``instance``'s scheduler enqueue each periodic task once per minute across
    every consumer of the same storage (see ``claim_period``)."""
    if getattr(instance, "_once_per_period", False):
        return
    read_periodic = instance.read_periodic

    def read_claimed(timestamp=None):
        timestamp = timestamp or instance._get_timestamp()
        return [t for t in read_periodic(timestamp) if claim_period(instance, t, timestamp)]

    instance.read_periodic = read_claimed
    instance._once_per_period = True


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m matchmaker.worker")
    parser.add_argument("queues", nargs="*", metavar="{jobs,solver}", help="default: both")
    queues = list(dict.fromkeys(parser.parse_args(argv).queues or QUEUES))
    if unknown := [q for q in queues if q not in QUEUES]:
        parser.error(f"unknown queue {unknown[0]!r}: choose from {', '.join(QUEUES)}")
    app = create_app()
    # What each task did goes to stderr (Huey logs every task it runs, at INFO).
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
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
