"""Explanations in words a person understands.

Cheap dedicated pre-checks come first (a meeting without a possible slot, conflicting
stands, a participant with more meetings than slots, precedence cycles, fairness that no
schedule can meet); when CP-SAT proves infeasibility of something subtler, the model is
rebuilt with each constraint group guarded by an assumption literal, CP-SAT returns a
sufficient set of assumptions and that set is shrunk by deletion to a minimal conflict.
Names are labels when given, else ``participant <id>`` / ``meeting <id>``.
"""

from __future__ import annotations

import time

from ortools.sat.python import cp_model

from .bounds import fits_one_block, match_to_slots
from .instance import Instance, slots_by_participant

#: Marker in ``precheck``'s reasons: infeasible, explanation still to be found.
PROPAGATED = "?"


def _p(inst: Instance, p: int) -> str:
    return inst.problem.label_of_participant(inst.participant_ids[p])


def _m(inst: Instance, m: int) -> str:
    return inst.problem.label_of_meeting(inst.meeting_ids[m])


def _slots(inst: Instance, slots) -> str:
    ids = [inst.problem.slots[s].id for s in sorted(slots)]
    if len(ids) > 8:
        return ", ".join(ids[:8]) + f" and {len(ids) - 8} more"
    return ", ".join(ids)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def base_domain(inst: Instance, m: int, session: bool = True) -> set[int]:
    """Slots allowed by the meeting's own rules, before availability (without its
    session when ``session`` is false)."""
    meeting = inst.problem.meetings[m]
    allowed = set(range(inst.n_slots))
    if session and meeting.session is not None:
        allowed &= {i for i, s in enumerate(inst.problem.slots) if s.session == meeting.session}
    if meeting.fixed_slot is not None:
        allowed &= {inst.slot_index[meeting.fixed_slot]}
    if meeting.slots is not None:
        allowed &= {inst.slot_index[s] for s in meeting.slots}
    if inst.locked[m] and inst.previous_slot[m] is not None:
        allowed &= {inst.previous_slot[m]}
    return allowed


def domain_reason(inst: Instance, m: int) -> str:
    """Why meeting ``m`` has no possible slot."""
    meeting = inst.problem.meetings[m]
    base = base_domain(inst, m)
    if not base:
        rules = []
        if meeting.session is not None:
            rules.append(f"session {meeting.session}")
        if meeting.fixed_slot is not None:
            rules.append(f"fixed slot {meeting.fixed_slot}")
        if meeting.slots is not None:
            rules.append(f"allowed slots {', '.join(meeting.slots) or '(none)'}")
        if inst.locked[m] and (previous := inst.previous_slot[m]) is not None:
            rules.append(f"locked slot {inst.problem.slots[previous].id}")
        return f"{_m(inst, m)}: no slot satisfies {' and '.join(rules)} together"
    where = "the slots allowed for it" if len(base) < inst.n_slots else "every slot"
    mem = inst.members[m]
    for p in mem:
        if not any(inst.available[p][s] for s in base):
            return f"{_m(inst, m)}: {_p(inst, p)} is unavailable in {where} ({_slots(inst, base)})"
    for a in mem:
        for b in mem:
            if a != b and not any(inst.available[a][s] and inst.available[b][s] for s in base):
                return (
                    f"{_m(inst, m)}: {_p(inst, a)} is unavailable in every slot "
                    f"in which {_p(inst, b)} is free"
                )
    free = [s for s in base if all(inst.available[p][s] for p in mem)]
    if free:
        return (
            f"{_m(inst, m)}: its possible slots ({_slots(inst, free)}) are ruled out by fixed "
            f"meetings and precedences"
        )
    names = ", ".join(_p(inst, p) for p in mem)
    return f"{_m(inst, m)}: no slot is free for all of {names}"


#: Participants named in each of the bound's reasons; the others are counted.
NAMED = 3

#: What keeps a participant's meetings from being back to back -> the words for it.
FORCED_BY = {
    "sessions": "meetings tied to sessions too far apart to be held back to back",
    "absences": "meetings that cannot all be held back to back around their own or their "
    "partners' absences",
    "both": "meetings that cannot all be held back to back, between the sessions they are "
    "tied to and the absences",
    "rules": "fixed times, allowed slots or meetings in a set order that keep their meetings apart",
}


def bound_reasons(inst: Instance, floors: list[int], meetings: list[int], bound: int) -> list[str]:
    """Why no schedule has fewer than ``bound`` breaks, in words an organiser can act on:
    the breaks participants' own meetings force (``floors``, whose sum is the bound's
    first part), grouped by what forces them, with a few participants named; and what the
    solver proved beyond that sum.  Empty when the floors are not the bound's (above it)."""
    counted = sum(floors)
    if not bound or counted > bound:
        return []
    active = set(meetings)
    groups: dict[str, list[int]] = {}
    for p, floor in enumerate(floors):
        if floor > 0:
            ms = [m for m in inst.meetings_of[p] if m in active and not inst.optional[m]]
            groups.setdefault(_forced_by(inst, ms), []).append(p)
    reasons = []
    for kind, words in FORCED_BY.items():
        people = groups.get(kind)
        if not people:
            continue
        names = [_p(inst, p) for p in people[:NAMED]]
        who = ", ".join(names)
        if len(people) > NAMED:
            who += f" and {len(people) - NAMED} others"
        has = "has" if len(people) == 1 else "have"
        breaks = _plural(sum(floors[p] for p in people), "break")
        reasons.append(f"{breaks} because {who} {has} {words}.")
    if bound > counted:
        more = " more" if reasons else ""
        reasons.append(
            f"{_plural(bound - counted, 'break')}{more}, proven by the solver from all the "
            "meetings together: the tables each slot has and when partners can meet."
        )
    return reasons


def _forced_by(inst: Instance, ms: list[int]) -> str:
    """What keeps meetings ``ms`` (one participant's) from one unbroken run of slots:
    their sessions, the absences or both (the first that, taken away, lets them fit
    one); else their fixed times, allowed slots or order."""
    if not ms or fits_one_block([inst.domain[m] for m in ms]):
        return "rules"  # they fit: the order of meetings is what forces the break

    def domains(session: bool, absences: bool) -> list[list[int]]:
        out = []
        for m in ms:
            allowed = base_domain(inst, m, session=session)
            if absences:
                allowed = {s for s in allowed if all(inst.available[p][s] for p in inst.members[m])}
            out.append(sorted(allowed))
        return out

    for kind, session, absences in (
        ("sessions", False, True),
        ("absences", True, False),
        ("both", False, False),
    ):
        if fits_one_block(domains(session, absences)):
            return kind
    return "rules"


def precheck(inst: Instance) -> tuple[list[str], dict[int, str]]:
    """(reasons the problem is infeasible, optional meetings dropped with their reason)."""
    fatal: list[str] = []
    dropped: dict[int, str] = {}
    for m in range(inst.n_meetings):
        reason = None
        conflict = inst.table_conflict[m]
        if conflict is not None:
            owners = {
                t: [p for p in inst.members[m] if inst.problem.participants[p].table == t]
                for t in conflict
            }
            parts = []
            for t in conflict:
                if owners[t]:
                    parts.append(f"{_p(inst, owners[t][0])} has a stand at table {t}")
                else:
                    parts.append(f"it is locked at table {t}")
            reason = f"{_m(inst, m)}: {' and '.join(parts)}, so no table suits it"
        elif not inst.domain[m]:
            reason = domain_reason(inst, m)
            if not inst.optional[m] and "ruled out by fixed" in reason:
                # Propagation emptied the domain: let the assumption-based search
                # find the smallest conflict (see explain_infeasible).
                fatal.append(PROPAGATED)
                continue
        if reason is not None:
            if inst.optional[m]:
                dropped[m] = reason
            else:
                fatal.append(reason)
    fatal += _cycles(inst, [m for m in range(inst.n_meetings) if m not in dropped])
    return fatal, dropped


def _cycles(inst: Instance, meetings: list[int]) -> list[str]:
    active = set(meetings)
    state: dict[int, int] = {}
    stack: list[int] = []

    def visit(m: int) -> list[int] | None:
        state[m] = 1
        stack.append(m)
        for a in inst.after[m]:
            if a not in active:
                continue
            if state.get(a) == 1:
                return stack[stack.index(a) :] + [a]
            if a not in state:
                found = visit(a)
                if found:
                    return found
        state[m] = 2
        stack.pop()
        return None

    for m in meetings:
        if m not in state:
            cycle = visit(m)
            if cycle:
                chain = " after ".join(_m(inst, c) for c in cycle)
                return [f"precedences form a cycle: {chain}"]
    return []


def participant_overload(inst: Instance, p: int, meetings: list[int]) -> list[str]:
    """Why a participant's own required meetings cannot all be placed (Hall's theorem)."""
    ms = [m for m in meetings if not inst.optional[m]]
    slots = {s for m in ms for s in inst.domain[m]}
    who = _p(inst, p)
    if len(slots) < len(ms):
        return [f"{who} has {len(ms)} meetings but only {_plural(len(slots), 'available slot')}"]
    match, unmatched = match_to_slots(inst, ms)  # slot -> meeting
    if not unmatched:
        return []  # no Hall violation: precedences are involved, see explain_infeasible
    # Meetings reachable from a left-out one by alternating paths need more slots than
    # they have (the matching is maximum, so every slot reached is taken).
    m = unmatched[0]
    group, reach, todo = {m}, set(), [m]
    while todo:
        for s in inst.domain[todo.pop()]:
            if s not in reach:
                reach.add(s)
                if s in match and match[s] not in group:
                    group.add(match[s])
                    todo.append(match[s])
    names = ", ".join(_m(inst, g) for g in sorted(group))
    return [
        f"{who} has {len(group)} meetings ({names}) that can only be held in "
        f"{_plural(len(reach), 'slot')} ({_slots(inst, reach)})"
    ]


def fairness_precheck(inst: Instance, meetings: list[int], lower: list[int]) -> list[str]:
    f = inst.problem.fairness
    if f is None or not lower:
        return []
    active = set(meetings)
    counts = [
        sum(1 for m in inst.meetings_of[p] if m in active) for p in range(inst.n_participants)
    ]
    hi = max(range(inst.n_participants), key=lambda p: lower[p])
    lo = min(range(inst.n_participants), key=lambda p: (max(0, counts[p] - 1), -counts[p]))
    most = max(0, counts[lo] - 1)
    if lower[hi] - most <= f:
        return []
    return [
        f"{_p(inst, hi)} must have at least {_plural(lower[hi], 'break')} (their availability, "
        f"sessions and fixed slots allow no fewer), but {_p(inst, lo)} has only "
        f"{_plural(counts[lo], 'meeting')} and so "
        f"at most {_plural(most, 'break')}; fairness {f} allows a difference of at most {f}"
    ]


# ------------------------------------------------------------ assumption-based conflicts


def explain_infeasible(
    inst: Instance, meetings: list[int], lower: list[int], time_limit: float
) -> list[str]:
    """A minimal set of constraint groups that cannot hold together, in words."""
    deadline = time.monotonic() + time_limit
    groups = _groups(inst, meetings)
    names = list(groups)
    core = _core(inst, meetings, groups, names, max(0.1, deadline - time.monotonic()))
    if core is None:
        return ["no schedule satisfies all constraints (no smaller conflict found in time)"]
    # Deletion-based shrinking to a minimal conflict, as long as time allows.
    i = 0
    while i < len(core) and time.monotonic() < deadline:
        trial = core[:i] + core[i + 1 :]
        if _core(
            inst, meetings, groups, trial, max(0.1, deadline - time.monotonic()), check_only=True
        ):
            core = trial
        else:
            i += 1
    return ["these constraints cannot all hold together: " + "; ".join(groups[g][0] for g in core)]


def _groups(inst: Instance, meetings: list[int]) -> dict[str, tuple[str, tuple]]:
    """name -> (text, spec): the constraint groups that may be switched off."""
    g: dict[str, tuple[str, tuple]] = {}
    problem = inst.problem
    for m in meetings:
        meeting = problem.meetings[m]
        if not inst.optional[m]:
            g[f"req{m}"] = (
                f"{_m(inst, m)} ({', '.join(_p(inst, p) for p in inst.members[m])}) must be held",
                ("req", m),
            )
        rules = base_domain(inst, m)
        if len(rules) < inst.n_slots:
            text = f"{_m(inst, m)} can only be in slot(s) {_slots(inst, rules)}"
            if meeting.fixed_slot is not None:
                text = f"{_m(inst, m)} is fixed to slot {meeting.fixed_slot}"
            elif meeting.session is not None and meeting.slots is None and not inst.locked[m]:
                text = f"{_m(inst, m)} must be in session {meeting.session}"
            g[f"dom{m}"] = (text, ("dom", m, rules))
        for a in inst.after[m]:
            g[f"prec{m}_{a}"] = (f"{_m(inst, m)} must come after {_m(inst, a)}", ("prec", m, a))
    for p in range(inst.n_participants):
        off = [s for s in range(inst.n_slots) if not inst.available[p][s]]
        if off:
            g[f"off{p}"] = (
                f"{_p(inst, p)} is unavailable in slot(s) {_slots(inst, off)}",
                ("off", p, off),
            )
    g["tables"] = (f"each slot has only {_plural(inst.n_free_tables, 'table')}", ("tables",))
    if problem.fairness is not None:
        f = problem.fairness
        g["fair"] = (
            f"fairness {f}: the breaks of any two participants differ by at most {f}",
            ("fair",),
        )
    return g


def _core(inst, meetings, groups, names, time_limit, check_only=False):
    """Solve with the named groups as assumptions.  Returns the failing subset (or, with
    ``check_only``, True when still infeasible); None/False when feasible or unknown."""
    model = cp_model.CpModel()
    S = inst.n_slots
    lit = {n: model.new_bool_var(n) for n in names}
    x = {(m, s): model.new_bool_var("") for m in meetings for s in range(S)}
    for m in meetings:
        model.add(sum(x[m, s] for s in range(S)) <= 1)
    for n in names:
        spec = groups[n][1]
        if spec[0] == "req":
            model.add(sum(x[spec[1], s] for s in range(S)) == 1).only_enforce_if(lit[n])
        elif spec[0] == "dom":
            for s in range(S):
                if s not in spec[2]:
                    model.add_implication(lit[n], ~x[spec[1], s])
        elif spec[0] == "prec":
            m, a = spec[1], spec[2]
            if (m, 0) not in x or (a, 0) not in x:
                continue  # one of the two is left out already (no slot at all)
            for s in range(S):
                later = [x[a, t] for t in range(s, S)]
                model.add(x[m, s] + sum(later) <= 1).only_enforce_if(lit[n])
        elif spec[0] == "off":
            for m in inst.meetings_of[spec[1]]:
                if (m, 0) in x:
                    for s in spec[2]:
                        model.add_implication(lit[n], ~x[m, s])
        elif spec[0] == "tables":
            for s in range(S):
                model.add(
                    sum(x[m, s] for m in meetings if inst.uses_free_table(m)) <= inst.n_free_tables
                ).only_enforce_if(lit[n])
    # Always on: one meeting a time per participant, stand tables.
    busy = []
    for p in range(inst.n_participants):
        row = []
        for s in range(S):
            lits = [x[m, s] for m in inst.meetings_of[p] if (m, s) in x]
            model.add_at_most_one(lits)
            row.append(sum(lits))
        busy.append(row)
    for s in range(S):
        groups_t: dict[str, list] = {}
        for m in meetings:
            if inst.table_of[m] is not None:
                groups_t.setdefault(inst.table_of[m], []).append(x[m, s])
        for lits in groups_t.values():
            model.add_at_most_one(lits)
    if "fair" in lit:
        lo = model.new_int_var(0, S, "lo")
        for p in range(inst.n_participants):
            if not inst.meetings_of[p]:
                model.add(lo == 0).only_enforce_if(lit["fair"])
                continue
            starts = []
            for s in range(S):
                st = model.new_bool_var("")
                model.add(st >= busy[p][s] - (busy[p][s - 1] if s else 0))
                model.add(st <= busy[p][s])
                if s:
                    model.add(st <= 1 - busy[p][s - 1])
                starts.append(st)
            has = model.new_bool_var("")
            for s in range(S):
                model.add(has >= busy[p][s])
            model.add(has <= sum(busy[p]))
            brk = sum(starts) - has
            model.add(brk >= lo).only_enforce_if(lit["fair"])
            model.add(brk <= lo + inst.problem.fairness).only_enforce_if(lit["fair"])
    model.add_assumptions(list(lit.values()))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = time_limit
    status = solver.solve(model)
    if status != cp_model.INFEASIBLE:
        return False if check_only else None
    if check_only:
        return True
    index = {lit[n].index: n for n in names}
    return [index[i] for i in solver.sufficient_assumptions_for_infeasibility() if i in index]


def unscheduled_reason(inst: Instance, m: int, slot_of: dict[int, int]) -> str:
    """Why an optional meeting was left out of a schedule."""
    if not inst.domain[m]:
        return domain_reason(inst, m)
    busy = slots_by_participant(inst, slot_of)
    parts = []
    taken: set[int] = set()
    for p in inst.members[m]:
        hit = sorted(set(busy[p]) & set(inst.domain[m]))
        if hit:
            parts.append(f"{_p(inst, p)} is busy in slot(s) {_slots(inst, hit)}")
            taken |= set(hit)
    rest = set(inst.domain[m]) - taken
    if rest:
        parts.append(f"the tables or precedences rule out slot(s) {_slots(inst, rest)}")
    return (
        f"not enough room for this lower-priority meeting: of its possible slots "
        f"({_slots(inst, inst.domain[m])}), " + "; ".join(parts)
    )
