"""JSON and JSONL in the schema of ``conversation.py``; JSON from speech-to-text tools is
recognised by its shape and handed to ``asr``."""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Iterator, Mapping
from typing import Any

from everytouch.analysis.conversation import Conversation, ConversationError, conversation_from_dict
from everytouch.analysis.readers import asr
from everytouch.analysis.readers._common import ReadOptions

Entry = Conversation | ConversationError


# No transcript needs a longer whole number; Python refuses to read one of over 4,300 digits
# (a ValueError json.loads lets through), and far fewer already overflow a float.
MAX_INT_DIGITS = 32


def _whole(raw: str) -> int:
    if len(raw.lstrip("-")) > MAX_INT_DIGITS:
        raise ConversationError(
            f"a number of {len(raw)} digits is too long (at most {MAX_INT_DIGITS})"
        )
    return int(raw)


def _finite(raw: str) -> float:
    value = float(raw)
    if not math.isfinite(value):
        raise ConversationError(f"the number {raw[:20]} is too large")
    return value


def _no_constant(name: str) -> Any:
    raise ConversationError(f"{name} is not a JSON number")


def decode(text: str) -> Any:
    """``json.loads`` that keeps to JSON: no NaN or Infinity, no number too large to use."""
    return json.loads(text, parse_int=_whole, parse_float=_finite, parse_constant=_no_constant)


def loads(text: str) -> Any:
    try:
        return decode(text)
    except json.JSONDecodeError as exc:
        raise _invalid(exc) from exc
    except RecursionError as exc:
        raise ConversationError("not readable JSON: nested too deeply") from exc


def _invalid(exc: json.JSONDecodeError) -> ConversationError:
    return ConversationError(f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}")


def from_schema(data: Any, default_id: str, fmt: str) -> Conversation:
    """A schema object whose id may be missing: files name their conversations by default."""
    if isinstance(data, Mapping) and data.get("id") is None:
        data = {**data, "id": default_id}
    return dataclasses.replace(conversation_from_dict(data), meta={"format": fmt})


def iter_json(text: str, conv_id: str, options: ReadOptions) -> Iterator[Entry]:
    """One conversation object, a list of them, or a Whisper / AWS Transcribe result; JSONL
    saved with a .json suffix is read as JSONL."""
    try:
        data = decode(text)
    except json.JSONDecodeError as exc:
        if exc.msg != "Extra data" or not text.lstrip().startswith("{"):
            raise _invalid(exc) from exc
        yield from iter_jsonl(text, conv_id)
        return
    except RecursionError as exc:
        raise ConversationError("not readable JSON: nested too deeply") from exc
    if isinstance(data, list):
        yield from _iter_list(data, conv_id)
    elif isinstance(data, Mapping) and "turns" not in data and asr.looks_like_asr(data):
        yield asr.parse_asr(data, conv_id=conv_id, options=options)
    elif isinstance(data, Mapping) and "turns" not in data:
        raise ConversationError(
            "unrecognised JSON object: expected 'turns' (Everytouch), 'segments' (Whisper) "
            "or 'results' (AWS Transcribe)"
        )
    else:
        yield from_schema(data, conv_id, "json")


def _iter_list(items: list[Any], conv_id: str) -> Iterator[Entry]:
    if not items:
        raise ConversationError("the JSON list is empty")
    for index, item in enumerate(items, start=1):
        try:
            yield from_schema(item, f"{conv_id}#{index}", "json")
        except ConversationError as exc:
            yield ConversationError(f"item {index}: {exc}")


def iter_jsonl(text: str, conv_id: str) -> Iterator[Entry]:
    """One object per line; blank lines are skipped; a bad line is reported by its number."""
    seen = False
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        seen = True
        try:
            yield from_schema(loads(line), f"{conv_id}#{number}", "jsonl")
        except ConversationError as exc:
            yield ConversationError(f"line {number}: {exc}")
    if not seen:
        raise ConversationError("the JSONL file has no lines")


def parse_json(
    text: str, *, conv_id: str, options: ReadOptions | None = None
) -> list[Conversation]:
    return _strict(iter_json(text, conv_id, options or ReadOptions()))


def parse_jsonl(text: str, *, conv_id: str) -> list[Conversation]:
    return _strict(iter_jsonl(text, conv_id))


def _strict(entries: Iterator[Entry]) -> list[Conversation]:
    out: list[Conversation] = []
    for entry in entries:
        if isinstance(entry, ConversationError):
            raise entry
        out.append(entry)
    return out
