"""Tags (sectors, technologies) stored as ``|a|b|`` so one LIKE finds a tag."""

from __future__ import annotations

import re
from collections.abc import Iterable

MAX_TAG = 40


def normalise_tag(tag: str) -> str:
    tag = re.sub(r"\s+", " ", tag.replace("|", " ")).strip().lower()
    return tag[:MAX_TAG]


def pack_tags(tags: Iterable[str]) -> str:
    seen: list[str] = []
    for tag in tags:
        norm = normalise_tag(tag)
        if norm and norm not in seen:
            seen.append(norm)
    return "|" + "|".join(seen) + "|" if seen else ""


def unpack_tags(packed: str | None) -> list[str]:
    return [t for t in (packed or "").split("|") if t]


def parse_tag_input(text: str) -> list[str]:
    """Tags typed by a person: separated by commas or semicolons."""
    return [t for t in (normalise_tag(part) for part in re.split(r"[,;\n]", text or "")) if t]
