"""Domain errors raised by services; one handler maps them to HTTP statuses."""

from __future__ import annotations

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError


class DomainError(Exception):
    """A rule of the domain said no. ``field`` names the form field at fault."""

    status = 400

    def __init__(self, message: str, field: str | None = None, headers: dict | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        # Response headers the refusal comes with (``Retry-After`` for a 429).
        self.headers: dict[str, str] = dict(headers or {})

    def apply_to(self, form) -> None:
        """Attach the message to the form field it concerns (or the form as a whole)."""
        field = getattr(form, self.field, None) if self.field else None
        if field is not None:
            field.errors = [*field.errors, self.message]
        else:
            form.form_errors.append(self.message)


class NotFound(DomainError):
    status = 404


class Forbidden(DomainError):
    status = 403


class Conflict(DomainError):
    """The change clashes with the current state (double booking, duplicate request)."""

    status = 409


class Invalid(DomainError):
    """Well-formed input that breaks a rule of the domain."""

    status = 422


class TooManyAttempts(DomainError):
    """Refused for now: too many tries in a short time (e.g. wrong passwords).

    ``retry_after`` (seconds) becomes the response's ``Retry-After`` header."""

    status = 429

    def __init__(self, message: str, field: str | None = None, retry_after: int | None = None):
        headers = {"Retry-After": str(max(1, int(retry_after)))} if retry_after else None
        super().__init__(message, field, headers)
        self.retry_after = retry_after


class Unavailable(DomainError):
    """Something the request needs is down for now (the job queue, the database): try
    again later. ``retry_after`` (seconds) becomes ``Retry-After``."""

    status = 503

    def __init__(self, message: str, field: str | None = None, retry_after: int = 30):
        super().__init__(message, field, {"Retry-After": str(retry_after)})


# What enqueueing a job raises when the queue (Redis) does not answer.
JOB_QUEUE_ERRORS = (RedisConnectionError, RedisTimeoutError)

JOBS_UNAVAILABLE = (
    "Background jobs are unavailable right now (the job queue does not answer), so this "
    "cannot start. Nothing was lost: try again in a minute."
)
