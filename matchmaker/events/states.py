"""The life of an event, in one table: draft → open → closed → published → finished.

Every place that decides on an event's status asks this module: the manage page's
words and buttons, the home page's lists, whether people can register or request
meetings, and what publishing a schedule does. Nothing else compares ``event.status``
with a literal, so a state says what it does in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..dbtypes import utcnow

NOT_OPEN = "Registration for this event is not open."
FINISHED = "This event has finished; its meeting requests can no longer change."


@dataclass(frozen=True)
class Move:
    """A button on the manage page that moves the event to ``target``."""

    target: str
    label: str
    secondary: bool = False
    confirm: str = ""


@dataclass(frozen=True)
class EventState:
    status: str
    label: str
    #: What the state means, for the organiser (manage page).
    explanation: str
    #: What to do next (manage page).
    next_step: str
    moves: tuple[Move, ...]
    #: Seen by people other than its organisers (event page, feeds, home page).
    public: bool
    #: Registration open: True, False, or None for "the organiser's late-registration setting".
    registration: bool | None
    #: Participants may ask for, accept and answer meeting requests.
    requests: bool
    #: Nothing about meeting requests changes any more, for anybody.
    read_only: bool = False


STATES: dict[str, EventState] = {
    s.status: s
    for s in (
        EventState(
            "draft",
            "Draft",
            "Only you and the other organisers can see this event. Nobody can register or "
            "request meetings yet.",
            "Open registration when the sessions and tables are set.",
            (Move("open", "Open registration"),),
            public=False,
            registration=False,
            requests=False,
        ),
        EventState(
            "open",
            "Open for registration",
            "Anyone can see the event and register. Registered participants request "
            "meetings with each other.",
            "Close registration when you are ready to build the schedule. Publishing the "
            "schedule closes registration too, unless you allow late registration "
            "(Edit details).",
            (
                Move("closed", "Close registration"),
                Move(
                    "draft",
                    "Back to draft",
                    secondary=True,
                    confirm="Hide the event from everyone but its organisers?",
                ),
            ),
            public=True,
            registration=True,
            requests=True,
        ),
        EventState(
            "closed",
            "Registration closed",
            "Anyone can see the event, but nobody new can register. Registered participants "
            "can still request meetings until the deadline for requests.",
            "Build the schedule and publish it from the Schedule page.",
            (Move("open", "Reopen registration", secondary=True),),
            public=True,
            registration=False,
            requests=True,
        ),
        EventState(
            "published",
            "Schedule published",
            "Participants see their meetings in their agendas and calendars.",
            "After the event, mark it as finished.",
            (
                Move(
                    "finished",
                    "Mark as finished",
                    confirm="Mark the event as finished? Meeting requests can then no "
                    "longer change.",
                ),
            ),
            public=True,
            registration=None,
            requests=True,
        ),
        EventState(
            "finished",
            "Finished",
            "The event is over. Participants can still read their agendas, but nobody can "
            "register, and meeting requests can no longer change.",
            "",
            (Move("published", "Reopen the event", secondary=True),),
            public=True,
            registration=False,
            requests=False,
            read_only=True,
        ),
    )
}


def state_of(event) -> EventState:
    return STATES[event.status]


def can_move(event, target: str) -> bool:
    return any(m.target == target for m in state_of(event).moves)


def registration_allowed(event) -> bool:
    """Does the event's state let people register (dates aside)?"""
    allowed = state_of(event).registration
    return bool(event.late_registration) if allowed is None else allowed


def registration_problem(event, now: datetime | None = None) -> str | None:
    """Why registration is closed right now, or None when it is open."""
    if not registration_allowed(event):
        if event.status == "finished":
            return "This event has finished."
        if event.status == "published":
            return "Registration closed when the schedule was published."
        return NOT_OPEN
    now = now or utcnow()
    if event.registration_opens_at and now < event.registration_opens_at:
        return "Registration has not opened yet."
    if event.registration_closes_at and now >= event.registration_closes_at:
        return "Registration has closed."
    return None


def requests_problem(event) -> str | None:
    """Why the event's state refuses meeting requests, or None."""
    state = state_of(event)
    if state.read_only:
        return FINISHED
    if not state.requests:
        return "This event is not open yet."
    return None


def label(event) -> str:
    """The badge: the state's label, and late registration when it is on."""
    if event.status == "published" and event.late_registration:
        return "Schedule published · late registration open"
    return state_of(event).label


def explanation(event) -> str:
    """The manage page's sentences for the event's state and its settings."""
    state = state_of(event)
    words = [state.explanation]
    if event.status == "open" and event.requires_approval:
        words.append("You approve each registration.")
    if event.status == "published":
        if event.late_registration:
            words.append(
                "Late registration is open: new participants can register and request "
                "meetings; their meetings are placed when you re-plan the schedule "
                "(Schedule page) and publish the changes."
            )
        else:
            words.append(
                "Registration is closed; allow late registration (Edit details) to "
                "let new participants in."
            )
    return " ".join(words)


def publish_note(event) -> str:
    """What publishing the schedule does to registration (schedule page)."""
    if event.status in ("published", "finished"):
        return ""
    if event.late_registration:
        return "Registration stays open for late registration."
    if registration_allowed(event):
        return (
            "Publishing closes registration (allow late registration in the event's "
            "details to keep it open)."
        )
    return ""


def after_publish(event) -> str:
    """The status an event has once its schedule is published."""
    return event.status if event.status == "finished" else "published"


def home_section(event, mine: bool, now: datetime | None = None) -> str | None:
    """Where the home page lists ``event`` for a visitor ("join", "yours", "past", None).

    ``mine``: the visitor takes part in or organises the event.
    """
    if event.status == "finished":
        return "past"
    if mine:
        return "yours"
    if state_of(event).public and registration_problem(event, now) is None:
        return "join"
    return None
