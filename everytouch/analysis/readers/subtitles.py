"""WebVTT and SubRip (SRT) captions with speaker tags.

A cue's speaker comes from a WebVTT voice tag (``<v Dana>``), a bracketed tag (``[Agent]``)
or a prefix (``Dana: ``). An untagged cue continues the previous speaker; untagged cues before
the first tag go to the first tagged speaker. Consecutive cues of one speaker form one turn,
starting at its first cue.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from everytouch.analysis.conversation import Conversation, ConversationError
from everytouch.analysis.readers._common import (
    ReadOptions,
    assign_roles,
    clock_seconds,
    merge_runs,
)
from everytouch.analysis.readers.text import match_prefix, speaker_test

_CLOCK = r"(?:\d{1,3}:)?\d{1,2}:\d{2}[.,]\d{1,3}"
_TIMING = re.compile(rf"[ \t]*(?P<start>{_CLOCK})[ \t]*-->[ \t]*{_CLOCK}")
_VOICE = re.compile(r"<v(?:\.[^\s>]{0,80})?[ \t]+(?P<name>[^<>]{1,80})>")
_BRACKET = re.compile(r"[ \t]*\[(?P<name>[^\[\]]{1,60})\][ \t]*:?[ \t]*")
_TAG = re.compile(r"<[^<>]{0,200}>")
_ENTITIES = {"&amp;": "&", "&lt;": "<", "&gt;": ">", "&nbsp;": " ", "&lrm;": "", "&rlm;": ""}
# Bracketed captions that describe sound rather than name a speaker.
_SOUNDS = frozenset(
    {
        "applause",
        "background noise",
        "beep",
        "crosstalk",
        "inaudible",
        "laughs",
        "laughter",
        "music",
        "noise",
        "silence",
        "unintelligible",
    }
)


@dataclass(frozen=True, slots=True)
class Cue:
    start: float | None
    lines: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Line:
    label: str | None
    text: str  # without the speaker tag or prefix
    full: str  # with a prefix kept, for when the prefix turns out not to be a speaker
    start: float | None
    tagged: bool  # a voice or bracket tag, which always names a speaker


def parse_vtt(text: str, *, conv_id: str, options: ReadOptions | None = None) -> Conversation:
    if not text.lstrip("\ufeff \t\r\n").startswith("WEBVTT"):
        raise ConversationError("a WebVTT file must start with 'WEBVTT'")
    return _parse(text, conv_id, options or ReadOptions(), "vtt")


def parse_srt(text: str, *, conv_id: str, options: ReadOptions | None = None) -> Conversation:
    return _parse(text, conv_id, options or ReadOptions(), "srt")


def _parse(text: str, conv_id: str, options: ReadOptions, fmt: str) -> Conversation:
    cues = list(iter_cues(text))
    if not cues:
        raise ConversationError(f"no cues (lines with 'start --> end' times) found in the {fmt}")
    lines = [line for cue in cues for line in _cue_lines(cue)]
    is_speaker = speaker_test(
        [line.label for line in lines if line.label and not line.tagged], options.speaker_map
    )
    labelled = _attribute(lines, is_speaker, fmt)
    roles = assign_roles((label for label, _, _ in labelled), options.speaker_map)
    turns = merge_runs((roles[label], body, start) for label, body, start in labelled)
    if not turns:
        raise ConversationError(f"every cue in the {fmt} is empty")
    return Conversation(conv_id, turns, "call", meta={"format": fmt, "speakers": roles})


def iter_cues(text: str) -> Iterator[Cue]:
    """Blank-line separated blocks that hold a timing line; headers, NOTE and STYLE blocks
    have none and are skipped."""
    block: list[str] = []
    for line in [*text.splitlines(), ""]:
        if line.strip():
            block.append(line)
            continue
        cue = _block_to_cue(block)
        block = []
        if cue is not None:
            yield cue


def _block_to_cue(block: list[str]) -> Cue | None:
    # The timing line is first, or second after a cue id / SRT counter.
    for index, line in enumerate(block[:2]):
        match = _TIMING.match(line)
        if match is not None:
            return Cue(clock_seconds(match.group("start")), tuple(block[index + 1 :]))
    return None


def _cue_lines(cue: Cue) -> Iterator[Line]:
    for raw in cue.lines:
        line = _split_speaker(raw, cue.start)
        if line.full:
            yield line


def _split_speaker(raw: str, start: float | None) -> Line:
    voice = _VOICE.search(raw)
    if voice is not None:
        text = _clean(raw)
        return Line(voice.group("name").strip(), text, text, start, tagged=True)
    bracket = _BRACKET.match(raw)
    if bracket is not None:
        name = bracket.group("name").strip()
        text = _clean(raw[bracket.end() :])
        if name.lower() in _SOUNDS:
            return Line(None, text, text, start, tagged=False)
        return Line(name, text, text or name, start, tagged=True)
    cleaned = _clean(raw)
    prefix = match_prefix(cleaned)
    if prefix is not None:
        return Line(prefix.label, prefix.text.strip(), cleaned, start, tagged=False)
    return Line(None, cleaned, cleaned, start, tagged=False)


def _clean(raw: str) -> str:
    text = _TAG.sub("", raw)
    for entity, char in _ENTITIES.items():
        text = text.replace(entity, char)
    return text.strip().lstrip("-").strip()


def _attribute(
    lines: list[Line], is_speaker: Callable[[str], bool], fmt: str
) -> list[tuple[str, str, float | None]]:
    """Each line's speaker; lines without one continue the speaker before them."""
    labels = [
        line.label if line.label and (line.tagged or is_speaker(line.label)) else None
        for line in lines
    ]
    current = next((label for label in labels if label is not None), None)
    if current is None:
        raise ConversationError(
            f"no speaker tags found in the {fmt}: tag cues as '<v Dana>', '[Agent]' or 'Agent: '"
        )
    out: list[tuple[str, str, float | None]] = []
    for line, label in zip(lines, labels, strict=True):
        current = label or current
        out.append((current, line.text if label else line.full, line.start))
    return out
