"""Single-line text stays on one line: names, titles, organisations, subjects.

A line break typed (or pasted, or imported from a CSV cell) into a name travels on to
places where it does harm: a mail subject with a newline makes ``EmailMessage`` raise
(the partner's notifications failed), and a header could be forged with one. ``String``
columns hold one line by design (``Text`` columns hold paragraphs), so before every
flush the ORM replaces line breaks and other control characters in ``String`` values
with a space: every way in (forms, CSV import, command line) is covered at once. ``Text``
values lose only NUL characters, which PostgreSQL cannot store.
"""

from __future__ import annotations

import re
from itertools import chain

from sqlalchemy import String, Text, event, inspect
from sqlalchemy.orm import Mapper, Session

_CONTROL = re.compile(r"\s*[\x00-\x1f\x7f\x85\u2028\u2029]+\s*")


def one_line(text: str) -> str:
    """``text`` with every run of line breaks / control characters made one space."""
    if not _CONTROL.search(text):
        return text
    return _CONTROL.sub(" ", text).strip()


_text_keys: dict[Mapper, tuple[tuple[str, bool], ...]] = {}


def _keys(mapper: Mapper) -> tuple[tuple[str, bool], ...]:
    """``(attribute, single line?)`` for every text column of ``mapper``."""
    keys = _text_keys.get(mapper)
    if keys is None:
        keys = tuple(
            (attr.key, not isinstance(attr.columns[0].type, Text))
            for attr in mapper.column_attrs
            if len(attr.columns) == 1 and isinstance(attr.columns[0].type, String)
        )
        _text_keys[mapper] = keys
    return keys


@event.listens_for(Session, "before_flush")
def _keep_strings_on_one_line(session: Session, _context, _instances) -> None:
    for obj in chain(session.new, session.dirty):
        state = inspect(obj)
        for key, single_line in _keys(state.mapper):
            value = state.dict.get(key)  # loaded values only: never a lazy load here
            if isinstance(value, str):
                # Paragraphs keep their breaks; NUL goes everywhere (PostgreSQL refuses it).
                cleaned = one_line(value) if single_line else value.replace("\x00", "")
                if cleaned != value:
                    setattr(obj, key, cleaned)
