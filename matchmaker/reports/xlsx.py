"""The report as an XLSX workbook (openpyxl, write-only: rows stream to the file, so
memory stays flat as the event grows): one sheet per table of figures, and one with
the raw meetings and both sides' answers."""

from __future__ import annotations

import io
from typing import IO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from ..events.models import Event
from . import figures, raw, tables

RAW_SHEET = "Meetings and outcomes"


def _safe(sheet, value):
    """A text starting with "=" stays text: openpyxl would store it as a formula, and a
    company name must never run on the organiser's machine."""
    if isinstance(value, str) and value.startswith("="):
        cell = WriteOnlyCell(sheet, value)
        cell.data_type = "s"
        return cell
    return value


def _header(sheet, names):
    bold = Font(bold=True)
    cells = []
    for name in names:
        cell = WriteOnlyCell(sheet, name)
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)


def write(event: Event, out: IO[bytes], anonymise: bool = False, report=None) -> None:
    report = report or figures.build(event)
    book = Workbook(write_only=True)
    for table in tables.tables(report):
        sheet = book.create_sheet(table.title[:31])
        _header(sheet, table.header)
        for row in table.rows:
            sheet.append([_safe(sheet, v) for v in row])
    sheet = book.create_sheet(RAW_SHEET)
    _header(sheet, raw.header(anonymise))
    for row in raw.all_rows(event, anonymise):
        sheet.append([_safe(sheet, v) for v in row])
    book.save(out)


def workbook_bytes(event: Event, anonymise: bool = False) -> bytes:
    out = io.BytesIO()
    write(event, out, anonymise)
    return out.getvalue()
