"""Random small problems (hypothesis) and a brute-force optimum for the scheduler tests."""

from __future__ import annotations

import itertools

from hypothesis import strategies as st


@st.composite
def problems(draw, max_slots: int = 5, max_meetings: int = 6, max_people: int = 5) -> dict:
    n_slots = draw(st.integers(1, max_slots))
    two_sessions = draw(st.booleans()) and n_slots > 1
    cut = draw(st.integers(1, n_slots - 1)) if two_sessions else n_slots
    slots = [{"id": str(i + 1), "session": "am" if i < cut else "pm"} for i in range(n_slots)]
    n_tables = draw(st.integers(1, 3))
    tables = [f"T{i + 1}" for i in range(n_tables)]
    n_people = draw(st.integers(2, max_people))
    slot_ids = [s["id"] for s in slots]
    people = []
    for i in range(n_people):
        p = {
            "id": str(i + 1),
            "unavailable": draw(st.lists(st.sampled_from(slot_ids), unique=True, max_size=2)),
        }
        if draw(st.integers(0, 7)) == 0:
            p["table"] = draw(st.sampled_from(tables))
        people.append(p)
    meetings = []
    n_meetings = draw(st.integers(0, max_meetings))
    for j in range(n_meetings):
        size = draw(st.sampled_from([2, 2, 2, 3]))
        size = min(size, n_people)
        members = draw(
            st.lists(
                st.sampled_from([p["id"] for p in people]),
                min_size=size,
                max_size=size,
                unique=True,
            )
        )
        m = {"id": f"m{j + 1}", "participants": members}
        kind = draw(st.integers(0, 9))
        if kind == 0:
            m["fixed_slot"] = draw(st.sampled_from(slot_ids))
        elif kind == 1 and two_sessions:
            m["session"] = draw(st.sampled_from(["am", "pm"]))
        elif kind == 2:
            m["slots"] = draw(
                st.lists(st.sampled_from(slot_ids), unique=True, min_size=1, max_size=3)
            )
        elif kind == 3 and meetings:
            m["after"] = [draw(st.sampled_from([x["id"] for x in meetings]))]
        if draw(st.integers(0, 3)) == 0:
            m["optional"] = True
            m["priority"] = draw(st.integers(1, 3))
        meetings.append(m)
    fairness = draw(st.sampled_from([None, None, 0, 1, 2]))
    return {
        "format": "matchmaker.scheduling/1",
        "slots": slots,
        "tables": tables,
        "participants": people,
        "meetings": meetings,
        "fairness": fairness,
    }


def partners(n: int, closed: bool = True) -> dict:
    """n copies of: A and C meet in the last slot, each also meets B.  Each alone fits
    without a break, together they force one (B cannot be in the next-to-last slot
    twice); without the meeting of A and C (``closed=False``) nobody needs a break."""
    people, meetings = [], []
    for t in range(n):
        a, b, c = (f"{t}{x}" for x in "abc")
        people += [{"id": x, "unavailable": []} for x in (a, b, c)]
        if closed:
            meetings.append({"id": f"{t}-ac", "participants": [a, c], "fixed_slot": "4"})
        meetings += [
            {"id": f"{t}-ab", "participants": [a, b]},
            {"id": f"{t}-cb", "participants": [c, b]},
        ]
    return {
        "format": "matchmaker.scheduling/1",
        "slots": [{"id": str(s)} for s in range(5)],
        "tables": [str(t) for t in range(2 * n)],
        "participants": people,
        "meetings": meetings,
        "fairness": None,
    }


def _breaks(slots: list[int]) -> int:
    s = sorted(slots)
    return sum(1 for a, b in zip(s, s[1:], strict=False) if b - a > 1)


def brute_force(data: dict) -> tuple[int, int] | None:
    """(best scheduled priority, fewest breaks at that priority), or None if infeasible.

    Written from the rules in SCHEDULING.md / docs/scheduling.md, not from the solver."""
    slots = [s["id"] for s in data["slots"]]
    session = {s["id"]: s.get("session") for s in data["slots"]}
    people = {p["id"]: p for p in data["participants"]}
    stands = {p.get("table") for p in people.values() if p.get("table")}
    free_tables = len(data["tables"]) - len(stands)
    meetings = data["meetings"]
    options = []
    for m in meetings:
        ok = [
            i
            for i, s in enumerate(slots)
            if (m.get("session") is None or session[s] == m["session"])
            and (m.get("fixed_slot") is None or m["fixed_slot"] == s)
            and (m.get("slots") is None or s in m["slots"])
            and all(s not in people[p]["unavailable"] for p in m["participants"])
        ]
        own = {people[p].get("table") for p in m["participants"] if people[p].get("table")}
        if len(own) > 1:
            ok = []
        options.append(ok + ([None] if m.get("optional") else []))
    index = {m["id"]: j for j, m in enumerate(meetings)}
    best = None
    for choice in itertools.product(*options):
        seat, load, stand_use, good = set(), {}, set(), True
        for m, s in zip(meetings, choice, strict=True):
            if s is None:
                continue
            for p in m["participants"]:
                if (p, s) in seat:
                    good = False
                seat.add((p, s))
            own = {people[p].get("table") for p in m["participants"] if people[p].get("table")}
            if own:
                t = own.pop()
                if (t, s) in stand_use:
                    good = False
                stand_use.add((t, s))
            else:
                load[s] = load.get(s, 0) + 1
                if load[s] > free_tables:
                    good = False
            for a in m.get("after", []):
                sa = choice[index[a]]
                if sa is not None and sa >= s:
                    good = False
        if not good:
            continue
        per = {p: [] for p in people}
        for m, s in zip(meetings, choice, strict=True):
            if s is not None:
                for p in m["participants"]:
                    per[p].append(s)
        br = {p: _breaks(v) for p, v in per.items()}
        if data["fairness"] is not None and max(br.values()) - min(br.values()) > data["fairness"]:
            continue
        prio = sum(
            m.get("priority", 1) for m, s in zip(meetings, choice, strict=True) if s is not None
        )
        key = (-prio, sum(br.values()))
        if best is None or key < best:
            best = key
    return None if best is None else (-best[0], best[1])
