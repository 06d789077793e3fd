"""Redacting payment card numbers before text is stored or sent.

Callers read card numbers out over the phone and paste them into chats; a contact log is no
place to keep them (PCI DSS). What counts as a card number here:

- a run of 13-19 digits that passes the Luhn check, written as one run or in groups;
- the groups may be separated by spaces (any number, tabs, no-break spaces; not a line
  break), dashes, dots, slashes, commas or underscores, up to six such characters between
  two groups (a tab or no-break space escaped as in a repr() or JSON string, ``\\t`` or
  ``\\u00a0``, counts too);
- anything may come before or after it (``ref-4111...``, ``card:4111...``);
- digits may be spoken as words, alone or mixed with written ones: "four one one one",
  "oh" and "o" for zero, "double four", "triple one", "forty one", "eleven";
- in a transcript (``redact_turns``), a number may run on from the end of one turn into the
  start of the next ("4111 1111" then "1111 1111"); every part is replaced.

Each card becomes ``[card ending 1234]``. A run that fails Luhn (phone numbers, most order and
account numbers) is left alone, and so is a run of one repeated digit. To keep lists of short
numbers ("201 555 0123, 201 555 0199") from being read as a card by chance, a card made of
written digit groups must use one kind of separator throughout, unless the whole run of
groups is the card; no group may be longer than eight digits ("11238 9172338859" is a zip
code and a phone number); and commas count as a separator only between single digits
("4, 1, 1, 1"), groups of four ("4111, 1111, ...") or spoken digits. A 13+ digit account
number that happens to pass Luhn is redacted too, which is the safe side to err on. A run
right after a "+" is a phone number in international form ("+49 1512 3456789"), not a card.

Linear time on any input: one tokenising pass, and at most 19 groups looked at per group.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from everytouch.analysis._fold import folded
from everytouch.analysis._spoken import (
    _REPEATS,
    _TENS,
    _UNITS,
    NUMBER_WORDS,
    has_number_word,
    words_to_digits,
)

MIN_DIGITS = 13
MAX_DIGITS = 19

# Spaces but not line breaks (a new line starts another item: an address, then a phone).
_SEPARATOR = r"(?:[^\S\r\n]|[,./\-_])"
# Between two groups of one number: "4111 1111", "4111  -  1111" (a few characters at most).
_GAP = re.compile(_SEPARATOR + "{1,6}")
# After the last group of a turn or before the first of the next: "1111." / " 1111".
_EDGE = re.compile(r"[\s,./\-_]{0,6}")
# A tab or no-break space escaped as in a repr() or JSON string ("4111\\xa01111"):
# read as spaces of the same length, so the digits of "\\xa0" do not join the number.
_ESCAPED_SPACE = re.compile(r"\\(?:t|xa0|u00a0)")
# Digit groups and letter runs, on folded text; a run of letters is a token when it is a
# number word ("one", not "someone").
_WORD_OR_DIGITS = re.compile(r"\d+|[^\W\d_]+")
_ANY_DIGIT = re.compile(r"\d")
# The gap class of a turn boundary: it matches whatever separators the parts use.
_TURN = "\n--turn--\n"


@dataclass(frozen=True, slots=True)
class _Piece:
    """One group of digits: written ("4111") or spoken ("four", "double one", "forty one")."""

    seg: int
    start: int
    end: int
    digits: str
    spoken: bool
    # The separator before it, stripped of spaces (" " for spaces only); None starts a run.
    gap: str | None
    # A letter right after it: "20th", "5pm" (a card group is not written so).
    suffixed: bool = False
    # A "+" right before it: a phone number in international form ("+49 1512 3456789").
    plus: bool = False


@dataclass(frozen=True, slots=True)
class CardPart:
    """Where a card number (or the part of one that lies in this text) was found."""

    seg: int
    start: int
    end: int
    marker: str
    # Which card of the texts this is (the parts of one spanning card share it).
    number: int


def luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def redact_card_numbers(text: str) -> str:
    """``text`` with every card number replaced by ``[card ending 1234]``; all else unchanged."""
    if holds_no_card(text):
        return text
    return redact_turns([text])[0]


def holds_no_card(text: str) -> bool:
    """An ASCII text with fewer digits than the shortest card and no number word has no card.

    Every stored text goes through here (names, phones in summaries, notes), and most hold a
    few digits at most: counting them is far cheaper than reading them into groups. Non-ASCII
    text has other decimal digits and case folds; it takes the full path.
    """
    if not text.isascii() or has_number_word(text):
        return False
    if _ANY_DIGIT.search(text) is None:
        return True
    return sum(text.count(digit) for digit in "0123456789") < MIN_DIGITS


def redact_turns(texts: Sequence[str]) -> list[str]:
    """Each text redacted, reading the texts as consecutive turns of one conversation: a card
    number that runs from the end of one turn into the start of the next is replaced in both."""
    parts = card_parts(texts)
    if not parts:
        return list(texts)
    out = list(texts)
    for part in reversed(parts):  # from the end, so earlier offsets stay right
        text = out[part.seg]
        out[part.seg] = text[: part.start] + part.marker + text[part.end :]
    return out


def split_card_parts(texts: Sequence[str]) -> list[tuple[str, str]]:
    """(text as written, marker) for each part of a card number that spans turns.

    For redacting the same parts in another copy of the transcript (the raw upload), where
    speaker labels stand between the parts and the one-text reading cannot join them.
    """
    parts = card_parts(texts)
    counts = Counter(p.number for p in parts)
    return [(texts[p.seg][p.start : p.end], p.marker) for p in parts if counts[p.number] > 1]


def redact_written_parts(text: str, parts: Sequence[tuple[str, str]]) -> str:
    """``text`` with each written part (from `split_card_parts`) replaced by its marker,
    wherever it stands with no digit right before or after it."""
    for written, marker in sorted(parts, key=lambda p: -len(p[0])):
        pattern = re.compile(r"(?<!\d)" + re.escape(written) + r"(?!\d)")
        text = pattern.sub(marker, text)
    return text


def card_parts(texts: Sequence[str]) -> list[CardPart]:
    """Every card number in the texts (read as consecutive turns), in order of position.

    A number spanning turns gives one part per turn, all with the same marker and number.
    """
    found: list[CardPart] = []
    for chain in _chains(texts):
        for first, last, digits in _cards(chain):
            found.extend(_parts(chain[first : last + 1], digits, len(found)))
    return found


def _parts(pieces: list[_Piece], digits: str, number: int) -> Iterator[CardPart]:
    marker = f"[card ending {digits[-4:]}]"
    by_seg: dict[int, list[_Piece]] = {}
    for piece in pieces:
        by_seg.setdefault(piece.seg, []).append(piece)
    for seg, mine in by_seg.items():
        yield CardPart(seg, mine[0].start, mine[-1].end, marker, number)


# --- reading groups ------------------------------------------------------------------------


def _tokens(text: str) -> list[tuple[int, int, str]]:
    """Digit groups and whole number words; a word glued to a digit ("4111one") is none."""
    low = folded(text)
    has_digit = _ANY_DIGIT.search(text) is not None
    if not has_digit and not has_number_word(text, low):
        return []
    out: list[tuple[int, int, str]] = []
    # One plain split and a set lookup: several times faster than a pattern of all the words.
    for match in _WORD_OR_DIGITS.finditer(low):
        token = match.group()
        start, end = match.span()
        if token[0].isdecimal() or (token in NUMBER_WORDS and _alone(low, start, end)):
            out.append((start, end, token))
    return out


def _alone(low: str, start: int, end: int) -> bool:
    before, after = low[start - 1 : start], low[end : end + 1]
    return not (before.isdigit() or before == "_" or after.isdigit() or after == "_")


def _unescaped(text: str) -> str:
    """The text with escaped spaces read as spaces; the same length, so offsets still hold."""
    if "\\" not in text:
        return text
    return _ESCAPED_SPACE.sub(lambda m: " " * len(m.group()), text)


def _joined(text: str, end: int, start: int) -> bool:
    return _GAP.fullmatch(text, end, start) is not None


def _pieces(seg: int, text: str) -> list[_Piece]:
    """The digit groups of one text, each knowing the separator that joins it to the last."""
    text = _unescaped(text)
    tokens = _tokens(text)
    pieces: list[_Piece] = []
    i = 0
    last_end: int | None = None
    while i < len(tokens):
        start, end, word = tokens[i]
        group = [word]
        if _takes_next(word) and i + 1 < len(tokens) and _joined(text, end, tokens[i + 1][0]):
            nxt = tokens[i + 1][2]
            if word in _REPEATS or (nxt in _UNITS and _UNITS[nxt] != "0"):
                group.append(nxt)
                end = tokens[i + 1][1]
                i += 1
        i += 1
        joined = last_end is not None and _joined(text, last_end, start)
        digits = _digits(group, joined)
        if not digits or len(digits) > MAX_DIGITS:
            last_end = None  # "double" with nothing after it, or a run too long: a break
            continue
        gap = (text[last_end:start].strip() or " ") if joined and last_end is not None else None
        suffixed = text[end : end + 1].isalpha()
        plus = text[start - 1 : start] == "+"
        pieces.append(_Piece(seg, start, end, digits, not word.isdecimal(), gap, suffixed, plus))
        last_end = end
    return pieces


def _takes_next(word: str) -> bool:
    """ "double" takes the digit after it; "forty" takes a unit ("forty one" is 41)."""
    return word in _REPEATS or word in _TENS


def _digits(group: list[str], joined: bool) -> str:
    if len(group) == 1 and group[0].isdecimal():
        return group[0]
    if group == ["hundred"]:
        return "00" if joined else "100"  # "eight hundred" is 800; a bare "hundred" is 100
    if group[0] in _REPEATS and len(group) == 1:
        return ""
    return words_to_digits(group)


def _chains(texts: Sequence[str]) -> Iterator[list[_Piece]]:
    """Maximal runs of joined groups; a run may carry on from one turn into the next."""
    chain: list[_Piece] = []
    for seg, text in enumerate(texts):
        pieces = _pieces(seg, text)
        for index, piece in enumerate(pieces):
            if piece.gap is None and index == 0 and _runs_on(texts, chain, pieces):
                piece = dataclasses.replace(piece, gap=_TURN)
            elif piece.gap is None:
                if chain:
                    yield chain
                chain = []
            chain.append(piece)
    if chain:
        yield chain


def _runs_on(texts: Sequence[str], chain: list[_Piece], pieces: list[_Piece]) -> bool:
    """Does the run ending the last turn carry on at the start of this one? Not when this
    turn only says the same digits again (a date or number repeated, a read-back)."""
    seg = pieces[0].seg
    if not chain or chain[-1].seg != seg - 1:
        return False
    tail = [p.digits for p in chain if p.seg == seg - 1]
    head = [p.digits for p in itertools.takewhile(lambda p: p.gap is not None, pieces[1:])]
    if tail == [pieces[0].digits, *head]:
        return False
    return (
        _EDGE.fullmatch(_unescaped(texts[seg - 1]), chain[-1].end) is not None
        and _EDGE.fullmatch(_unescaped(texts[seg]), 0, pieces[0].start) is not None
    )


# --- finding cards in a run ----------------------------------------------------------------


def _cards(chain: list[_Piece]) -> Iterator[tuple[int, int, str]]:
    """(first piece, last piece, digits) of each card in the run, left to right, longest first
    from each start: O(19) per group, with the Luhn sums read off two running totals."""
    digits = "".join(p.digits for p in chain)
    if len(digits) < MIN_DIGITS:
        return
    sums = _luhn_sums(digits)
    offsets = [0]
    for piece in chain:
        offsets.append(offsets[-1] + len(piece.digits))
    first = 0
    while first < len(chain):
        last = _longest_card(chain, first, offsets, sums, digits)
        if last is None:
            first += 1
            continue
        yield first, last, digits[offsets[first] : offsets[last + 1]]
        first = last + 1


def _longest_card(
    chain: list[_Piece],
    first: int,
    offsets: list[int],
    sums: tuple[list[int], list[int]],
    digits: str,
) -> int | None:
    best: int | None = None
    if chain[first].plus:
        return None  # no card is written "+4111...": an international phone number is
    last = first
    while last < len(chain) and offsets[last + 1] - offsets[first] <= MAX_DIGITS:
        a, b = offsets[first], offsets[last + 1]
        if (
            b - a >= MIN_DIGITS
            and _luhn_window(sums, a, b)
            and _looks_like_card(chain, first, last)
            and len(set(digits[a:b])) > 1  # "0000 0000 0000 0000" is a placeholder
        ):
            best = last
        last += 1
    return best


def _luhn_sums(digits: str) -> tuple[list[int], list[int]]:
    """Running Luhn sums with the even positions kept (first list) or doubled (second)."""
    keep_even, double_even = [0], [0]
    for index, char in enumerate(digits):
        value = int(char)
        doubled = value * 2 - 9 if value > 4 else value * 2
        plain_here = index % 2 == 0
        keep_even.append(keep_even[-1] + (value if plain_here else doubled))
        double_even.append(double_even[-1] + (doubled if plain_here else value))
    return keep_even, double_even


def _luhn_window(sums: tuple[list[int], list[int]], a: int, b: int) -> bool:
    # The last digit is never doubled, nor is any at the same parity of position.
    totals = sums[0] if (b - 1) % 2 == 0 else sums[1]
    return (totals[b] - totals[a]) % 10 == 0


def _looks_like_card(chain: list[_Piece], first: int, last: int) -> bool:
    """Written groups use one separator throughout ("4111-1111-..."; in each turn, if split),
    unless they are the whole run; commas separate only single digits or groups of four.
    Spoken numbers may mix anything."""
    window = chain[first : last + 1]
    if any(p.gap == _TURN for p in window[1:]) and not _split_like_card(chain, first, last):
        return False
    if len(window) > 1 and any(len(p.digits) > 8 and not p.spoken for p in window):
        return False  # a card is one run or groups of up to eight; "11238 9172338859" is not
    if any(p.spoken for p in window):
        return True
    per_turn: dict[int, set[str]] = {}
    for piece in window[1:]:
        if piece.gap != _TURN:
            per_turn.setdefault(piece.seg, set()).add(piece.gap or " ")
    sizes = [len(p.digits) for p in window]
    return all(_one_separator(kinds, sizes) for kinds in per_turn.values()) or (
        first == 0 and last == len(chain) - 1 and not any("," in k for k in per_turn.values())
    )


def _one_separator(kinds: set[str], sizes: list[int]) -> bool:
    if len(kinds) > 1:
        return False
    if any("," in kind for kind in kinds):
        fours = all(n == 4 for n in sizes[:-1]) and sizes[-1] <= 4
        return fours or all(n == 1 for n in sizes)
    return True


def _split_like_card(chain: list[_Piece], first: int, last: int) -> bool:
    """A number read out over two turns comes in groups of four ("4111 1111" / "1111 1111"),
    in halves ("41111111" / "11111111") or digit by digit, at least four digits in each
    turn, from the start of the run in the first turn. Short numbers in turn after turn (a
    phone number, then a house number; an account number, then an amount) are not joined."""
    window = chain[first : last + 1]
    if first > 0 and chain[first].gap != _TURN:
        return False
    if any(p.suffixed for p in window):
        return False
    per_turn = Counter[int]()
    for piece in window:
        per_turn[piece.seg] += len(piece.digits)
    if min(per_turn.values()) < 4:
        return False
    written = [len(p.digits) for p in window if not p.spoken]
    if written == [8, 8]:
        return True
    return all(n <= 4 for n in written) and all(n == 4 for n in written[:-1])
