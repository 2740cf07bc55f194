"""Independent checker of a result against its problem.

Written apart from the solver (it imports none of its code) so that tests and
benchmarks can trust a schedule: ``check_result(problem, result)`` returns the list of
violated hard constraints and wrong figures, empty when the result is valid.
"""

from __future__ import annotations

from typing import Any

from .problem import Problem
from .result import Result


def _breaks(indices: list[int]) -> int:
    s = sorted(indices)
    return sum(1 for a, b in zip(s, s[1:], strict=False) if b - a > 1)


def check_result(problem: Problem, result: Result | dict[str, Any]) -> list[str]:
    if isinstance(result, dict):
        result = Result.from_dict(result)
    errors: list[str] = []
    order = {s.id: i for i, s in enumerate(problem.slots)}
    session = {s.id: s.session for s in problem.slots}
    meetings = {m.id: m for m in problem.meetings}
    people = {p.id: p for p in problem.participants}
    tables = set(problem.tables)
    stands = {p.table for p in problem.participants if p.table}
    placed: dict[str, tuple[str, str]] = {}
    for a in result.assignments:
        if a.meeting not in meetings:
            errors.append(f"assignment of unknown meeting {a.meeting}")
            continue
        if a.meeting in placed:
            errors.append(f"meeting {a.meeting} assigned twice")
        if a.slot not in order:
            errors.append(f"meeting {a.meeting}: unknown slot {a.slot}")
            continue
        if a.table not in tables:
            errors.append(f"meeting {a.meeting}: unknown table {a.table}")
        placed[a.meeting] = (a.slot, a.table)
    if result.status == "infeasible" and placed:
        errors.append("infeasible result with assignments")
    if result.status in ("optimal", "feasible"):
        for m in problem.meetings:
            if not m.optional and m.id not in placed:
                errors.append(f"required meeting {m.id} not scheduled")
    seat: dict[tuple[str, str], str] = {}
    table_use: dict[tuple[str, str], str] = {}
    for mid, (slot, table) in placed.items():
        m = meetings[mid]
        if (table, slot) in table_use:
            errors.append(
                f"table {table} holds meetings {table_use[table, slot]} and {mid} in slot {slot}"
            )
        table_use[table, slot] = mid
        own = {t for p in m.participants if (t := people[p].table)}
        if own and table not in own:
            errors.append(
                f"meeting {mid} at table {table}, not at its participants' stand {sorted(own)}"
            )
        if not own and table in stands:
            errors.append(f"meeting {mid} at stand table {table} of someone else")
        for p in m.participants:
            if (p, slot) in seat:
                errors.append(
                    f"participant {p} in meetings {seat[p, slot]} and {mid} in slot {slot}"
                )
            seat[p, slot] = mid
            if slot in people[p].unavailable:
                errors.append(f"meeting {mid} in slot {slot} where participant {p} is unavailable")
        if m.session is not None and session[slot] != m.session:
            errors.append(f"meeting {mid} in slot {slot}, outside session {m.session}")
        if m.fixed_slot is not None and slot != m.fixed_slot:
            errors.append(f"meeting {mid} in slot {slot}, not its fixed slot {m.fixed_slot}")
        if m.slots is not None and slot not in m.slots:
            errors.append(f"meeting {mid} in slot {slot}, not among its allowed slots")
        for before in m.after:
            if before in placed and order[placed[before][0]] >= order[slot]:
                errors.append(
                    f"meeting {mid} in slot {slot} is not after meeting {before} "
                    f"(slot {placed[before][0]})"
                )
    previous = {pl.meeting: pl for pl in problem.previous}
    for mid in problem.locked:
        pl = previous[mid]
        got = placed.get(mid)
        if result.status != "infeasible" and (
            got is None or got[0] != pl.slot or (pl.table and got[1] != pl.table)
        ):
            errors.append(f"locked meeting {mid} not kept in slot {pl.slot} table {pl.table}")
    if result.status in ("optimal", "feasible") or placed:
        busy: dict[str, list[int]] = {p: [] for p in people}
        for mid, (slot, _) in placed.items():
            for p in meetings[mid].participants:
                busy[p].append(order[slot])
        per = {p: _breaks(v) for p, v in busy.items()}
        total = sum(per.values())
        if result.breaks != total:
            errors.append(f"reported {result.breaks} breaks, schedule has {total}")
        if (
            problem.fairness is not None
            and per
            and max(per.values()) - min(per.values()) > problem.fairness
        ):
            errors.append(
                f"fairness {problem.fairness} violated: "
                f"breaks range {min(per.values())}..{max(per.values())}"
            )
        if result.status == "optimal" and result.bound != total:
            errors.append(f"optimal but bound {result.bound} != breaks {total}")
        if result.bound is not None and result.bound > total:
            errors.append(f"bound {result.bound} above breaks {total}")
        moved = sum(1 for pl in problem.previous if placed.get(pl.meeting, (None,))[0] != pl.slot)
        if problem.previous and result.moved != moved:
            errors.append(f"reported {result.moved} moved, schedule moves {moved}")
    if problem.tie_break is not None and result.status in ("optimal", "feasible"):
        errors += _check_tie_break(problem, result, placed, order, _visit_blocked(problem, result))
    if problem.visits:
        errors += _check_visits(problem, result, placed, order)
    unscheduled = {u.meeting for u in result.unscheduled}
    for m in problem.meetings:
        if (
            m.optional
            and m.id not in placed
            and result.status != "infeasible"
            and m.id not in unscheduled
        ):
            errors.append(f"optional meeting {m.id} neither scheduled nor listed as unscheduled")
    return errors


def _visit_blocked(problem: Problem, result: Result) -> dict[str, set[str]]:
    """The slots each participant's visits block (unusable for their meetings)."""
    got = result.visits if isinstance(result.visits, dict) else {}
    options = {o.id: o for v in problem.visits for o in v.options}
    ids = [s.id for s in problem.slots]
    order = {s: i for i, s in enumerate(ids)}
    out: dict[str, set[str]] = {}
    for pl in got.get("places") or []:
        o = options.get(str(pl.get("option")))
        if o is not None and o.start_slot is not None and o.end_slot is not None:
            span = ids[order[o.start_slot] : order[o.end_slot] + 1]
            out.setdefault(str(pl.get("participant")), set()).update(span)
    return out


def _check_tie_break(
    problem: Problem, result: Result, placed: dict, order: dict, blocked: dict | None = None
) -> list[str]:
    """The tie-break figures of the result, measured again (``docs/scheduling-format.md``)."""
    got = result.tie_break
    if not isinstance(got, dict) or got.get("rule") != problem.tie_break:
        return [f"tie_break {problem.tie_break} asked, result reports {got!r}"]
    day: dict[str, str] = {}
    for s in problem.slots:
        day[s.id] = s.start[:10] if s.start else (s.session or "")
    people = {p.id: p for p in problem.participants}
    previous = {pl.meeting: pl.slot for pl in problem.previous}
    locked = set(problem.locked)
    members = {m.id: m.participants for m in problem.meetings}
    usable = set()
    for m in problem.meetings:
        if m.id not in placed:
            continue
        for s in problem.slots:
            if (
                (m.session is None or s.session == m.session)
                and (m.fixed_slot is None or s.id == m.fixed_slot)
                and (m.slots is None or s.id in m.slots)
                and (m.id not in locked or previous.get(m.id) == s.id)
                and not any(
                    s.id in people[p].unavailable or s.id in (blocked or {}).get(p, ())
                    for p in m.participants
                )
            ):
                usable.add(s.id)
    load = {s.id: 0 for s in problem.slots}
    for slot, _ in placed.values():
        load[slot] += 1
    measured: dict[str, int] = {}
    if problem.tie_break == "early":
        idle, later = 0, set()
        for s in reversed(problem.slots):
            if load[s.id]:
                later.add(day[s.id])
            elif day[s.id] in later and s.id in usable:
                idle += 1
        measured["idle_slots"] = idle
        days: dict[str, set[str]] = {}
        for mid, (slot, _) in placed.items():
            for p in members[mid]:
                days.setdefault(p, set()).add(day[slot])
        measured["participant_days"] = sum(len(d) for d in days.values())
    else:
        measured["peak"] = max(load.values(), default=0)
        measured["slots_used"] = sum(1 for n in load.values() if n)
    errors = []
    for name, value in measured.items():
        if got.get(name) != value:
            errors.append(f"reported {name} {got.get(name)}, schedule has {value}")
        bound = got.get(name + "_bound")
        if bound is not None and (
            (name != "slots_used" and bound > value) or (name == "slots_used" and bound < value)
        ):
            errors.append(f"{name} bound {bound} beyond the schedule's {value}")
    return errors


def _check_visits(problem: Problem, result: Result, placed: dict, order: dict) -> list[str]:
    """Places: wished (or locked) and in an accepted option, within its places, one group
    per visit, no two overlapping visits, no meeting of that person in a blocked slot;
    locked places kept; the figures ``visits`` and ``first_choices`` measured again."""
    got = result.visits
    if result.status not in ("optimal", "feasible"):
        return []
    if not isinstance(got, dict) or not isinstance(got.get("places"), list):
        return ["problem has visits, result has no visit allocation"]
    errors = []
    option = {o.id: (v.id, o) for v in problem.visits for o in v.options}
    wishes = {(w.participant, w.visit): w for w in problem.visit_wishes}
    locked = {(pl.participant, pl.visit, pl.option) for pl in problem.visit_locked}
    taken: dict[str, int] = {}
    spans: dict[str, list[tuple[int, int, str]]] = {}
    mine: set[tuple[str, str]] = set()
    triples = set()
    for pl in got["places"]:
        p, v, o = str(pl["participant"]), str(pl["visit"]), str(pl["option"])
        triples.add((p, v, o))
        if o not in option or option[o][0] != v:
            errors.append(f"participant {p}: option {o} is not a group of visit {v}")
            continue
        w = wishes.get((p, v))
        if (p, v, o) not in locked and (
            w is None or (w.options is not None and o not in w.options)
        ):
            errors.append(f"participant {p} placed in visit {v} option {o} without wishing it")
        if (p, v) in mine:
            errors.append(f"participant {p} has two groups of visit {v}")
        mine.add((p, v))
        taken[o] = taken.get(o, 0) + 1
        opt = option[o][1]
        if opt.start_slot is None or opt.end_slot is None:
            continue  # (blocks no slot)
        a, b = order[opt.start_slot], order[opt.end_slot]
        for a2, b2, o2 in spans.get(p, []):
            if a <= b2 and a2 <= b:
                errors.append(f"participant {p}: visits' options {o2} and {o} overlap")
        spans.setdefault(p, []).append((a, b, o))
    for o, n in taken.items():
        cap = option[o][1].places
        n_locked = sum(1 for t in locked if t[2] == o)
        if n > max(cap, n_locked):
            errors.append(f"option {o}: {n} places given, {cap} offered")
    for t in locked:
        if t not in triples:
            errors.append(f"locked visit place {t} not kept")
    members = {m.id: m.participants for m in problem.meetings}
    for mid, (slot, _) in placed.items():
        for p in members[mid]:
            for a, b, o in spans.get(p, []):
                if a <= order[slot] <= b:
                    errors.append(f"meeting {mid} in slot {slot}, during {p}'s visit option {o}")
    figures = got.get("figures") or {}
    first: dict[str, tuple[int, str]] = {}
    for w in problem.visit_wishes:
        if w.participant not in first or w.rank < first[w.participant][0]:
            first[w.participant] = (w.rank, w.visit)
    measured = {
        "visits": len(triples),
        "first_choices": sum(1 for p, (_, v) in first.items() if (p, v) in mine),
    }
    for name, value in measured.items():
        if figures.get(name) != value:
            errors.append(f"reported {name} {figures.get(name)}, allocation has {value}")
    return errors
