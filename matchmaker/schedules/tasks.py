"""Huey task: the worker runs the solver so that no web request ever waits for it."""

from ..extensions import app_task
from .runs import execute_run


@app_task(retries=0)
def run_solver(run_id: int) -> None:
    """Execute a queued solver run (see ``runs.execute_run``)."""
    execute_run(run_id)
