"""Configuration read from the environment (twelve-factor style)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _database_url(instance_path: Path) -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{instance_path / 'matchmaker.db'}"
    # Heroku-style URLs name the old driver; we ship psycopg 3.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _secret_key(instance_path: Path, production: bool) -> str:
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    if production:
        raise RuntimeError("SECRET_KEY must be set in production (MATCHMAKER_ENV=production).")
    # Development: generate once and keep it in the instance folder, so
    # sessions and reset links survive restarts.
    path = instance_path / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _organiser_signup(production: bool) -> str:
    value = os.environ.get("ORGANISER_SIGNUP") or ("approval" if production else "open")
    if value not in ("approval", "open"):
        raise RuntimeError(f"ORGANISER_SIGNUP must be 'approval' or 'open', not {value!r}.")
    return value


def _base_url(production: bool) -> str | None:
    """The public address links in e-mails, feeds and calendars start with.

    Production must say it (a guess from the request would let a forged Host header
    into reset links). In development None means "the address the app is served at"
    (``web.site_url``), so ``PORT=5077 make run`` links to port 5077.
    """
    url = (os.environ.get("BASE_URL") or "").strip().rstrip("/")
    if url:
        return url
    if production:
        raise RuntimeError(
            "BASE_URL must be set in production (MATCHMAKER_ENV=production), "
            "e.g. BASE_URL=https://meet.example.org"
        )
    return None


def load_config(instance_path: Path) -> dict:
    """Build the app configuration from the environment."""
    production = os.environ.get("MATCHMAKER_ENV", "development") == "production"
    instance_path.mkdir(parents=True, exist_ok=True)
    database_url = _database_url(instance_path)
    solver_threads = int(os.environ.get("SOLVER_THREADS", "2"))
    return {
        "PRODUCTION": production,
        "SECRET_KEY": _secret_key(instance_path, production),
        "SQLALCHEMY_DATABASE_URI": database_url,
        # A database server may restart under a long-lived pool: test connections before
        # use. A SQLite file cannot go away like that, and the ping would double the cost
        # of the smallest requests (a feed's revalidation is one tiny query).
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": not database_url.startswith("sqlite")},
        "BASE_URL": _base_url(production),
        "REDIS_URL": os.environ.get("REDIS_URL") or None,
        "HUEY_IMMEDIATE": _bool("HUEY_IMMEDIATE", False),
        "HUEY_SQLITE_PATH": os.environ.get("HUEY_SQLITE_PATH", str(instance_path / "huey.db")),
        # Solver runs have their own queue (its SQLite file defaults to huey-solver.db
        # beside HUEY_SQLITE_PATH) and pool: SOLVER_THREADS runs at once, each using
        # SOLVER_WORKERS (2) cores. At most RUNS_PER_ORGANISER active (queued or running)
        # runs per organiser and RUNS_MAX_TOTAL in all: the pool plus as many waiting.
        "HUEY_SOLVER_SQLITE_PATH": os.environ.get("HUEY_SOLVER_SQLITE_PATH") or None,
        "JOB_THREADS": int(os.environ.get("JOB_THREADS", "2")),
        "SOLVER_THREADS": solver_threads,
        "RUNS_PER_ORGANISER": int(os.environ.get("RUNS_PER_ORGANISER", "2")),
        "RUNS_MAX_TOTAL": int(os.environ.get("RUNS_MAX_TOTAL", str(2 * solver_threads))),
        # A running run whose worker has not heartbeaten for this long (seconds) is
        # failed by whoever looks at it next (its worker died): the draft stays as it was.
        "SOLVER_STALE_AFTER": int(os.environ.get("SOLVER_STALE_AFTER", "30")),
        # The largest problem a run may take on (meetings): above it the run fails at
        # once instead of the engine exhausting the worker's memory. 10,000 meetings
        # peak at about 120 MiB (bench/results/scheduler_scale.txt).
        "SOLVER_MAX_MEETINGS": int(os.environ.get("SOLVER_MAX_MEETINGS", "50000")),
        # How often an open "My meetings" page asks whether anything changed (seconds);
        # the menu's badge asks half as often. A poll that finds nothing new is a 304.
        "POLL_SECONDS": int(os.environ.get("POLL_SECONDS", "10")),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER") or None,
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "587")),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS", True),
        "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER", "matchmaker@localhost"),
        "PASSWORD_HASH_METHOD": "scrypt",
        # Password hashes (scrypt) at once on this machine, across processes: a login
        # burst leaves the other cores to everybody else (accounts/hashing.py). 0: no bound.
        "PASSWORD_HASH_CONCURRENCY": int(
            os.environ.get("PASSWORD_HASH_CONCURRENCY") or max(1, (os.cpu_count() or 2) - 1)
        ),
        "PASSWORD_RESET_MAX_AGE": int(os.environ.get("PASSWORD_RESET_MAX_AGE", "3600")),
        # Who may organise events: "approval" (a site admin approves each organiser account,
        # the default for a public deployment) or "open" (anyone who signs up as one).
        "ORGANISER_SIGNUP": _organiser_signup(production),
        # How many reverse proxies in front of the app set X-Forwarded-For/-Proto. Behind
        # one, without this, every visitor has the proxy's address and the per-IP limits
        # (log-in, sign-up, reset links) would count the whole site as one visitor.
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES", "0")),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production or _bool("SESSION_COOKIE_SECURE", False),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": production,
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
    }
