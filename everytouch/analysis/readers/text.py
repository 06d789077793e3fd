"""Plain-text transcripts with a speaker prefix per turn (``Agent: ...``, ``Dana: ...``).

Lines without a prefix continue the previous speaker's turn; lines before the first prefix are
a header and are skipped. An optional clock time may stand before or after the speaker
(``[00:01:02] Agent: ...``, ``Agent (00:01:02): ...``) and becomes ``Turn.start``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from everytouch.analysis.conversation import Conversation, ConversationError, Speaker, Turn
from everytouch.analysis.readers._common import (
    ReadOptions,
    assign_roles,
    clock_seconds,
    known_role,
    normalise_label,
)

_TIME = r"(?:\d{1,3}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?"
# Every repeat is bounded or separated by a literal, so a long line cannot make it backtrack
# more than a few thousand steps before the anchored match gives up.
_PREFIX = re.compile(
    rf"[ \t]*(?:[\[(]?(?P<t1>{_TIME})[\])]?[ \t]{{0,8}}(?:-[ \t]{{0,8}})?)?"
    r"(?P<label>[^\W\d_][\w.'&-]{0,30}(?: [\w.'&()-]{1,30}){0,3}?)"
    rf"[ \t]{{0,8}}(?:[\[(](?P<t2>{_TIME})[\])][ \t]{{0,8}})?:(?!//)[ \t]*(?P<text>.*)"
)
_MAX_NAME_WORDS = 3


@dataclass(frozen=True, slots=True)
class PrefixedLine:
    label: str
    text: str
    start: float | None


def match_prefix(line: str) -> PrefixedLine | None:
    """The speaker prefix of one line, whether or not it names a real speaker."""
    match = _PREFIX.match(line)
    if match is None:
        return None
    clock = match.group("t1") or match.group("t2")
    start = clock_seconds(clock) if clock else None
    return PrefixedLine(match.group("label").strip(), match.group("text"), start)


# Prefixes that label a fact, not a person: "Note: ...", "Order number: 4471".
NOT_SPEAKERS = frozenset(
    [
        "account",
        "address",
        "amount",
        "call",
        "cc",
        "date",
        "duration",
        "e-mail",
        "edit",
        "email",
        "fyi",
        "id",
        "important",
        "link",
        "location",
        "mobile",
        "nb",
        "note",
        "notes",
        "order",
        "outcome",
        "p.s",
        "p.s.",
        "phone",
        "price",
        "priority",
        "ps",
        "re",
        "reason",
        "recording",
        "ref",
        "reference",
        "sent",
        "status",
        "subject",
        "summary",
        "tags",
        "tel",
        "time",
        "to",
        "topic",
        "total",
        "transcript",
        "update",
        "url",
        "warning",
        "website",
    ]
)


def speaker_test(
    labels: Sequence[str], speaker_map: Mapping[str, Speaker]
) -> Callable[[str], bool]:
    """Which prefixes are speakers. A role word or mapped name always is. Other short names
    are too, unless they label a fact ("Note", "Order number") or, when role words are in
    use, the name appears only once (so a stray "Reason: ..." line stays text)."""
    counts = Counter(normalise_label(label) for label in labels)
    any_known = any(known_role(label, speaker_map) is not None for label in counts)

    def is_speaker(label: str) -> bool:
        if known_role(label, speaker_map) is not None:
            return True
        key = normalise_label(label)
        words = key.split()
        if len(words) > _MAX_NAME_WORDS or key in NOT_SPEAKERS or words[0] in NOT_SPEAKERS:
            return False
        return not any_known or counts[key] > 1

    return is_speaker


def parse_text(text: str, *, conv_id: str, options: ReadOptions | None = None) -> Conversation:
    options = options or ReadOptions()
    lines = text.splitlines()
    prefixes = [match_prefix(line) for line in lines]
    is_speaker = speaker_test([p.label for p in prefixes if p is not None], options.speaker_map)
    turns_raw: list[list[str]] = []
    heads: list[PrefixedLine] = []
    for line, prefix in zip(lines, prefixes, strict=True):
        if prefix is not None and is_speaker(prefix.label):
            heads.append(prefix)
            turns_raw.append([prefix.text.strip()])
        elif turns_raw and line.strip():
            turns_raw[-1].append(line.strip())
    if not heads:
        raise ConversationError("no speaker-prefixed lines (like 'Agent: ...') found")
    roles = assign_roles((h.label for h in heads), options.speaker_map)
    turns = tuple(
        Turn(roles[head.label], "\n".join(part for part in body if part), head.start)
        for head, body in zip(heads, turns_raw, strict=True)
        if any(body)
    )
    if not turns:
        raise ConversationError("every speaker-prefixed line is empty")
    return Conversation(conv_id, turns, "call", meta={"format": "text", "speakers": roles})
