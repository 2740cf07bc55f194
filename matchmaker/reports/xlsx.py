"""The report as an XLSX workbook (XlsxWriter in constant-memory mode: each row goes to
a temporary file as soon as the next one starts, so memory stays flat as the event
grows): one sheet per table of figures, and one with the raw meetings and both sides'
answers."""

from __future__ import annotations

import io
from datetime import date
from typing import IO

import xlsxwriter

from ..events.models import Event
from . import figures, raw, tables

RAW_SHEET = "Meetings and outcomes"
OPTIONS = {
    "constant_memory": True,
    # A text is always written as text: a company name starting with "=" must never
    # run as a formula on the organiser's machine, nor "www..." become a link.
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}


class _Sheet:
    """One worksheet, written a row at a time with the writer's typed calls (cheaper
    than its ``write_row``, which guesses each value's type by trying them in turn)."""

    def __init__(self, book, title: str, day):
        self.sheet = book.add_worksheet(title[:31])
        self.string = self.sheet.write_string
        self.number = self.sheet.write_number
        self.datetime = self.sheet.write_datetime
        self.day = day
        self.row = 0

    def append(self, values, style=None) -> None:
        r, string, number = self.row, self.string, self.number
        for c, value in enumerate(values):
            if value is None:
                continue
            kind = type(value)
            if kind is str:
                string(r, c, value, style)
            elif kind is int or kind is float:
                number(r, c, value, style)
            elif kind is date:
                self.datetime(r, c, value, self.day)
            elif kind is bool:
                self.sheet.write_boolean(r, c, value, style)
            else:
                string(r, c, str(value), style)
        self.row += 1


def write(event: Event, out: IO[bytes], anonymise: bool = False, report=None) -> None:
    report = report or figures.build(event)
    book = xlsxwriter.Workbook(out, OPTIONS)
    bold = book.add_format({"bold": True})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    for table in tables.tables(report):
        sheet = _Sheet(book, table.title, day)
        sheet.append(table.header, bold)
        for figures_row in table.rows:
            sheet.append(figures_row)
    sheet = _Sheet(book, RAW_SHEET, day)
    sheet.append(raw.header(anonymise), bold)
    for row in raw.all_rows(event, anonymise):
        sheet.append(row)
    book.close()


def workbook_bytes(event: Event, anonymise: bool = False) -> bytes:
    out = io.BytesIO()
    write(event, out, anonymise)
    return out.getvalue()
