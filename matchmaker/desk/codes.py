"""Check-in codes: an unguessable token per participant, and its QR code as SVG.

The token is ``<participant id>.<MAC>``, the MAC an HMAC-SHA256 of the id under the
app's secret key: nothing to store, nothing to guess, and it names one participant
only. It checks that participant in (at the desk, by an organiser of their event) and
opens nothing else.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac

import segno
from flask import current_app
from markupsafe import Markup

from ..extensions import db
from ..participants.models import Participant
from ..web import absolute_url, parse_id

_PURPOSE = b"matchmaker check-in v1:"


def _mac(participant_id: int) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, _PURPOSE + str(participant_id).encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode()  # 144 bits, 24 characters


def checkin_token(participant: Participant) -> str:
    return f"{participant.id}.{_mac(participant.id)}"


def participant_of_token(token: str) -> Participant | None:
    """The participant a check-in token names, or None for anything forged or garbled."""
    ident, _, mac = (token or "").strip().partition(".")
    participant_id = parse_id(ident)
    if participant_id is None or not mac or len(mac) > 64:
        return None
    if not hmac.compare_digest(mac.encode(), _mac(participant_id).encode()):
        return None
    return db.session.get(Participant, participant_id)


def checkin_url(participant: Participant) -> str:
    """What the QR code holds: a link (a phone's own camera app opens a page that says
    to show the code at the desk) whose last part is the token the desk scanner reads."""
    return absolute_url("desk.code", token=checkin_token(participant))


@functools.lru_cache(maxsize=4096)  # ~2.5 kB each; a code costs ~3 ms (its mask search)
def qr_svg(data: str, title: str = "Check-in code", scale: int = 4) -> Markup:
    """``data`` as an inline SVG QR code (black on white, with its quiet zone). Cached:
    every agenda view shows its participant's code, and the same data gives the same code."""
    code = segno.make(data, error="m")
    return Markup(code.svg_inline(scale=scale, border=4, dark="#000", light="#fff", title=title))
