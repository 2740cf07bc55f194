"""The progress chart of a solver run: server-rendered SVG polylines (no script, no
inline style), breaks and proven bound against elapsed seconds."""

from __future__ import annotations

from .models import SolverRun

WIDTH, HEIGHT, PAD = 320, 120, 4


def chart(run: SolverRun | None) -> dict | None:
    """Polyline point strings for ``breaks`` and ``bound``, or None when there is
    nothing to draw yet."""
    points = [p for p in (run.progress if run else None) or [] if p[1] is not None]
    if run is None or not points:
        return None
    # Breaks of a half-built schedule do not compare with a complete one's: draw only the
    # points with the most meetings placed (every meeting, once a complete one is found).
    most = max(p[3] for p in points)
    points = [p for p in points if p[3] == most]
    t_last = max(float(p[0]) for p in points)
    # The time axis runs to the end of the run (or its last heartbeat), so that a run
    # that found its best schedule early shows the seconds it then spent without one.
    t_max = max(t_last, _seconds(run)) or 1.0
    values = [v for p in points for v in (p[1], p[2]) if v is not None]
    v_max = max(values) or 1

    def xy(t: float, v: float) -> str:
        x = PAD + (WIDTH - 2 * PAD) * (t / t_max)
        y = HEIGHT - PAD - (HEIGHT - 2 * PAD) * (v / v_max)
        return f"{x:.1f},{y:.1f}"

    def line(column: int) -> str:
        out, last = [], None
        for p in points:
            if p[column] is None:
                continue
            if last is not None:  # a step: the value holds until the next improvement
                out.append(xy(float(p[0]), last))
            out.append(xy(float(p[0]), p[column]))
            last = p[column]
        if last is not None and t_max > t_last:
            out.append(xy(t_max, last))
        return " ".join(out)

    return {
        "width": WIDTH,
        "height": HEIGHT,
        "breaks": line(1),
        "bound": line(2),
        "max": v_max,
        "seconds": t_max,
    }


def _seconds(run: SolverRun) -> float:
    """How long the run has run: to its end, or to its last heartbeat while it runs."""
    end = run.finished_at or run.heartbeat_at
    if end is None or run.started_at is None:
        return 0.0
    return max(0.0, (end - run.started_at).total_seconds())
