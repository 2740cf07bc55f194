"""Result dataclasses of the scheduling engine (JSON-able via ``to_dict``/``from_dict``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Assignment:
    meeting: str
    slot: str
    table: str


@dataclass(frozen=True)
class Unscheduled:
    meeting: str
    reason: str


@dataclass(frozen=True)
class Progress:
    """What the web app shows while the solver runs."""

    elapsed: float
    breaks: int | None
    bound: int | None
    placed: int
    total: int


@dataclass
class Result:
    """``status`` is ``optimal`` (proven; ``bound == breaks``), ``feasible`` (valid, not
    proven optimal), ``infeasible`` (proven impossible; ``explanation`` says why) or
    ``unknown`` (no schedule found in time).  ``moved`` counts meetings of ``previous``
    now held in another slot (or no longer scheduled); ``table_changes`` those kept in
    their slot but at another table.  ``tie_break`` (only when the problem asks for one):
    the rule and the figures it reached, each with its bound when proven (``shape.py``)."""

    status: str
    breaks: int | None = None
    bound: int | None = None
    seconds: float = 0.0
    assignments: list[Assignment] = field(default_factory=list)
    unscheduled: list[Unscheduled] = field(default_factory=list)
    moved: int = 0
    table_changes: int = 0
    priority: int | None = None
    explanation: list[str] = field(default_factory=list)
    tie_break: dict[str, Any] | None = None
    #: Only when the problem has visits: ``{"places": [{participant, visit, option}],
    #: "waitlist": {option: [participant, ...]}, "figures": {...}, "proven": bool}``.
    visits: dict[str, Any] | None = None
    #: Why no schedule has fewer than ``bound`` breaks, one sentence a cause
    #: (``explain.bound_reasons``); empty when the bound is 0.
    bound_reasons: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "status": self.status,
            "breaks": self.breaks,
            "bound": self.bound,
            "seconds": round(self.seconds, 3),
            "assignments": [vars(a).copy() for a in self.assignments],
            "unscheduled": [vars(u).copy() for u in self.unscheduled],
            "moved": self.moved,
            "table_changes": self.table_changes,
            "priority": self.priority,
            "explanation": list(self.explanation),
        }
        if self.tie_break is not None:
            out["tie_break"] = dict(self.tie_break)
        if self.visits is not None:
            out["visits"] = self.visits
        if self.bound_reasons:
            out["bound_reasons"] = list(self.bound_reasons)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Result:
        return cls(
            status=data["status"],
            breaks=data.get("breaks"),
            bound=data.get("bound"),
            seconds=float(data.get("seconds", 0.0)),
            assignments=[
                Assignment(str(a["meeting"]), str(a["slot"]), str(a["table"]))
                for a in data.get("assignments", [])
            ],
            unscheduled=[
                Unscheduled(str(u["meeting"]), u.get("reason", ""))
                for u in data.get("unscheduled", [])
            ],
            moved=int(data.get("moved", 0)),
            table_changes=int(data.get("table_changes", 0)),
            priority=data.get("priority"),
            explanation=list(data.get("explanation", [])),
            tie_break=data.get("tie_break"),
            visits=data.get("visits"),
            bound_reasons=list(data.get("bound_reasons", [])),
        )
