"""Huey task: the worker runs the solver so that no web request ever waits for it.

The task is on ``solver_huey``, the solver's own queue and worker pool (see
``matchmaker.worker``), so a run of minutes never holds up the e-mails on ``huey``.
"""

from ..extensions import app_task, solver_huey
from .runs import execute_run


@app_task(queue=solver_huey, retries=0)
def run_solver(run_id: int) -> None:
    """Execute a queued solver run (see ``runs.execute_run``)."""
    execute_run(run_id)
