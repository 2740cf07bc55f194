"""The demo mission's trade visits: Bell's ADT assembly line (two groups of 15), a
component supplier near Richards Bay (two groups) and the port of Richards Bay, with
ranked wishes of the visiting participants, so a schedule run shows the allocation."""

from __future__ import annotations

import random
from datetime import date, time
from typing import Any

from ..events.models import Event
from ..events.services import local_to_utc
from ..participants.models import Participant
from ..visits import services

TUE, WED = date(2027, 3, 9), date(2027, 3, 10)

VISITS: list[dict[str, Any]] = [
    {
        "title": "Bell ADT assembly line",
        "host": "Bell Equipment",
        "address": "Bell Equipment, 1 Mikroweg, Alton North, Richards Bay, 3900",
        "meeting_point": "Visitor centre at gate 2 (safety shoes and glasses handed out)",
        "map_url": "https://www.openstreetmap.org/search?query=Alton%20North%20Richards%20Bay",
        "description": (
            "The articulated dump truck assembly line, the cabin and welding shops, with "
            "Bell's production engineers. Groups of 15."
        ),
        "options": [
            ("Group 1", TUE, time(14, 0), time(16, 30), 15, 0, 0),
            ("Group 2", WED, time(14, 0), time(16, 30), 15, 0, 0),
        ],
    },
    {
        "title": "Hydraulic cylinder plant (component supplier)",
        "host": "Zululand Hydraulics (Pty) Ltd",
        "address": "14 Alumina Allee, Alton Industrial, Richards Bay, 3900",
        "meeting_point": "Bell visitor centre car park: the bus leaves on time",
        "map_url": "https://www.openstreetmap.org/search?query=Alton%20Richards%20Bay",
        "description": "Machining, honing and test benches of a Bell cylinder supplier.",
        "options": [
            ("Group A", TUE, time(16, 0), time(17, 30), 10, 20, 20),
            ("Group B", WED, time(14, 30), time(16, 0), 10, 20, 20),
        ],
    },
    {
        "title": "Port of Richards Bay",
        "host": "Transnet National Ports Authority",
        "address": "Port of Richards Bay, Port Control, Richards Bay, 3900",
        "meeting_point": "Bell visitor centre car park (ID document required at the port gate)",
        "map_url": "https://www.openstreetmap.org/search?query=Port%20of%20Richards%20Bay",
        "description": "Bulk and break-bulk terminals; how Bell's machines are shipped.",
        "options": [("Harbour tour", WED, time(11, 30), time(13, 0), 20, 30, 30)],
    },
]


def load_visits(event: Event, people: list[Participant], rng: random.Random) -> None:
    """The visits, their groups, and ranked wishes of the visitors (not of Bell's own
    people): most want two or three, some name a group."""
    made = []
    for row in VISITS:
        fields = {k: v for k, v in row.items() if k != "options"}
        visit = services.create_visit(event, **fields)
        for label, day, start, end, places, before, after in row["options"]:
            services.add_option(
                visit,
                local_to_utc(event, day, start),
                local_to_utc(event, day, end),
                places,
                before,
                after,
                label,
            )
        made.append(visit)
    for person in people:
        if person.organisation.country == "ZA" or rng.random() < 0.15:
            continue
        wanted = rng.sample(made, k=rng.choice((1, 2, 2, 3, 3)))
        ranked = []
        for visit in wanted:
            option = None
            if len(visit.options) > 1 and rng.random() < 0.3:
                option = rng.choice(visit.options).id
            ranked.append((visit.id, option))
        services.set_wishes(event, person, ranked)
