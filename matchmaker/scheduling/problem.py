"""The scheduling problem: dataclasses and the parser of the JSON format.

The format is ``matchmaker.scheduling/1`` (see ``docs/scheduling-format.md``) plus the
additions documented in ``docs/scheduling.md``: participant ``label``, ``organisation``
and ``table``; meeting ``label``; problem-level ``organisation_blocks``, ``previous`` and
``locked``.

``parse_problem(data)`` validates a decoded JSON object and returns a :class:`Problem`;
any malformed item raises :class:`ProblemError` whose message names the item, e.g.
``meeting "12": unknown participant "99"``.  Unknown keys are ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

FORMAT = "matchmaker.scheduling/1"
#: The values of the optional problem field ``tie_break`` (``docs/scheduling-format.md``).
TIE_BREAKS = ("early", "spread")


class ProblemError(ValueError):
    """A malformed problem; the message names the offending item."""


@dataclass(frozen=True)
class Slot:
    id: str
    session: str | None = None
    start: str | None = None
    end: str | None = None


@dataclass(frozen=True)
class Participant:
    id: str
    unavailable: tuple[str, ...] = ()
    label: str | None = None
    organisation: str | None = None
    table: str | None = None


@dataclass(frozen=True)
class Meeting:
    id: str
    participants: tuple[str, ...]
    session: str | None = None
    fixed_slot: str | None = None
    slots: tuple[str, ...] | None = None
    after: tuple[str, ...] = ()
    optional: bool = False
    priority: int = 1
    label: str | None = None


@dataclass(frozen=True)
class Placement:
    """One meeting of a previous schedule (for minimal-change re-planning)."""

    meeting: str
    slot: str
    table: str | None = None


@dataclass(frozen=True)
class VisitOption:
    """One group of a visit: the slots it takes from its participants' meetings (travel
    included, ``start_slot`` to ``end_slot`` in slot order) and its places."""

    id: str
    start_slot: str | None  # both None: the option blocks no slot (outside the sessions)
    end_slot: str | None
    places: int


@dataclass(frozen=True)
class Visit:
    id: str
    options: tuple[VisitOption, ...]
    label: str | None = None


@dataclass(frozen=True)
class VisitWish:
    """A participant's interest in a visit: ``rank`` 1 is their first choice;
    ``options`` the groups they accept, the first preferred (None: any group)."""

    participant: str
    visit: str
    rank: int
    options: tuple[str, ...] | None = None


@dataclass(frozen=True)
class VisitPlace:
    """A participant's place in a visit's option (in ``visit_locked``: fixed by hand)."""

    participant: str
    visit: str
    option: str


@dataclass(frozen=True)
class Problem:
    slots: tuple[Slot, ...]
    tables: tuple[str, ...]
    participants: tuple[Participant, ...]
    meetings: tuple[Meeting, ...]
    fairness: int | None = None
    name: str | None = None
    organisation_blocks: bool = False
    previous: tuple[Placement, ...] = ()
    locked: tuple[str, ...] = ()
    #: Among the schedules that are best by the objectives above, which one:
    #: "early" (early and compact days) or "spread" (an even load); None: any.
    tie_break: str | None = None
    #: Trade visits (``docs/scheduling-format.md``, *Visits*): empty when there are none,
    #: and the problem solves exactly as without them.
    visits: tuple[Visit, ...] = ()
    visit_wishes: tuple[VisitWish, ...] = ()
    visit_locked: tuple[VisitPlace, ...] = ()
    #: The places of the allocation before (a re-run changes as few as it can).
    visit_previous: tuple[VisitPlace, ...] = ()

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Problem:
        return parse_problem(data)

    def to_dict(self) -> dict[str, Any]:
        """The problem in the JSON format (``parse_problem`` reads it back)."""
        out: dict[str, Any] = {"format": FORMAT}
        if self.name is not None:
            out["name"] = self.name
        out["slots"] = [_compact(vars(s)) for s in self.slots]
        out["tables"] = list(self.tables)
        out["participants"] = [
            _compact({**vars(p), "unavailable": list(p.unavailable)}) for p in self.participants
        ]
        out["meetings"] = [_meeting_dict(m) for m in self.meetings]
        out["fairness"] = self.fairness
        if self.organisation_blocks:
            out["organisation_blocks"] = True
        if self.previous:
            out["previous"] = [_compact(vars(p)) for p in self.previous]
        if self.locked:
            out["locked"] = list(self.locked)
        if self.tie_break is not None:
            out["tie_break"] = self.tie_break
        if self.visits:
            out["visits"] = [
                _compact(
                    {
                        "id": v.id,
                        "label": v.label,
                        "options": [_compact(vars(o)) for o in v.options],
                    }
                )
                for v in self.visits
            ]
            out["visit_wishes"] = [
                _compact({**vars(w), "options": None if w.options is None else list(w.options)})
                for w in self.visit_wishes
            ]
            if self.visit_locked:
                out["visit_locked"] = [vars(v).copy() for v in self.visit_locked]
            if self.visit_previous:
                out["visit_previous"] = [vars(v).copy() for v in self.visit_previous]
        return out

    def slot_span(self, option: VisitOption) -> range:
        """The indices of the slots an option blocks (none when it has no slots)."""
        if option.start_slot is None or option.end_slot is None:
            return range(0)
        order = {s.id: i for i, s in enumerate(self.slots)}
        return range(order[option.start_slot], order[option.end_slot] + 1)

    def label_of_participant(self, pid: str) -> str:
        p = self.participant_by_id().get(pid)
        return p.label if p is not None and p.label else f"participant {pid}"

    def label_of_meeting(self, mid: str) -> str:
        m = self.meeting_by_id().get(mid)
        return m.label if m is not None and m.label else f"meeting {mid}"

    def participant_by_id(self) -> dict[str, Participant]:
        return {p.id: p for p in self.participants}

    def meeting_by_id(self) -> dict[str, Meeting]:
        return {m.id: m for m in self.meetings}


def _compact(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None and v != ()}


def _meeting_dict(m: Meeting) -> dict[str, Any]:
    d: dict[str, Any] = {"id": m.id, "participants": list(m.participants)}
    for key in ("session", "fixed_slot", "label"):
        if getattr(m, key) is not None:
            d[key] = getattr(m, key)
    if m.slots is not None:
        d["slots"] = list(m.slots)
    if m.after:
        d["after"] = list(m.after)
    if m.optional:
        d["optional"] = True
    if m.priority != 1:
        d["priority"] = m.priority
    return d


# --------------------------------------------------------------------------- parsing


def _ident(value: Any, where: str) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ProblemError(f"{where}: id must be a string, got {value!r}")
    return str(value)


def _opt_str(obj: dict[str, Any], key: str, where: str) -> str | None:
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ProblemError(f'{where}: "{key}" must be a string, got {value!r}')
    return str(value)


def _id_list(
    obj: dict[str, Any], key: str, where: str, known: set[str], kind: str
) -> tuple[str, ...]:
    value = obj.get(key)
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ProblemError(f'{where}: "{key}" must be a list')
    out = []
    for item in value:
        ident = _ident(item, where)
        if ident not in known:
            raise ProblemError(f'{where}: unknown {kind} "{ident}"')
        out.append(ident)
    return tuple(out)


def _objects(data: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = data.get(key)
    if not isinstance(value, list):
        raise ProblemError(f'problem: "{key}" must be a list')
    for i, item in enumerate(value):
        if not isinstance(item, dict) or "id" not in item:
            raise ProblemError(f'{key}[{i}]: must be an object with an "id"')
    return value


def _unique(ids: list[str], kind: str) -> None:
    seen: set[str] = set()
    for ident in ids:
        if ident in seen:
            raise ProblemError(f'{kind} "{ident}": duplicate id')
        seen.add(ident)


def parse_problem(data: Any) -> Problem:
    """Validate a decoded JSON problem and return a :class:`Problem`.

    Raises :class:`ProblemError` naming the offending item.
    """
    if not isinstance(data, dict):
        raise ProblemError("problem: must be a JSON object")
    fmt = data.get("format", FORMAT)
    if fmt != FORMAT:
        raise ProblemError(f'problem: unsupported format "{fmt}" (expected "{FORMAT}")')
    slots = tuple(
        Slot(
            id=_ident(s["id"], f"slots[{i}]"),
            session=_opt_str(s, "session", f'slot "{s["id"]}"'),
            start=_opt_str(s, "start", f'slot "{s["id"]}"'),
            end=_opt_str(s, "end", f'slot "{s["id"]}"'),
        )
        for i, s in enumerate(_objects(data, "slots"))
    )
    if not slots:
        raise ProblemError("problem: no slots")
    _unique([s.id for s in slots], "slot")
    slot_ids = {s.id for s in slots}
    sessions = {s.session for s in slots if s.session is not None}
    tables_raw = data.get("tables")
    if not isinstance(tables_raw, list):
        raise ProblemError('problem: "tables" must be a list')
    tables = tuple(_ident(t, "tables") for t in tables_raw)
    _unique(list(tables), "table")
    table_ids = set(tables)
    participants = tuple(
        _parse_participant(p, slot_ids, table_ids) for p in _objects(data, "participants")
    )
    _unique([p.id for p in participants], "participant")
    meetings_raw = _objects(data, "meetings")
    meeting_ids = [_ident(m["id"], "meetings") for m in meetings_raw]
    _unique(meeting_ids, "meeting")
    pids = {p.id for p in participants}
    mids = set(meeting_ids)
    meetings = tuple(_parse_meeting(m, slot_ids, pids, mids, sessions) for m in meetings_raw)
    fairness = data.get("fairness")
    if fairness is not None and (
        isinstance(fairness, bool) or not isinstance(fairness, int) or fairness < 0
    ):
        raise ProblemError(
            f'problem: "fairness" must be null or a non-negative integer, got {fairness!r}'
        )
    org_blocks = data.get("organisation_blocks", False)
    if not isinstance(org_blocks, bool):
        raise ProblemError('problem: "organisation_blocks" must be true or false')
    previous = _parse_previous(data.get("previous"), set(meeting_ids), slot_ids, table_ids)
    locked = _id_list(data, "locked", "problem", set(meeting_ids), "locked meeting")
    prev_ids = {p.meeting for p in previous}
    for mid in locked:
        if mid not in prev_ids:
            raise ProblemError(f'locked meeting "{mid}": not in "previous"')
    tie_break = data.get("tie_break")
    if tie_break is not None and tie_break not in TIE_BREAKS:
        raise ProblemError(
            f'problem: "tie_break" must be null, "early" or "spread", got {tie_break!r}'
        )
    visits, wishes, visit_locked, visit_previous = _parse_visits(data, slots, pids)
    name = data.get("name")
    return Problem(
        slots=slots,
        tables=tables,
        participants=participants,
        meetings=meetings,
        fairness=fairness,
        name=str(name) if name is not None else None,
        organisation_blocks=org_blocks,
        previous=previous,
        locked=locked,
        tie_break=tie_break,
        visits=visits,
        visit_wishes=wishes,
        visit_locked=visit_locked,
        visit_previous=visit_previous,
    )


def _parse_participant(p: dict[str, Any], slot_ids: set[str], table_ids: set[str]) -> Participant:
    pid = _ident(p["id"], "participants")
    where = f'participant "{pid}"'
    table = _opt_str(p, "table", where)
    if table is not None and table not in table_ids:
        raise ProblemError(f'{where}: unknown table "{table}"')
    return Participant(
        id=pid,
        unavailable=_id_list(p, "unavailable", where, slot_ids, "slot"),
        label=_opt_str(p, "label", where),
        organisation=_opt_str(p, "organisation", where),
        table=table,
    )


def _parse_meeting(
    m: dict[str, Any], slot_ids: set[str], pids: set[str], mids: set[str], sessions: set[str]
) -> Meeting:
    mid = str(m["id"])
    where = f'meeting "{mid}"'
    if not isinstance(m.get("participants"), list):
        raise ProblemError(f'{where}: "participants" must be a list')
    members = _id_list(m, "participants", where, pids, "participant")
    if len(members) < 2:
        raise ProblemError(f"{where}: needs at least two participants")
    if len(set(members)) != len(members):
        raise ProblemError(f"{where}: a participant is listed twice")
    session = _opt_str(m, "session", where)
    if session is not None and session not in sessions:
        raise ProblemError(f'{where}: unknown session "{session}"')
    fixed = _opt_str(m, "fixed_slot", where)
    if fixed is not None and fixed not in slot_ids:
        raise ProblemError(f'{where}: unknown slot "{fixed}"')
    allowed = _id_list(m, "slots", where, slot_ids, "slot") if m.get("slots") is not None else None
    after = _id_list(m, "after", where, mids, "meeting")
    if mid in after:
        raise ProblemError(f"{where}: must be after itself")
    optional = m.get("optional", False)
    if not isinstance(optional, bool):
        raise ProblemError(f'{where}: "optional" must be true or false')
    priority = m.get("priority", 1)
    if isinstance(priority, bool) or not isinstance(priority, int) or priority < 0:
        raise ProblemError(f'{where}: "priority" must be a non-negative integer, got {priority!r}')
    return Meeting(
        id=mid,
        participants=members,
        session=session,
        fixed_slot=fixed,
        slots=allowed,
        after=after,
        optional=optional,
        priority=priority,
        label=_opt_str(m, "label", where),
    )


def _parse_previous(
    value: Any, mids: set[str], slot_ids: set[str], table_ids: set[str]
) -> tuple[Placement, ...]:
    """Previous placements; entries of meetings or slots that no longer exist are dropped
    (re-planning after changes is the point), but malformed entries are errors."""
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ProblemError('problem: "previous" must be a list')
    out = []
    seen: set[str] = set()
    for i, item in enumerate(value):
        if not isinstance(item, dict) or "meeting" not in item or "slot" not in item:
            raise ProblemError(f'previous[{i}]: must be an object with "meeting" and "slot"')
        mid = _ident(item["meeting"], f"previous[{i}]")
        slot = _ident(item["slot"], f"previous[{i}]")
        table = _opt_str(item, "table", f'previous meeting "{mid}"')
        if mid in seen:
            raise ProblemError(f'previous meeting "{mid}": listed twice')
        seen.add(mid)
        if mid not in mids or slot not in slot_ids:
            continue
        if table is not None and table not in table_ids:
            table = None
        out.append(Placement(meeting=mid, slot=slot, table=table))
    return tuple(out)


def _int_at_least(obj: dict[str, Any], key: str, where: str, least: int) -> int:
    value = obj.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise ProblemError(f'{where}: "{key}" must be an integer >= {least}, got {value!r}')
    return value


def _parse_visits(
    data: dict[str, Any], slots: tuple[Slot, ...], pids: set[str]
) -> tuple[
    tuple[Visit, ...], tuple[VisitWish, ...], tuple[VisitPlace, ...], tuple[VisitPlace, ...]
]:
    """The optional ``visits``, ``visit_wishes``, ``visit_locked`` and ``visit_previous``."""
    if data.get("visits") is None:
        for key in ("visit_wishes", "visit_locked", "visit_previous"):
            if data.get(key):
                raise ProblemError(f'problem: "{key}" without "visits"')
        return (), (), (), ()
    order = {s.id: i for i, s in enumerate(slots)}
    visits = []
    option_of: dict[str, set[str]] = {}
    for raw in _objects(data, "visits"):
        vid = _ident(raw["id"], "visits")
        where = f'visit "{vid}"'
        if vid in option_of:
            raise ProblemError(f"{where}: duplicate id")
        opts_raw = raw.get("options")
        if not isinstance(opts_raw, list) or not opts_raw:
            raise ProblemError(f'{where}: "options" must be a non-empty list')
        options: list[VisitOption] = []
        for i, o in enumerate(opts_raw):
            if not isinstance(o, dict) or "id" not in o:
                raise ProblemError(f'{where}: options[{i}] must be an object with an "id"')
            oid = _ident(o["id"], where)
            owhere = f'{where} option "{oid}"'
            if any(oid in ids for ids in option_of.values()) or oid in {x.id for x in options}:
                raise ProblemError(f"{owhere}: duplicate option id")
            start, end = o.get("start_slot"), o.get("end_slot")
            if (start is None) != (end is None):
                raise ProblemError(f'{owhere}: "start_slot" and "end_slot" go together')
            if start is not None:
                for key, value in (("start_slot", start), ("end_slot", end)):
                    if str(value) not in order:
                        raise ProblemError(f'{owhere}: unknown "{key}" {value!r}')
                if order[str(start)] > order[str(end)]:
                    raise ProblemError(f"{owhere}: ends before it starts")
                start, end = str(start), str(end)
            places = _int_at_least(o, "places", owhere, 0)
            options.append(VisitOption(oid, start, end, places))
        option_of[vid] = {o.id for o in options}
        visits.append(Visit(vid, tuple(options), _opt_str(raw, "label", where)))
    wishes = []
    seen: set[tuple[str, str]] = set()
    wishes_raw = data.get("visit_wishes") or []
    if not isinstance(wishes_raw, list):
        raise ProblemError('problem: "visit_wishes" must be a list')
    for i, w in enumerate(wishes_raw):
        where = f"visit_wishes[{i}]"
        if not isinstance(w, dict):
            raise ProblemError(f"{where}: must be an object")
        pid = _ident(w.get("participant"), where)
        vid = _ident(w.get("visit"), where)
        if pid not in pids:
            raise ProblemError(f'{where}: unknown participant "{pid}"')
        if vid not in option_of:
            raise ProblemError(f'{where}: unknown visit "{vid}"')
        if (pid, vid) in seen:
            raise ProblemError(f'{where}: participant "{pid}" wishes visit "{vid}" twice')
        seen.add((pid, vid))
        rank = _int_at_least(w, "rank", where, 1)
        opts = None
        if w.get("options") is not None:
            opts = _id_list(w, "options", where, option_of[vid], "option")
            if not opts:
                raise ProblemError(f'{where}: "options" is empty (omit it for any option)')
        wishes.append(VisitWish(pid, vid, rank, opts))
    placed: dict[str, tuple[VisitPlace, ...]] = {}
    for key in ("visit_locked", "visit_previous"):
        found: list[VisitPlace] = []
        items = data.get(key) or []
        if not isinstance(items, list):
            raise ProblemError(f'problem: "{key}" must be a list')
        for i, item in enumerate(items):
            where = f"{key}[{i}]"
            if not isinstance(item, dict):
                raise ProblemError(f"{where}: must be an object")
            pid = _ident(item.get("participant"), where)
            vid = _ident(item.get("visit"), where)
            oid = _ident(item.get("option"), where)
            if pid not in pids or vid not in option_of or oid not in option_of[vid]:
                raise ProblemError(f"{where}: unknown participant, visit or option")
            found.append(VisitPlace(pid, vid, oid))
        placed[key] = tuple(found)
    return tuple(visits), tuple(wishes), placed["visit_locked"], placed["visit_previous"]
