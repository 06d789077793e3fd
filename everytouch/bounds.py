"""The edges of what any input may say: which days, how large a number, how deep a body.

One place for the limits every face (API, web forms, CLI, imports) checks before a value
reaches an action, so a bad value is the caller's 4xx (or exit 2) with a reason, never a
server error from deep inside the database driver or Python's date arithmetic.

- Days and moments: years 1900 to 2200. Python's calendar ends at year 9999 and begins at 1, so
  ``9999-12-31T23:00:00-12:00`` (or ``0001-01-01T00:30:00+01:00``) is a valid date that cannot
  be turned into UTC; no customer touch, promise or absence lies outside these years, so the
  narrower range also catches typos such as 20226.
- Whole numbers: ids fit SQLite's and PostgreSQL's 64-bit integers; counts and durations fit
  PostgreSQL's 32-bit ``integer`` column.
- Pages: page numbers up to ``MAX_PAGE`` (a million rows at the largest page size is further
  than anyone pages by hand; a script should filter instead).
- JSON bodies: at most ``MAX_JSON_DEPTH`` levels deep, ``MAX_JSON_ITEMS`` items in one list, and
  only finite numbers (Python reads ``NaN`` and ``Infinity``; JSON has neither).

Plain Python (no Django), in the lowest layer, so the CLI, the readers and every app share it.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, date, datetime

EARLIEST_YEAR = 1900
LATEST_YEAR = 2200
MAX_ID = 2**63 - 1
MAX_SMALL_INT = 2**31 - 1
MAX_PAGE = 10_000
# A filter such as "untouched for N days" looks back at most ten years; far more would overflow
# the date arithmetic (``now - timedelta(days=N)``).
MAX_LOOKBACK_DAYS = 3650
MAX_JSON_DEPTH = 32
MAX_JSON_ITEMS = 20_000

CALENDAR_REASON = f"must be a date in the years {EARLIEST_YEAR} to {LATEST_YEAR}"


def calendar_problem(value: date) -> str | None:
    """Why a day or moment is outside the years we accept (in UTC too), or None if it is fine."""
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        return f"{CALENDAR_REASON} (got year {value.year})"
    if isinstance(value, datetime) and value.utcoffset() is not None:
        # Inside the years above, UTC is at most a day away: this cannot overflow.
        utc_year = value.astimezone(UTC).year
        if not EARLIEST_YEAR <= utc_year <= LATEST_YEAR:
            return f"{CALENDAR_REASON} (in UTC it is year {utc_year})"
    return None


def parse_whole(raw: str, low: int = 0, high: int = MAX_ID) -> int | None:
    """A whole number ``low..high`` from a query string or form, or None for anything else.

    ``str.isdigit`` alone lets "²" through (and ``int("²")`` fails), and a 30-digit number
    would reach the database as more than it can hold.
    """
    raw = raw.strip()
    if not (raw.isascii() and raw.isdigit()) or len(raw) > len(str(high)):
        return None
    number = int(raw)
    return number if low <= number <= high else None


def parse_id(raw: str) -> int | None:
    """A record's id (1 up to a 64-bit integer) from a query string or form, or None."""
    return parse_whole(raw, low=1)


def json_problem(data: object) -> str | None:
    """Why a parsed JSON document is refused (``path: reason``), or None if it is fine."""
    for path, depth, value in _walk(data):
        where = path or "the body"
        if depth > MAX_JSON_DEPTH:
            return f"{where}: nested deeper than {MAX_JSON_DEPTH} levels"
        if isinstance(value, float) and not math.isfinite(value):
            return f"{where}: must be a finite number (JSON has no NaN or Infinity)"
        if isinstance(value, list) and len(value) > MAX_JSON_ITEMS:
            return f"{where}: more than {MAX_JSON_ITEMS} items in one list"
    return None


def _walk(data: object) -> Iterator[tuple[str, int, object]]:
    # A stack, not recursion: the depth is what is being checked.
    stack: list[tuple[str, int, object]] = [("", 0, data)]
    while stack:
        path, depth, value = stack.pop()
        yield path, depth, value
        if depth > MAX_JSON_DEPTH:
            return
        if isinstance(value, dict):
            children = [(_key(path, k), depth + 1, v) for k, v in value.items()]
        elif isinstance(value, list):
            children = [(f"{path}[{i}]", depth + 1, v) for i, v in enumerate(value)]
        else:
            continue
        stack.extend(reversed(children))  # so problems are found in the order they were sent


def _key(path: str, key: object) -> str:
    return f"{path}.{key}" if path else str(key)
