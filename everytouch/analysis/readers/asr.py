"""Speech-to-text output: Whisper / whisperX JSON and AWS Transcribe JSON.

Both number their speakers (``SPEAKER_00``, ``spk_0``) rather than name them; roles come from
``speaker_map`` or, failing that, the first speaker heard is taken to be the agent.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from everytouch.analysis.conversation import Conversation, ConversationError
from everytouch.analysis.readers._common import ReadOptions, assign_roles, merge_runs

# (speaker label or None, text, start seconds or None)
Piece = tuple[str | None, str, float | None]


def looks_like_asr(data: Mapping[str, Any]) -> bool:
    return isinstance(data.get("segments"), list) or isinstance(data.get("results"), Mapping)


def parse_asr(data: Mapping[str, Any], *, conv_id: str, options: ReadOptions) -> Conversation:
    if isinstance(data.get("segments"), list):
        return _build(_whisper_pieces(data["segments"]), conv_id, options, "whisper")
    return _build(_aws_pieces(data["results"]), conv_id, options, "aws-transcribe")


def _build(pieces: list[Piece], conv_id: str, options: ReadOptions, fmt: str) -> Conversation:
    labelled = _fill_missing_labels(pieces, fmt)
    roles = assign_roles((label for label, _, _ in labelled), options.speaker_map)
    turns = merge_runs((roles[label], text, start) for label, text, start in labelled)
    if not turns:
        raise ConversationError(f"no speech found in the {fmt} result")
    return Conversation(conv_id, turns, "call", meta={"format": fmt, "speakers": roles})


def _fill_missing_labels(pieces: list[Piece], fmt: str) -> list[tuple[str, str, float | None]]:
    """Unlabelled pieces continue the previous speaker (diarisers drop labels on short bits)."""
    first = next((label for label, _, _ in pieces if label is not None), None)
    if first is None:
        raise ConversationError(
            f"the {fmt} result has no speaker labels: run it with diarisation "
            "(e.g. whisperX, or Transcribe with ShowSpeakerLabels)"
        )
    out: list[tuple[str, str, float | None]] = []
    current = first
    for label, text, start in pieces:
        current = label if label is not None else current
        out.append((current, text, start))
    return out


def _number(value: Any) -> float | None:
    """Seconds from a JSON number or numeric string (Transcribe writes "1.23")."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        seconds = float(value)
    except (ValueError, OverflowError):  # "abc", or an integer too large for a float
        return None
    return seconds if math.isfinite(seconds) else None


def _label(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _whisper_pieces(segments: Sequence[Any]) -> list[Piece]:
    pieces: list[Piece] = []
    for index, segment in enumerate(segments):
        if not isinstance(segment, Mapping):
            raise ConversationError(f"segment {index}: expected an object")
        text = segment.get("text")
        if not isinstance(text, str):
            raise ConversationError(f"segment {index}: text must be a string")
        label = _label(segment.get("speaker")) or _majority_word_speaker(segment.get("words"))
        pieces.append((label, text, _number(segment.get("start"))))
    return pieces


def _majority_word_speaker(words: Any) -> str | None:
    """whisperX sometimes labels only the words of a segment."""
    if not isinstance(words, list):
        return None
    labels = [_label(w.get("speaker")) for w in words if isinstance(w, Mapping)]
    counts = Counter(label for label in labels if label is not None)
    return counts.most_common(1)[0][0] if counts else None


def _aws_pieces(results: Mapping[str, Any]) -> list[Piece]:
    segments = results.get("audio_segments")
    if isinstance(segments, list) and any(
        isinstance(s, Mapping) and _label(s.get("speaker_label")) for s in segments
    ):
        return list(_aws_audio_segments(segments))
    items = results.get("items")
    if not isinstance(items, list):
        raise ConversationError("AWS Transcribe result has neither audio_segments nor items")
    by_start = _aws_segment_speakers(results.get("speaker_labels"))
    return list(_aws_items(items, by_start))


def _aws_audio_segments(segments: Sequence[Any]) -> Iterator[Piece]:
    for index, segment in enumerate(segments):
        if not isinstance(segment, Mapping) or not isinstance(segment.get("transcript"), str):
            raise ConversationError(f"audio_segments[{index}]: expected an object with transcript")
        label = _label(segment.get("speaker_label"))
        yield label, segment["transcript"], _number(segment.get("start_time"))


def _aws_segment_speakers(speaker_labels: Any) -> dict[float, str]:
    """Older Transcribe output keeps speakers apart from words, joined by start time."""
    by_start: dict[float, str] = {}
    if not isinstance(speaker_labels, Mapping):
        return by_start
    for segment in speaker_labels.get("segments") or []:
        if not isinstance(segment, Mapping):
            continue
        for item in segment.get("items") or []:
            if not isinstance(item, Mapping):
                continue
            start = _number(item.get("start_time"))
            label = _label(item.get("speaker_label")) or _label(segment.get("speaker_label"))
            if start is not None and label is not None:
                by_start[start] = label
    return by_start


def _aws_items(items: Sequence[Any], by_start: Mapping[float, str]) -> Iterator[Piece]:
    """Words grouped into runs of one speaker; punctuation sticks to the word before it."""
    label: str | None = None
    words: list[str] = []
    run_start: float | None = None
    for index, item in enumerate(items):
        if not isinstance(item, Mapping):
            raise ConversationError(f"items[{index}]: expected an object")
        content = _aws_content(item, index)
        if item.get("type") == "punctuation":
            words[-1:] = [(words[-1] if words else "") + content]
            continue
        start = _number(item.get("start_time"))
        speaker = _label(item.get("speaker_label")) or by_start.get(start or -1.0) or label
        if speaker != label and words:
            yield label, " ".join(words), run_start
            words = []
        if not words:
            run_start = start
        label = speaker
        words.append(content)
    if words:
        yield label, " ".join(words), run_start


def _aws_content(item: Mapping[str, Any], index: int) -> str:
    alternatives = item.get("alternatives")
    if not isinstance(alternatives, list) or not alternatives:
        raise ConversationError(f"items[{index}]: no alternatives")
    best = alternatives[0]
    if not isinstance(best, Mapping) or not isinstance(best.get("content"), str):
        raise ConversationError(f"items[{index}]: alternative without content")
    return str(best["content"])
