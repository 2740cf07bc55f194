"""The job worker: ``python -m matchmaker.worker`` runs one Huey consumer."""

from __future__ import annotations

import logging

from . import create_app
from .extensions import huey


def main() -> None:
    app = create_app()
    logging.getLogger("huey").setLevel(logging.INFO)
    with app.app_context():
        consumer = huey.create_consumer(workers=1, worker_type="thread", periodic=True)
        consumer.run()


if __name__ == "__main__":
    main()
