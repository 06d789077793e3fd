"""The one in-memory shape of a conversation that every reader produces and every analyzer reads.

JSON form (one object per conversation; JSONL files hold many)::

    {"id": str, "channel": "call"|"email"|"chat"|"visit", "started_at": ISO-8601 (optional),
     "turns": [{"speaker": "agent"|"customer", "text": str, "start": seconds (optional)}]}
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, cast, get_args

from everytouch import bounds

Speaker = Literal["agent", "customer"]
Channel = Literal["call", "email", "chat", "visit"]
SPEAKERS: tuple[str, ...] = get_args(Speaker)
CHANNELS: tuple[str, ...] = get_args(Channel)


class ConversationError(ValueError):
    """Input that cannot be read as a conversation; the message says why."""


@dataclass(frozen=True, slots=True)
class Turn:
    speaker: Speaker
    text: str
    start: float | None = None


@dataclass(frozen=True, slots=True)
class Conversation:
    id: str
    turns: tuple[Turn, ...]
    channel: Channel = "call"
    started_at: datetime | None = None
    meta: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "channel": self.channel}
        if self.started_at is not None:
            out["started_at"] = self.started_at.isoformat()
        out["turns"] = [_turn_to_dict(t) for t in self.turns]
        return out


def _turn_to_dict(turn: Turn) -> dict[str, Any]:
    out: dict[str, Any] = {"speaker": turn.speaker, "text": turn.text}
    if turn.start is not None:
        out["start"] = turn.start
    return out


def turn_from_dict(data: Any, index: int) -> Turn:
    if not isinstance(data, Mapping):
        raise ConversationError(f"turn {index}: expected an object, got {type(data).__name__}")
    speaker = data.get("speaker")
    if speaker not in SPEAKERS:
        raise ConversationError(f"turn {index}: speaker must be one of {SPEAKERS}, got {speaker!r}")
    text = data.get("text")
    if not isinstance(text, str):
        raise ConversationError(f"turn {index}: text must be a string")
    start = data.get("start")
    if start is not None and (isinstance(start, bool) or not isinstance(start, int | float)):
        raise ConversationError(f"turn {index}: start must be a number of seconds")
    if start is not None and not math.isfinite(start):
        raise ConversationError(f"turn {index}: start must be a finite number of seconds")
    return Turn(cast(Speaker, speaker), text, None if start is None else float(start))


def _parse_started_at(value: Any) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ConversationError("started_at must be an ISO-8601 string")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise ConversationError(f"started_at is not ISO-8601: {value!r}") from exc
    problem = bounds.calendar_problem(moment)
    if problem:
        raise ConversationError(f"started_at {problem}")
    return moment


def conversation_from_dict(data: Any) -> Conversation:
    """Validate one JSON object and build a Conversation, or raise ConversationError."""
    if not isinstance(data, Mapping):
        raise ConversationError(f"expected a JSON object, got {type(data).__name__}")
    conv_id = data.get("id")
    if not isinstance(conv_id, str | int) or isinstance(conv_id, bool) or str(conv_id) == "":
        raise ConversationError("id must be a non-empty string")
    channel = data.get("channel", "call")
    if channel not in CHANNELS:
        raise ConversationError(f"channel must be one of {CHANNELS}, got {channel!r}")
    turns = data.get("turns")
    if not isinstance(turns, list):
        raise ConversationError("turns must be a list")
    return Conversation(
        id=str(conv_id),
        turns=tuple(turn_from_dict(t, i) for i, t in enumerate(turns)),
        channel=cast(Channel, channel),
        started_at=_parse_started_at(data.get("started_at")),
    )
