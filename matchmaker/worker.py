"""The job worker: ``python -m matchmaker.worker`` runs one Huey consumer."""

from __future__ import annotations

import logging

from . import create_app
from .extensions import huey


def main() -> None:
    app = create_app()
    logging.getLogger("huey").setLevel(logging.INFO)
    with app.app_context():
        # Two threads: a solver run (minutes) must not hold up the e-mails queued behind
        # it. Idle polling backs off to at most one second (Huey's default is ten), so a
        # run an organiser starts begins at once; Redis storage blocks instead of polling.
        consumer = huey.create_consumer(
            workers=2, worker_type="thread", periodic=True, max_delay=1.0
        )
        consumer.run()


if __name__ == "__main__":
    main()
