"""What a participant agrees to show, asked at registration for an event.

The choices are stored on the participation with the time and the version of the wording
they were asked in (``CONSENT_VERSION``): when the wording changes, its version does too.
Every place a contact detail appears reads them through ``Participant.shared_email`` /
``shared_phone`` (the agenda, follow-ups and their CSV and vCard files); the directory
and suggestions list only participants who said yes to being listed.
"""

from __future__ import annotations

from ..dbtypes import utcnow
from ..errors import Invalid

CONSENT_VERSION = "2026-12"

#: What the registration form says, plainly, before the two questions.
WHAT_OTHERS_SEE = (
    "The event's organisers see everything you enter here. Approved participants see your "
    "name, role, organisation and what you offer and seek, in the directory and in "
    "suggestions, if you choose to be listed. Your e-mail address and phone number are "
    "shown only to the people you have a meeting with, and only if you say yes. You can "
    "change your mind, download your data or delete your account at any time from your "
    "account page."
)
LISTED_QUESTION = "List me in the event's directory and suggestions"
SHARE_QUESTION = "Show my e-mail address and phone number to the people I have a meeting with"


def parse_choice(value: str | None, field: str) -> bool:
    if value not in ("yes", "no"):
        raise Invalid("Choose yes or no.", field)
    return value == "yes"


def record(participant, *, listed: bool, share_contact: bool, phone: str = ""):
    """Store the participant's choices, with when and under which wording."""
    participant.listed = listed
    participant.share_contact = share_contact
    participant.phone = " ".join((phone or "").split())[:40]
    participant.consent_at = utcnow()
    participant.consent_version = CONSENT_VERSION
    return participant
