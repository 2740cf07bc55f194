"""Serve Matchmaker and run its job workers together, as `make run` does.

The web server is gunicorn with 2 workers of 8 threads each (gthread), as the README's
deployment says, so the demo behaves like the real thing (a log-in's password hash or a
slow page holds one thread, not a whole worker); the job workers are
`python -m matchmaker.worker jobs` (e-mail) and `python -m matchmaker.worker solver`
(solver runs), one Huey queue each, so a solver run never holds up an e-mail. All are
children of this script: Ctrl-C (or SIGTERM) stops them all, and if one dies the others
are stopped too, so nothing is left running.

Environment: HOST (default 127.0.0.1), PORT (default 5000), WEB_CONCURRENCY (gunicorn
workers, default 2), WEB_THREADS (threads per worker, default 8). Everything else
(DATABASE_URL, REDIS_URL, ...) is read by the app itself. HOST and PORT are passed on to
both children: without BASE_URL, links in e-mails and feeds made outside a request (the
worker) point there.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
STOP_TIMEOUT = 10.0


def port_open(host: str, port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


def stop(procs: list[subprocess.Popen]) -> None:
    """Ask every child still running to stop; kill those that don't in time."""
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT
    for p in procs:
        try:
            p.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def main() -> int:
    host = os.environ.get("HOST") or "127.0.0.1"
    port = int(os.environ.get("PORT") or 5000)
    shown_host = "127.0.0.1" if host in ("0.0.0.0", "") else host
    if port_open(shown_host, port):
        print(f"Port {port} is already in use; try: PORT={port + 1} make run", file=sys.stderr)
        return 1

    web_cmd = [
        str(BIN / "gunicorn"),
        "--workers", os.environ.get("WEB_CONCURRENCY", "2"),
        "--threads", os.environ.get("WEB_THREADS", "8"),
        "--worker-class", "gthread",
        "--bind", f"{host}:{port}",
        "wsgi:app",
    ]  # fmt: skip
    worker_cmds = {
        queue: [sys.executable, "-m", "matchmaker.worker", queue] for queue in ("jobs", "solver")
    }

    # Ctrl-C and SIGTERM both stop everything (set explicitly: a shell that starts us
    # in the background would otherwise have us ignore SIGINT).
    def on_signal(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)

    env = dict(os.environ, HOST=host, PORT=str(port))
    procs: list[subprocess.Popen] = []
    try:
        procs.append(subprocess.Popen(web_cmd, cwd=ROOT, env=env))
        names = ["web server"]
        for queue, cmd in worker_cmds.items():
            procs.append(subprocess.Popen(cmd, cwd=ROOT, env=env))
            names.append(f"{queue} worker")
        deadline = time.monotonic() + 60
        while not port_open(shown_host, port):
            if any(p.poll() is not None for p in procs) or time.monotonic() > deadline:
                print("Matchmaker failed to start.", file=sys.stderr)
                return 1
            time.sleep(0.2)
        url = f"http://{shown_host}:{port}/"
        links = os.environ.get("BASE_URL") or "the address you open it at"
        print(
            f"\nMatchmaker is running: {url}\nLinks in e-mails and calendar feeds point to "
            f"{links}.\nPress Ctrl-C to stop it.\n",
            flush=True,
        )
        while True:
            for p in procs:
                code = p.poll()
                if code is not None:
                    name = names[procs.index(p)]
                    print(f"The {name} stopped (exit {code}); stopping.", file=sys.stderr)
                    return code
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("\nStopping Matchmaker...", file=sys.stderr)
        return 0
    finally:
        stop(procs)


if __name__ == "__main__":
    sys.exit(main())
