"""Commitments and the resolution of relative times against started_at and a business zone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from everytouch.analysis import commitments
from everytouch.analysis._fold import folded
from everytouch.analysis.commitments import _PROMISE, find_commitments, may_promise, resolve
from everytouch.analysis.conversation import Conversation, Turn

# Thursday 12 March 2026, 22:30 UTC: still Thursday afternoon in Los Angeles (PDT, UTC-7),
# already Friday morning in Tokyo (UTC+9).
STARTED = datetime(2026, 3, 12, 22, 30, tzinfo=UTC)
LA, TOKYO = ZoneInfo("America/Los_Angeles"), ZoneInfo("Asia/Tokyo")


def _agent(text: str, started_at: datetime | None = STARTED) -> Conversation:
    return Conversation("c", (Turn("customer", "Hi."), Turn("agent", text)), started_at=started_at)


def test_it_resolves_by_friday_in_the_business_time_zone() -> None:
    assert resolve("by Friday", STARTED, "America/Los_Angeles") == datetime(
        2026, 3, 13, 17, 0, tzinfo=LA
    )
    # Said on a Friday, "by Friday" is that same day.
    assert resolve("by Friday", STARTED, "Asia/Tokyo") == datetime(2026, 3, 13, 17, 0, tzinfo=TOKYO)


def test_it_takes_a_bare_weekday_said_on_that_day_as_next_week() -> None:
    assert resolve("on Friday", STARTED, "Asia/Tokyo") == datetime(2026, 3, 20, 17, 0, tzinfo=TOKYO)
    assert resolve("on Friday", STARTED, "America/Los_Angeles") == datetime(
        2026, 3, 13, 17, 0, tzinfo=LA
    )


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("tomorrow morning", datetime(2026, 3, 13, 12, 0)),
        ("tomorrow at 3pm", datetime(2026, 3, 13, 15, 0)),
        ("end of day", datetime(2026, 3, 12, 17, 0)),
        ("this evening", datetime(2026, 3, 12, 21, 0)),
        ("within 24 hours", datetime(2026, 3, 13, 15, 30)),
        ("in 2 business days", datetime(2026, 3, 16, 17, 0)),
        ("next week", datetime(2026, 3, 20, 17, 0)),
        ("next Tuesday", datetime(2026, 3, 17, 17, 0)),
        ("end of the month", datetime(2026, 3, 31, 17, 0)),
        ("on March 20th", datetime(2026, 3, 20, 17, 0)),
        ("at 10:30 am", datetime(2026, 3, 13, 10, 30)),
    ],
)
def test_it_resolves_relative_phrases(phrase: str, expected: datetime) -> None:
    assert resolve(phrase, STARTED, "America/Los_Angeles") == expected.replace(tzinfo=LA)


def test_it_counts_hours_as_elapsed_time_across_a_daylight_saving_change() -> None:
    # 7 March 2026 noon in Los Angeles; clocks go forward on 8 March.
    before = datetime(2026, 3, 7, 20, 0, tzinfo=UTC)
    due = resolve("within 24 hours", before, "America/Los_Angeles")
    assert due is not None
    assert due - before == (due.astimezone(UTC) - before)
    assert due.astimezone(UTC) == datetime(2026, 3, 8, 20, 0, tzinfo=UTC)
    assert due.hour == 13  # wall clock moved an hour


def test_it_takes_a_naive_started_at_as_business_time() -> None:
    naive = datetime(2026, 3, 12, 9, 0)
    assert resolve("end of day", naive, "Europe/Paris") == datetime(
        2026, 3, 12, 17, 0, tzinfo=ZoneInfo("Europe/Paris")
    )


def test_it_finds_who_promised_what_and_by_when() -> None:
    conv = _agent("Thanks. I'll call you back tomorrow morning with the price.")
    [promise] = find_commitments(conv, "America/Los_Angeles")
    assert (promise.speaker, promise.turn, promise.action) == ("agent", 1, "call")
    assert promise.due_text == "tomorrow morning"
    assert promise.due_at == datetime(2026, 3, 13, 12, 0, tzinfo=LA)
    assert promise.dated


def test_it_flags_promises_with_no_time_or_a_vague_one() -> None:
    conv = _agent("I will email you the form. Someone will get back to you shortly.")
    first, second = find_commitments(conv)
    assert (first.action, first.due_text, first.due_at, first.dated) == ("email", "", None, False)
    assert (second.due_text, second.vague, second.dated) == ("shortly", True, False)


def test_it_keeps_the_time_said_when_the_start_is_unknown() -> None:
    [promise] = find_commitments(_agent("I'll send the quote by Friday.", started_at=None))
    assert promise.due_text == "by Friday"
    assert promise.due_at is None
    assert promise.dated


def test_it_does_not_take_immediate_actions_for_promises() -> None:
    conv = _agent("I'll transfer you now. I'll be happy to help. Let me check that for you.")
    assert find_commitments(conv) == []


def test_it_records_customer_promises_too() -> None:
    conv = Conversation("c", (Turn("customer", "I will send you the photos tonight."),))
    [promise] = find_commitments(conv)
    assert (promise.speaker, promise.action, promise.due_text) == ("customer", "send", "tonight")


# Every letter IGNORECASE matches: the ASCII cases, and the dotless i, dotted capital I, long s
# and Kelvin sign.
_CASES = {"i": "iI\u0131\u0130", "s": "sS\u017f", "k": "kK\u212a"}
_OPENERS = (
    "i'll", "i\u2019ll", "i will", "i'm going to", "i am going to", "i shall", "we'll",
    "we will", "we're going to", "someone will", "the technician will", "you'll get",
    "expect a", "let me get back",
)  # fmt: skip


@st.composite
def _spelled(draw: st.DrawFn, phrase: str) -> str:
    return "".join(draw(st.sampled_from(_CASES.get(c, c + c.upper()))) for c in phrase)


@given(st.sampled_from(_OPENERS).flatmap(_spelled))
def test_the_keyword_test_never_skips_a_promise(opener: str) -> None:
    text = f"Ok, {opener} send it over"
    assert _PROMISE.search(folded(text))
    assert may_promise(text)


_HINT_PIECES = st.sampled_from(
    ["'ll", "\u2019ll", "will", "shall", "going to", "expect", "get back", "l", "ll", "wi",
     "sha", "going", " to", "expec", "get", " back", "'", "\u2019", " ", "all", "x"]
)  # fmt: skip


@given(st.lists(_HINT_PIECES, max_size=8).map("".join) | st.text(max_size=20))
def test_the_hint_test_finds_a_hint_exactly_when_one_is_in_the_text(low: str) -> None:
    expected = any(hint in low for hint in commitments._PROMISE_HINTS)
    assert commitments._holds_hint(low) == expected
