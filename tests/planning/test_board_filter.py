"""The schedule's filter (participant, organisation) is one rule: the grid shows the
meetings of exactly the participants the per-participant view lists."""

from __future__ import annotations

import re

import pytest

from matchmaker.events.services import event_slots
from matchmaker.meetings.services import place_meeting


def _grid_shown(client, slug: str, query: str) -> set[int]:
    html = client.get(f"/events/{slug}/schedule?{query}").get_data(as_text=True)
    cells = re.findall(r'id="meeting-(\d+)" class="meeting-cell([^"]*)"', html)
    assert cells, "the grid shows the placed meetings"
    return {int(m) for m, classes in cells if "dimmed" not in classes}


def _listed(client, slug: str, query: str) -> set[int]:
    html = client.get(f"/events/{slug}/schedule?view=participants&{query}").get_data(as_text=True)
    assert 'id="schedule-participants"' in html
    return {int(p) for p in re.findall(r'id="participant-(\d+)"', html)}


@pytest.mark.parametrize(
    "who, organisation_of, expected",
    [
        (0, None, {0}),  # one participant
        (None, 0, {0, 3}),  # an organisation: both of its people
        (0, 0, {0}),  # both filters, and they agree
        (1, 0, set()),  # both filters, and they do not: nobody (the grid kept both)
    ],
)
def test_grid_and_per_participant_view_filter_alike(
    client, auth, db, scheduled_event, who, organisation_of, expected
):
    s = scheduled_event()
    s.people[3].organisation = s.people[0].organisation  # two people of one organisation
    slots, table = event_slots(s.event), s.event.tables[0].id
    for i, m in enumerate(s.meetings):  # one meeting a slot: every meeting in the grid
        place_meeting(m, slots[i].starts_at, slots[i].ends_at, table)
    db.flush()
    auth.login(s.organiser)
    query = "&".join(
        f"{key}={value}"
        for key, value in (
            ("participant", s.people[who].id if who is not None else None),
            (
                "organisation",
                s.people[organisation_of].organisation_id if organisation_of is not None else None,
            ),
        )
        if value is not None
    )

    listed = _listed(client, s.event.slug, query)
    assert listed == {s.people[i].id for i in expected}
    meetings_of_listed = {m.id for m in s.meetings if listed & set(m.participant_ids)}
    assert _grid_shown(client, s.event.slug, query) == meetings_of_listed
