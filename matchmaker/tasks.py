"""Import every module that defines Huey tasks, so the worker knows them all."""

from .accounts import tasks as account_tasks  # noqa: F401
from .mailings import tasks as mailing_tasks  # noqa: F401
from .notifications import mail  # noqa: F401
from .outcomes import tasks as outcome_tasks  # noqa: F401
from .planning import tasks as schedule_tasks  # noqa: F401
from .privacy import tasks as privacy_tasks  # noqa: F401
from .threads import tasks as thread_tasks  # noqa: F401
