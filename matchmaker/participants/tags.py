"""Tags (sectors, technologies) stored as ``|a|b|`` so one LIKE finds a tag.

A tag keeps the casing its author wrote ("Germany", "SMEs") for display; matching is
case-insensitive (``tag_key``, ILIKE), so "germany" and "Germany" are one tag.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MAX_TAG = 40


def normalise_tag(tag: str) -> str:
    """One tag as shown: single spaces, no separator, at most MAX_TAG characters."""
    tag = re.sub(r"\s+", " ", tag.replace("|", " ")).strip()
    return tag[:MAX_TAG]


def tag_key(tag: str) -> str:
    """What two tags are compared by: "Germany" and "germany" are the same tag."""
    return normalise_tag(tag).casefold()


def pack_tags(tags: Iterable[str]) -> str:
    seen: dict[str, str] = {}
    for tag in tags:
        norm = normalise_tag(tag)
        if norm and tag_key(norm) not in seen:
            seen[tag_key(norm)] = norm
    return "|" + "|".join(seen.values()) + "|" if seen else ""


def unpack_tags(packed: str | None) -> list[str]:
    return [t for t in (packed or "").split("|") if t]


def parse_tag_input(text: str) -> list[str]:
    """Tags typed by a person: separated by commas or semicolons."""
    return [t for t in (normalise_tag(part) for part in re.split(r"[,;\n]", text or "")) if t]
