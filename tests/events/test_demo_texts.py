"""The demo's texts read as written by people: names and acronyms keep their capitals."""

from __future__ import annotations

import re

from sqlalchemy import select

from matchmaker.events.models import Event
from matchmaker.meetings.models import MeetingRequest
from matchmaker.participants.directory import DirectoryFilters, search_directory
from matchmaker.participants.models import Opportunity, Organisation, Participant

# Words a person always writes with capitals; the demo lowercased them ("eisenach").
PROPER = ["Eisenach", "Finnish", "Finland", "Germany", "South Africa", "SMEs", "ROPS", "CEO"]


def _lowered(text: str) -> list[str]:
    return [w for w in PROPER if re.search(rf"\b{re.escape(w.lower())}\b", text or "")]


def test_demo_texts_keep_names_and_acronyms_as_written(app, db, client):
    assert app.test_cli_runner().invoke(args=["demo", "load"]).exit_code == 0
    event = db.scalar(select(Event).where(Event.slug == "bell-equipment-mission"))
    people = list(db.scalars(select(Participant).where(Participant.event_id == event.id)))
    texts = [p.bio for p in people]
    texts += [o.description for o in db.scalars(select(Opportunity))]
    texts += [r.message for r in db.scalars(select(MeetingRequest))]
    texts += [o.sectors for o in db.scalars(select(Organisation))]
    texts += [o.tags for o in db.scalars(select(Opportunity))]
    bad = {t: _lowered(t) for t in texts if _lowered(t)}
    assert not bad, list(bad.items())[:5]
    assert any("Eisenach plant purchasing liaison" in (p.bio or "") for p in people)

    bell = db.scalar(
        select(Opportunity).where(Opportunity.title.like("Supplier programme for the Eisenach%"))
    )
    assert bell.tags == "|supply chain|Germany|"
    # Shown as written, found whatever the case typed in the directory's sector filter.
    found = {
        typed: {
            card.representatives[0].id
            for card in search_directory(event, DirectoryFilters.from_args({"sector": typed})).items
        }
        for typed in ("rops", "ROPS", "Rops")
    }
    assert found["rops"] and found["rops"] == found["ROPS"] == found["Rops"]
    shown = db.get(Participant, sorted(found["rops"])[0])
    client.post("/login", data={"email": shown.user.email, "password": "matchmaker-demo"})
    page = client.get(f"/events/{event.slug}/participants/{shown.id}").get_data(as_text=True)
    assert '<span class="tag">ROPS</span>' in page
