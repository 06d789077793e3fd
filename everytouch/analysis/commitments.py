"""Commitments: who promised what, and by when.

A relative time ("tomorrow morning", "by Friday", "within 24 hours") is resolved against the
conversation's ``started_at`` seen in the business time zone. ``due_at`` is the *deadline* the
promise implies: "tomorrow morning" is due by 12:00 tomorrow, "by Friday" by 17:00 on Friday,
"next week" by 17:00 on Friday of next week. A weekday names the next such day after today
("Friday" said on a Friday is next week's). Our own resolver handles the common phrases in
microseconds; ``dateparser`` (slow) is only called on short phrases holding an explicit date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo

from everytouch.analysis._fold import at_word_start, folded, lower_pattern
from everytouch.analysis.conversation import Conversation, Speaker
from everytouch.analysis.signals import clip, sentence_texts

ActionKind = Literal["call", "email", "send", "follow_up", "visit", "fix", "other"]

CLOSE_OF_BUSINESS = time(17, 0)
_PARTS = {"morning": time(12, 0), "afternoon": time(17, 0), "evening": time(21, 0)}
_PARTS["night"] = _PARTS["tonight"] = time(21, 0)
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_UNIT_SECONDS = {"minute": 60, "min": 60, "hour": 3600, "hr": 3600, "day": 86400, "week": 604800}
_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "twelve": 12, "fifteen": 15, "twenty": 20,
    "thirty": 30, "forty-eight": 48, "twenty-four": 24, "a couple of": 2, "a few": 3,
}  # fmt: skip

# The promise and action patterns run on folded text (see _fold.py): IGNORECASE's matches, faster.
_AGENT = r"(?:agent|technician|tech|manager|team|specialist|rep|representative|colleague|engineer)"
# The same matches as _PROMISE_FLAT below (the tests hold it to that), with each alternative
# opening with its letter (at_word_start): the engine skips ahead instead of trying \b everywhere.
# "(?:an? |the |our )?" is spelt out: with the article, then without it, as the flat one tries.
_PROMISE_STARTS = (
    r"i['\u2019]ll", "i will", r"i['\u2019]?m going to", "i am going to", "i shall",
    r"we['\u2019]ll", "we will", r"we['\u2019]?re going to", "we are going to",
    "someone will", "somebody will",
    rf"an? {_AGENT} will", rf"the {_AGENT} will", rf"our {_AGENT} will",
    "agent will", "technician will", "tech will", "manager will", "team will", "specialist will",
    "rep will", "representative will", "colleague will", "engineer will",
    "you(?:'ll| will) (?:get|receive|hear)", "expect (?:a|an|our|my)", "let me get back",
)  # fmt: skip
_PROMISE_TAIL = r"\s+(?P<action>[^.?!\n]{2,120})"
_PROMISE = lower_pattern(r"(?:" + at_word_start(_PROMISE_STARTS) + ")" + _PROMISE_TAIL)
_PROMISE_FLAT = (
    r"\b(?:i['\u2019]ll|i will|i['\u2019]?m going to|i am going to|i shall|we['\u2019]ll|we will|"
    r"we['\u2019]?re going to|"
    r"we are going to|someone will|somebody will|(?:an? |the |our )?" + _AGENT + " will|"
    r"you(?:'ll| will) (?:get|receive|hear)|expect (?:a|an|our|my)|let me get back)" + _PROMISE_TAIL
)
# Every _PROMISE alternative holds one of these. Nine turns in ten hold none, and the pattern,
# with no literal start the engine could skip ahead to, costs far more than the test.
_PROMISE_HINTS = ("'ll", "\u2019ll", "will", "shall", "going to", "expect", "get back")
# Things said in the future tense that are not promises to do something later.
_NOT_PROMISE = lower_pattern(
    r"^(?:be (?:happy|glad|more than happy|the)|need|have to|like|love|want|also need|"
    r"transfer|put you|connect|check(?! back)|"
    r"look(?! into)|see|try|just|take a look|pull up|go ahead and (?:check|look|pull)|"
    r"do my best|help|assist|be with you|hold|wait|be right|be back in a (?:moment|sec|minute))"
)
_ACTIONS: tuple[tuple[ActionKind, re.Pattern[str]], ...] = (
    ("call", lower_pattern(r"\b(?:call|ring|phone)(?:ing)?\b|\bcall back\b")),
    ("email", lower_pattern(r"\b(?:e-?mail|message|text|dm)\b")),
    ("send", lower_pattern(r"\b(?:send|ship|deliver|mail|post|courier|get (?:it|that|this) to)\b")),
    ("follow_up", lower_pattern(r"\b(?:follow(?:-| )?up|get back|reach out|contact|update|"
                                r"let you know|touch base|check back|hear from)\b")),
    ("visit", lower_pattern(r"\b(?:come (?:out|over|by)|visit|stop by|be there|arrive)\b")),
    ("fix", lower_pattern(r"\b(?:fix|repair|replace|refund|credit|process|escalate|look into|"
                          r"investigate|sort|resolve|arrange|schedule|book|set up|install|"
                          r"have (?:it|that|this|them) ready)\b")),
)  # fmt: skip

_NUM = r"(?:\d{1,3}|a couple of|a few|an?|one|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|twenty|thirty|twenty-four|forty-eight)"  # noqa: E501
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]{0,6}\.?"
_DAY_EXPR = re.compile(
    r"\b(?:"
    rf"(?:within|in|inside|under)\s+(?:the\s+next\s+)?(?P<n>{_NUM})\s+"
    r"(?P<biz>business\s+|working\s+)?(?P<unit>minute|min|hour|hr|day|week)s?"
    r"|(?P<eod>end of (?:the )?(?:business )?day|eod|cob|close of business|end of business)"
    r"|(?P<eow>end of (?:the )?week|this week)"
    r"|(?P<eom>end of (?:the )?month)"
    r"|(?P<nextweek>next week)"
    r"|(?P<nextmonth>next month)"
    r"|(?P<later>later today|this (?:morning|afternoon|evening)|tonight)"
    r"|(?P<tomorrow>tomorrow|tmrw|tmr)(?:\s+(?P<tpart>morning|afternoon|evening|night))?"
    r"|(?P<today>today)"
    r"|(?P<wby>by |before |until )?(?P<wmod>next |this |coming )?"
    r"(?P<weekday>monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
    r"(?:\s+(?P<wpart>morning|afternoon|evening|night))?"
    rf"|(?P<explicit>{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}"
    r"|\d{1,2}/\d{1,2}(?:/\d{2,4})?)"
    r")\b",
    re.IGNORECASE,
)
_CLOCK_EXPR = re.compile(
    r"\b(?:(?:at|by|before|around|after)\s+(?P<hour>\d{1,2})(?::(?P<minute>\d{2}))?"
    r"\s*(?P<ampm>[ap]\.?m\b\.?|o'?clock)?|(?P<noon>noon|midday))",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class TimeMention:
    """A day expression and/or a clock time found in one sentence."""

    day: re.Match[str] | None
    clock: re.Match[str] | None
    eod: re.Match[str] | None = None

    @property
    def text(self) -> str:
        parts = sorted((m for m in (self.eod, self.day, self.clock) if m is not None), key=_start)
        return " ".join(m.group().strip().rstrip(".") for m in parts)


def _start(match: re.Match[str]) -> int:
    return match.start()


def find_time(sentence: str) -> TimeMention | None:
    """The first time expression of a sentence; a bare hour only counts next to a day."""
    days = list(_DAY_EXPR.finditer(sentence))
    # "end of day tomorrow": the named day wins over today, keeping the time of day.
    anchored = [d for d in days if not (d.group("eod") or d.group("today") or d.group("later"))]
    day = anchored[0] if anchored else (days[0] if days else None)
    clock = _CLOCK_EXPR.search(sentence)
    if (
        clock is not None
        and day is None
        and not (clock.group("ampm") or clock.group("minute") or clock.group("noon"))
    ):
        clock = None
    if day is None and clock is None:
        return None
    unanchored = [d for d in days if d not in anchored]
    return TimeMention(day, clock, unanchored[0] if anchored and unanchored else None)


_VAGUE = re.compile(
    r"\b(?:shortly|soon|asap|as soon as (?:possible|i can|we can)|later|at some point|"
    r"in a (?:bit|while)|when i can|when we can|eventually)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Commitment:
    """One promise: who made it, what it is, and when it is due (None: no time or vague)."""

    speaker: Speaker
    turn: int
    text: str
    action: ActionKind
    due_text: str
    due_at: datetime | None
    vague: bool

    @property
    def quote(self) -> str:
        return self.text

    @property
    def dated(self) -> bool:
        return bool(self.due_text) and not self.vague


def _count(word: str) -> int:
    word = word.lower()
    return int(word) if word.isdigit() else _NUMBER_WORDS.get(word, 1)


def _at(day: date, moment: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, moment, tzinfo=tz)


def _clock(match: re.Match[str] | None, fallback: time) -> time:
    if match is None:
        return fallback
    if match.group("noon"):
        return time(12, 0)
    hour, minute = int(match.group("hour")), int(match.group("minute") or 0)
    ampm = (match.group("ampm") or "").lower()
    if ampm.startswith("p") and hour < 12:
        hour += 12
    elif ampm.startswith("a") and hour == 12:
        hour = 0
    elif not ampm.startswith(("a", "p")) and 1 <= hour <= 7:
        hour += 12  # "at 3" in business talk means the afternoon
    if hour > 23 or minute > 59:
        return fallback
    return time(hour, minute)


def _add_business_days(day: date, count: int) -> date:
    while count > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day


def _weekday_date(today: date, name: str, modifier: str, deadline: bool) -> date:
    target = _WEEKDAYS.index(name.lower())
    ahead = (target - today.weekday()) % 7
    if modifier.strip().lower() == "next":
        monday_next = today + timedelta(days=7 - today.weekday())
        return monday_next + timedelta(days=target)
    # "by Friday" said on a Friday is today; "on Friday" said on a Friday is a week away.
    if ahead == 0 and not deadline and modifier.strip().lower() != "this":
        ahead = 7
    return today + timedelta(days=ahead)


def _end_of_month(day: date, months_ahead: int) -> date:
    year, month = day.year, day.month + months_ahead + 1
    year += (month - 1) // 12
    month = (month - 1) % 12 + 1
    return date(year, month, 1) - timedelta(days=1)


def _relative(match: re.Match[str], base: datetime) -> datetime | None:
    unit = match.group("unit").lower()
    seconds = _UNIT_SECONDS[unit] * _count(match.group("n"))
    if match.group("biz") and unit == "day":
        day = _add_business_days(base.date(), seconds // 86400)
        return _at(day, CLOSE_OF_BUSINESS, _tz_of(base))
    if unit in {
        "minute",
        "min",
        "hour",
        "hr",
    }:  # hours are elapsed time, even across a daylight-saving change
        return (base.astimezone(UTC) + timedelta(seconds=seconds)).astimezone(_tz_of(base))
    return base + timedelta(seconds=seconds)  # days are calendar days: same wall-clock time


def _tz_of(moment: datetime) -> ZoneInfo:
    tz = moment.tzinfo
    return tz if isinstance(tz, ZoneInfo) else ZoneInfo("UTC")


def _day_and_part(match: re.Match[str], base: datetime) -> tuple[date, time] | None:
    today = base.date()
    group = match.group
    if group("eod") or group("today"):
        return today, CLOSE_OF_BUSINESS
    if group("eow"):
        return today + timedelta(days=max(0, 4 - today.weekday())), CLOSE_OF_BUSINESS
    if group("eom"):
        return _end_of_month(today, 0), CLOSE_OF_BUSINESS
    if group("nextweek"):
        return today + timedelta(days=11 - today.weekday()), CLOSE_OF_BUSINESS
    if group("nextmonth"):
        return _end_of_month(today, 1), CLOSE_OF_BUSINESS
    if group("later"):
        word = group("later").lower().split()[-1]
        return today, _PARTS.get(word, CLOSE_OF_BUSINESS)
    if group("tomorrow"):
        part = (group("tpart") or "").lower()
        return today + timedelta(days=1), _PARTS.get(part, CLOSE_OF_BUSINESS)
    if group("weekday"):
        day = _weekday_date(today, group("weekday"), group("wmod") or "", bool(group("wby")))
        return day, _PARTS.get((group("wpart") or "").lower(), CLOSE_OF_BUSINESS)
    return None


@lru_cache(maxsize=512)
def _dateparser_day(phrase: str, base_date: date) -> date | None:
    import dateparser  # slow to import and to call: only for explicit dates

    settings = {
        "PREFER_DATES_FROM": "future",
        "RELATIVE_BASE": datetime.combine(base_date, time(12, 0)),
        "DATE_ORDER": "MDY",
    }
    parsed = dateparser.parse(phrase, languages=["en"], settings=settings)
    return parsed.date() if parsed is not None else None


def _resolve_day(
    day: re.Match[str], clock: re.Match[str] | None, base: datetime
) -> datetime | None:
    if day.group("unit"):
        return _relative(day, base)
    if day.group("explicit"):
        found = _dateparser_day(day.group("explicit"), base.date())
        return None if found is None else _at(found, _clock(clock, CLOSE_OF_BUSINESS), _tz_of(base))
    day_part = _day_and_part(day, base)
    if day_part is None:
        return None
    return _at(day_part[0], _clock(clock, day_part[1]), _tz_of(base))


def resolve_mention(mention: TimeMention, base: datetime) -> datetime | None:
    """The deadline a time mention names, in the time zone of ``base``."""
    if mention.day is not None:
        return _resolve_day(mention.day, mention.clock, base)
    moment = _clock(mention.clock, CLOSE_OF_BUSINESS)
    # A clock time alone means today, or tomorrow once that time has passed.
    later = moment > base.time()
    return _at(base.date() if later else base.date() + timedelta(days=1), moment, _tz_of(base))


def local_base(started_at: datetime | None, tz: str) -> datetime | None:
    """started_at in the business time zone; a naive started_at is taken as business time."""
    if started_at is None:
        return None
    zone = ZoneInfo(tz)
    if started_at.tzinfo is None:
        return started_at.replace(tzinfo=zone)
    return started_at.astimezone(zone)


def resolve(phrase: str, started_at: datetime | None, tz: str = "UTC") -> datetime | None:
    """Resolve one time phrase ("by Friday", "within 24 hours") to an aware datetime, or None."""
    base = local_base(started_at, tz)
    mention = find_time(phrase)
    if base is None or mention is None:
        return None
    return resolve_mention(mention, base)


def _action_kind(action: str) -> ActionKind | None:
    if _NOT_PROMISE.match(action):
        return None
    for kind, pattern in _ACTIONS:
        if pattern.search(action):
            return kind
    return None


# What one sentence promises, whoever says it and whenever: (quote, kind, time, due text,
# vague). The conversation's start only turns the time into a date (find_commitments).
_Promise = tuple[str, ActionKind, TimeMention | None, str, bool]


def _commitment(found: _Promise, speaker: Speaker, index: int, base: datetime | None) -> Commitment:
    quote, kind, when, due_text, is_vague = found
    due_at = resolve_mention(when, base) if when is not None and base is not None else None
    return Commitment(speaker, index, quote, kind, due_text, due_at, is_vague)


def _sentence_promise(sentence: str) -> _Promise | None:
    promise = _PROMISE.search(folded(sentence))
    if promise is None:
        return None
    kind = _action_kind(promise.group("action"))
    if kind is None:
        return None
    when = find_time(sentence)
    due_text = when.text if when else ""
    vague = _VAGUE.search(sentence)
    if not due_text and vague:
        due_text = vague.group()
    return clip(sentence), kind, when, due_text, when is None and vague is not None


def may_promise(text: str) -> bool:
    """False when _PROMISE cannot match the text (it holds none of the hints)."""
    return _holds_hint(folded(text))


def _holds_hint(low: str) -> bool:
    """Does the folded text hold one of _PROMISE_HINTS?"""
    # The first four hints ("'ll", "\u2019ll", "will", "shall") all hold "ll": one test rules
    # them out together in most turns, and plain `in` tests cost less than any() over a map.
    return (
        ("ll" in low and ("will" in low or "'ll" in low or "\u2019ll" in low or "shall" in low))
        or "going to" in low
        or "expect" in low
        or "get back" in low
    )


def find_commitments(conv: Conversation, tz: str = "UTC") -> list[Commitment]:
    """Every promise made in the conversation, by either side, in turn order."""
    base = local_base(conv.started_at, tz)
    out: list[Commitment] = []
    for index, turn in enumerate(conv.turns):
        for found in _turn_promises(turn.text):
            out.append(_commitment(found, turn.speaker, index, base))
    return out


# Keyed by the turn's own text, as the agent-turn caches of flow.py and signals.py are: agents
# repeat their promises word for word ("I'll send you the details by e-mail"), and a promise
# read from a text is the same whoever says it and whenever; only its date depends on when.
@lru_cache(maxsize=8192)  # both sides' turns: twice the agent-turn caches' size
def _turn_promises(text: str) -> tuple[_Promise, ...]:
    low = folded(text)
    if not _holds_hint(low) or not _PROMISE.search(low):
        return ()
    found = (_sentence_promise(sentence) for sentence in sentence_texts(text))
    return tuple(promise for promise in found if promise is not None)
