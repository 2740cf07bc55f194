"""The CP-SAT model.

One boolean ``x[m, s]`` per meeting and *allowed* slot (domains already exclude
sessions, fixed slots, allowed-slot lists, unavailability and locks).  Tables are not
modelled per slot: a slot holds at most ``#tables`` meetings and at most one meeting per
stand table; real tables are assigned afterwards (``tables.py``), which removes the
table symmetry entirely.

Breaks are counted as *blocks*: ``start[p, s]`` is true when participant ``p`` is busy
in ``s`` but not in ``s - 1``; a participant's breaks are ``blocks - 1`` (if they have a
meeting).  Per-participant lower bounds (``bounds.py``) are added as ``blocks >= lb + 1``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from .instance import Instance

#: Cumulative over the intervals of participants without a break (see build_model).
CUMULATIVE = True


@dataclass
class Built:
    model: cp_model.CpModel
    x: dict[tuple[int, int], cp_model.IntVar]
    scheduled: dict[int, cp_model.LinearExprT]  # meeting -> linear expr (0/1)
    breaks: cp_model.LinearExprT  # total breaks
    priority: cp_model.LinearExprT  # scheduled priority
    moved: cp_model.LinearExprT  # meetings moved away from their previous slot
    org_blocks: cp_model.LinearExprT
    breaks_max: int = 0
    org_max: int = 0
    moves_max: int = 0
    enforce: dict[str, object] = field(default_factory=dict)
    break_lits: list = field(default_factory=list)
    busy: dict = field(default_factory=dict)  # (participant, slot) -> bool var
    brk: dict = field(default_factory=dict)  # participant -> breaks (int var)


def build_model(
    inst: Instance,
    meetings: list[int],
    lower: list[int] | None = None,
    min_priority: int | None = None,
    assumptions: bool = False,
) -> Built:
    """Build the model over ``meetings`` (indices; the others are left unscheduled).

    ``lower[p]`` is a lower bound on participant ``p``'s breaks; ``min_priority`` fixes a
    minimum scheduled priority (second stage of the lexicographic objective).  With
    ``assumptions`` the optional constraint groups are guarded by literals (for
    explanations), see ``explain.py``.
    """
    model = cp_model.CpModel()
    S = inst.n_slots
    x: dict[tuple[int, int], cp_model.IntVar] = {}
    active = set(meetings)
    for m in meetings:
        for s in inst.domain[m]:
            x[m, s] = model.new_bool_var(f"x{m}_{s}")
    scheduled: dict[int, cp_model.LinearExprT] = {}
    for m in meetings:
        lits = [x[m, s] for s in inst.domain[m]]
        if inst.optional[m]:
            model.add(sum(lits) <= 1)
        else:
            model.add_exactly_one(lits)
        scheduled[m] = sum(lits)
    by_slot: list[list[int]] = [[] for _ in range(S)]
    for m, s in x:
        by_slot[s].append(m)
    # Table capacity: stand tables are reserved for their owners (one meeting a slot
    # each); the other meetings share the remaining tables.
    for s in range(S):
        free = [m for m in by_slot[s] if inst.uses_free_table(m)]
        if len(free) > inst.n_free_tables:
            model.add(sum(x[m, s] for m in free) <= inst.n_free_tables)
        groups: dict[str, list[int]] = {}
        for m in by_slot[s]:
            if (table := inst.table_of[m]) is not None:
                groups.setdefault(table, []).append(m)
        for ms in groups.values():
            if len(ms) > 1:
                model.add_at_most_one(x[m, s] for m in ms)
    # Precedences: m after a  =>  x[m, s] excludes a in any slot >= s.
    for m in meetings:
        for a in inst.after[m]:
            if a not in active:
                continue
            for s in inst.domain[m]:
                later = [x[a, t] for t in inst.domain[a] if t >= s]
                if later:
                    model.add(x[m, s] + sum(later) <= 1)
    # Participants: one meeting a slot, blocks and breaks.
    busy_of: list[dict[int, cp_model.LinearExprT]] = []
    total_breaks = []
    per_participant = []
    break_lits: list = []
    breaks_max = 0
    busy_vars: dict = {}
    spans: dict[int, tuple] = {}
    brk_of: dict[int, object] = {}
    for p in range(inst.n_participants):
        ms = [m for m in inst.meetings_of[p] if m in active]
        busy: dict[int, cp_model.LinearExprT] = {}
        for s in range(S):
            lits = [x[m, s] for m in ms if (m, s) in x]
            if len(lits) > 1:
                model.add_at_most_one(lits)
            if lits:
                busy[s] = sum(lits)
        busy_of.append(busy)
        if not busy:
            per_participant.append(0)
            continue
        n_req = sum(1 for m in ms if not inst.optional[m])
        lb = lower[p] if lower else 0
        brk, hi, ends, bvars, span = participant_breaks(model, busy, n_req, len(ms) - n_req, lb)
        if span is not None:
            spans[p] = span
        for s, v in bvars.items():
            busy_vars[p, s] = v
        break_lits += ends
        brk_of[p] = brk
        per_participant.append(brk)
        total_breaks.append(brk)
        breaks_max += hi
    # Participants without a break occupy one interval of their meeting count: a
    # cumulative over those intervals (capacity: people a slot) prunes by time-tabling.
    if CUMULATIVE:
        intervals = []
        for p, (fst, _lst, none) in spans.items():
            ms = [m for m in inst.meetings_of[p] if m in active]
            if any(inst.optional[m] for m in ms):
                continue
            intervals.append(model.new_optional_fixed_size_interval_var(fst, len(ms), none, ""))
        size0 = max((len(inst.members[m]) for m in meetings), default=2)
        if intervals:
            model.add_cumulative(intervals, [1] * len(intervals), size0 * inst.n_tables)
    # The paper's implied constraint: at most (tables x meeting size) people busy a slot.
    size = max((len(inst.members[m]) for m in meetings), default=2)
    for s in range(S):
        people = [v for (p, t), v in busy_vars.items() if t == s]
        if len(people) > size * inst.n_tables:
            model.add(sum(people) <= size * inst.n_tables)
    if inst.problem.fairness is not None and total_breaks:
        lo = model.new_int_var(0, S, "fair_lo")
        for brk in per_participant:
            model.add(brk >= lo)
            model.add(brk <= lo + inst.problem.fairness)
    # Organisation blocks (secondary objective).
    org_terms = []
    org_max = 0
    if inst.problem.organisation_blocks:
        for reps in inst.organisations.values():
            slots = sorted({s for p in reps for s in busy_of[p]})
            if not slots:
                continue
            ob = {}
            for s in slots:
                b = model.new_bool_var("")
                terms = [busy_of[p][s] for p in reps if s in busy_of[p]]
                model.add(b <= sum(terms))
                for t in terms:
                    model.add(b >= t)
                ob[s] = b
            for s in slots:
                st = model.new_bool_var("")
                model.add(st >= ob[s] - ob[s - 1] if s - 1 in ob else st >= ob[s])
                org_terms.append(st)
            org_max += (len(slots) + 1) // 2
    # Minimal change: a meeting moves when it leaves its previous slot.
    moves = []
    for m in meetings:
        ps = inst.previous_slot[m]
        if ps is None:
            continue
        moves.append(1 - x[m, ps] if (m, ps) in x else 1)
    fixed_priority = sum(inst.priority[m] for m in meetings if not inst.optional[m])
    priority = (
        sum(inst.priority[m] * scheduled[m] for m in meetings if inst.optional[m]) + fixed_priority
    )
    if min_priority is not None:
        model.add(priority >= min_priority)
    return Built(
        model=model,
        x=x,
        scheduled=scheduled,
        breaks=sum(total_breaks),
        break_lits=break_lits,
        priority=priority,
        moved=sum(moves),
        org_blocks=sum(org_terms),
        breaks_max=breaks_max,
        org_max=org_max,
        moves_max=len(moves),
        busy=busy_vars,
        brk=brk_of,
    )


def _or_chain(model: cp_model.CpModel, bits: list) -> list:
    """prefix[i] == bits[0] or ... or bits[i] (None bits are constant false)."""
    out, cur = [], None
    for b in bits:
        if b is not None:
            if cur is None:
                cur = b
            else:
                nxt = model.new_bool_var("")
                model.add_bool_or([~nxt, cur, b])
                model.add_implication(cur, nxt)
                model.add_implication(b, nxt)
                cur = nxt
        out.append(cur)
    return out


def _and(model: cp_model.CpModel, conds: list):
    """A new literal equal to the conjunction of ``conds``."""
    e = model.new_bool_var("")
    model.add_bool_and(conds).only_enforce_if(e)
    model.add_bool_or([~c for c in conds] + [e])
    return e


def participant_breaks(model: cp_model.CpModel, busy: dict, n_req: int, n_opt: int, lb: int):
    """Exact break count of one participant as an integer variable.

    ``busy[s]`` (0/1 expressions) become explicit booleans whose sum is the meeting
    count (the paper's implied constraint).  A break *ends* in ``s`` when busy in ``s``,
    free in ``s - 1`` and busy somewhere before; it *starts* symmetrically.  Counting
    both with prefix/suffix "busy somewhere before/after" chains lets a tight break
    budget propagate ("busy in 3 and 7, no break allowed => busy in 4, 5, 6").
    """
    first, last = min(busy), max(busy)
    b: list = []
    bvars = {}
    for s in range(first, last + 1):
        if s in busy:
            v = model.new_bool_var("")
            model.add(v == busy[s])
            b.append(v)
            bvars[s] = v
        else:
            b.append(None)
    bits = [v for v in b if v is not None]
    if n_opt == 0:
        model.add(sum(bits) == n_req)
    else:
        model.add(sum(bits) >= n_req)
    before = _or_chain(model, b)
    after = _or_chain(model, b[::-1])[::-1]
    ends, starts = [], []
    for i, v in enumerate(b):
        if v is None:
            continue
        if i > 0 and before[i - 1] is not None:
            conds = [v, before[i - 1]] + ([~b[i - 1]] if b[i - 1] is not None else [])
            ends.append(_and(model, conds))
        if i + 1 < len(b) and after[i + 1] is not None:
            conds = [v, after[i + 1]] + ([~b[i + 1]] if b[i + 1] is not None else [])
            starts.append(_and(model, conds))
    # Most blocks possible: each run of consecutive possible slots of length L holds at
    # most ceil(L / 2) blocks (the possible slots need not be consecutive).
    runs, length = 0, 0
    for v in b + [None]:
        if v is None:
            runs += (length + 1) // 2
            length = 0
        else:
            length += 1
    hi = max(0, min(n_req + n_opt, runs) - 1)
    brk = model.new_int_var(min(lb, hi), hi, "")
    model.add(brk == sum(ends))
    model.add(brk == sum(starts))
    span = None
    if n_req >= 1 and len(bits) > 1:
        span = _span(model, first, last, b, before, after, bits, brk)
    return brk, hi, ends, bvars, span


def _span(model: cp_model.CpModel, first: int, last: int, b, before, after, bits, brk) -> tuple:
    """First and last busy slot as integers (order-encoded by the before/after chains):
    the span holds every meeting and each break adds an idle slot; without breaks the
    span is exactly the meeting count.  This gives window reasoning ("4 meetings, no
    break, busy in slot 5 => free outside 2..8") that the chains alone only find by
    search."""
    fst = model.new_int_var(first, last, "")
    lst = model.new_int_var(first, last, "")
    for i in range(last - first + 1):
        if before[i] is not None:
            model.add(fst <= first + i).only_enforce_if(before[i])
            model.add(fst >= first + i + 1).only_enforce_if(~before[i])
        if after[i] is not None:
            model.add(lst >= first + i).only_enforce_if(after[i])
            model.add(lst <= first + i - 1).only_enforce_if(~after[i])
    count = sum(bits)
    model.add(lst - fst + 1 >= count + brk)
    none = model.new_bool_var("")
    model.add(brk == 0).only_enforce_if(none)
    model.add(brk >= 1).only_enforce_if(~none)
    model.add(lst - fst + 1 == count).only_enforce_if(none)
    # No break: busy in every slot between the first and the last busy one.
    for i in range(1, last - first):
        if before[i - 1] is not None and after[i + 1] is not None:
            clause = [~none, ~before[i - 1], ~after[i + 1]]
            model.add_bool_or(clause + ([b[i]] if b[i] is not None else []))
    return fst, lst, none


def main_objective(inst: Instance, built: Built) -> tuple[cp_model.LinearExprT, bool]:
    """Lexicographic objective as weights: moves, then breaks, then organisation blocks.

    Returns (expression, whether it is the plain number of breaks).  Expressions are
    combined without in-place operators: CP-SAT sums may be mutable."""
    org = inst.problem.organisation_blocks and built.org_max > 0
    w_break = built.org_max + 1 if org else 1
    w_move = (built.breaks_max + 1) * w_break
    terms = [built.breaks * w_break]
    if org:
        terms.append(built.org_blocks)
    if built.moves_max:
        terms.append(built.moved * w_move)
    if len(terms) == 1:
        return built.breaks, True
    return cp_model.LinearExpr.sum(terms), False
