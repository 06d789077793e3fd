"""Card numbers as people write and say them, and a check that none survives in a text.

Hypothesis strategies for the redaction property tests (everytouch/analysis/redact.py and
the save-time pass in everytouch/redaction.py): Luhn-valid numbers of the real lengths and
issuers, written with any separator and prefix, spoken digit by digit ("oh", "double four"),
and split over two turns. ``survivors`` is the test's own reading of a text, independent of
the detector: digits and number words, run together between separators, searched for any
eight digits of the card in a row (the marker keeps the last four, which are not a card).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hypothesis import strategies as st

# Issuer prefix and lengths: Visa, Mastercard, Amex, Discover, JCB, Maestro, UnionPay.
ISSUERS: tuple[tuple[str, tuple[int, ...]], ...] = (
    ("4", (13, 16, 19)),
    ("51", (16,)),
    ("55", (16,)),
    ("2221", (16,)),
    ("34", (15,)),
    ("37", (15,)),
    ("6011", (16, 19)),
    ("35", (16,)),
    ("6759", (13, 19)),
    ("62", (17, 18)),
)
SEPARATORS = (" ", "  ", "-", ".", "/", "\t", "\u00a0", " - ", "")
PREFIXES = ("", "ref-", "ref", "card:", "#", "my card is ", "Card no. ", "(", "cc=", "it's ")
SUFFIXES = ("", ".", ",", " exp 04/29", ")", " thanks", "x", "?")
WORDS = {
    "0": ("zero", "oh", "o", "Oh"),
    "1": ("one", "One"),
    "2": ("two",),
    "3": ("three",),
    "4": ("four", "Four"),
    "5": ("five",),
    "6": ("six",),
    "7": ("seven",),
    "8": ("eight",),
    "9": ("nine",),
}
_CHECK = {"double": 2, "triple": 3}


def luhn_complete(body: str) -> str:
    """``body`` plus the check digit that makes it pass Luhn."""
    total = 0
    for index, char in enumerate(reversed(body)):
        value = int(char)
        if index % 2 == 0:  # doubled once the check digit is appended after it
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return body + str((10 - total % 10) % 10)


@st.composite
def card_numbers(draw: st.DrawFn) -> str:
    prefix, lengths = draw(st.sampled_from(ISSUERS))
    length = draw(st.sampled_from(lengths))
    body = draw(st.text("0123456789", min_size=length - 1 - len(prefix), max_size=length - 1))
    return luhn_complete(prefix + body[: length - 1 - len(prefix)])


def groups(digits: str, sizes: tuple[int, ...]) -> list[str]:
    out, at = [], 0
    for size in sizes:
        if at < len(digits):
            out.append(digits[at : at + size])
            at += size
    if at < len(digits):
        out.append(digits[at:])
    return out


@st.composite
def written(draw: st.DrawFn, digits: str) -> str:
    """The number in digits: one run, groups of four (Amex 4-6-5), any one separator."""
    separator = draw(st.sampled_from(SEPARATORS))
    sizes = (4, 6, 5) if len(digits) == 15 and draw(st.booleans()) else (4,) * 5
    return separator.join(groups(digits, sizes))


@st.composite
def spoken(draw: st.DrawFn, digits: str) -> str:
    """Digit by digit in words ("four one one one"), with "double"/"triple" for repeats and
    some groups of four left in digits, separated by spaces or commas."""
    words: list[str] = []
    i = 0
    while i < len(digits):
        run = len(digits[i:]) - len(digits[i:].lstrip(digits[i]))
        take = min(run, 3)
        if take >= 2 and draw(st.booleans()):
            repeat = "double" if take == 2 else "triple"
            words.append(f"{repeat} {draw(st.sampled_from(WORDS[digits[i]]))}")
            i += take
        elif i % 4 == 0 and len(digits) - i >= 4 and draw(st.integers(0, 4)) == 0:
            words.append(digits[i : i + 4])
            i += 4
        else:
            words.append(draw(st.sampled_from(WORDS[digits[i]])))
            i += 1
    separator = draw(st.sampled_from((" ", ", ", "  ")))
    return separator.join(words)


@dataclass(frozen=True)
class Card:
    digits: str
    texts: tuple[str, ...]  # one text, or two consecutive turns


@st.composite
def card_texts(draw: st.DrawFn) -> Card:
    """A card number in one text, in any format, with something before and after it."""
    digits = draw(card_numbers())
    body = draw(st.one_of(written(digits), spoken(digits)))
    # A letter glued to a spoken digit makes another word ("sevenx"): only digits take one.
    starts, ends = not body[0].isdigit(), not body[-1].isdigit()
    before = draw(st.sampled_from([p for p in PREFIXES if not (starts and p[-1:].isalpha())]))
    after = draw(st.sampled_from([s for s in SUFFIXES if not (ends and s[:1].isalpha())]))
    return Card(digits, (before + body + after,))


@st.composite
def split_cards(draw: st.DrawFn) -> Card:
    """A 16-digit number read out over two turns: "my card is 4539 1488" / "0343 6467."."""
    prefix, _ = draw(st.sampled_from([i for i in ISSUERS if 16 in i[1]]))
    body = draw(st.text("0123456789", min_size=15, max_size=15))
    digits = luhn_complete((prefix + body)[:15])
    if draw(st.booleans()):
        cut = draw(st.sampled_from((4, 8, 12)))
        separator = draw(st.sampled_from([s for s in SEPARATORS if s]))
        parts = [separator.join(groups(p, (4,) * 4)) for p in (digits[:cut], digits[cut:])]
    elif draw(st.booleans()):
        parts = [digits[:8], digits[8:]]
    else:
        cut = draw(st.sampled_from((4, 8, 12)))
        parts = [draw(spoken(digits[:cut])), draw(spoken(digits[cut:]))]
    before = draw(st.sampled_from([p for p in PREFIXES if not p[-1:].isalnum()]))
    after = draw(st.sampled_from([s for s in SUFFIXES if not s[:1].isalnum()]))
    return Card(digits, (before + parts[0], parts[1] + after))


_READ = re.compile(r"\d|[^\W\d_]+|[\s\-./,_]|.", re.DOTALL)
_UNITS = {word.lower(): digit for digit, words in WORDS.items() for word in words}


def digits_read(text: str) -> list[str]:
    """The runs of digits a person would read as one number: digits and number words, between
    spaces, dashes, dots, slashes or commas; any other word or sign ends a run.
    "4 one, 1 then 2" -> ["411", "2"]."""
    runs, out = [], []
    repeat = 1
    for token in _READ.findall(text):
        low = token.lower()
        if low in _CHECK:
            repeat = _CHECK[low]
            continue
        digit = token if token.isdigit() else _UNITS.get(low, "")
        if digit:
            out.append(str(int(digit)) * repeat)
        elif not _SEPARATOR.fullmatch(token):
            runs.append("".join(out))
            out = []
        repeat = 1
    runs.append("".join(out))
    return [run for run in runs if run]


_SEPARATOR = re.compile(r"[\s\-./,_]")


def eight_digit_runs(cards: list[str]) -> set[str]:
    """Every eight digits in a row of the cards, but those of two digits or fewer
    ("00000006"), which a timestamp or a padded id can hold as well."""
    runs = {digits[i : i + 8] for digits in cards for i in range(len(digits) - 7)}
    return {run for run in runs if len(set(run)) > 2}


def survivors(text: str, runs: set[str]) -> list[str]:
    """The eight-digit runs of any card (from `eight_digit_runs`) that ``text`` still holds."""
    found = {read[i : i + 8] for read in digits_read(text) for i in range(len(read) - 7)}
    return sorted(found & runs)
