"""Labelled examples for training a classifier check, read from a JSONL file.

Each line is one of::

    {"text": "Would you like the extended warranty?", "label": true}       # one example
    {"text": "...", "label": false, "check": "offered_warranty"}           # only for that check
    {"turns": [{"speaker": "agent", "text": "..."}, ...],                  # a labelled
     "checks": {"offered_warranty": {"value": true, "evidence": [[2, "quote"]]}}}  # conversation

From a conversation labelled for the check: when true, its evidence turns (on the side being
trained) are the positives; when false, every turn on that side is a negative. The other turns
of a positive conversation are left out: the label says a turn somewhere did it, not that the
rest did not.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from everytouch.analysis.conversation import ConversationError, Turn, turn_from_dict


class LabelsError(ValueError):
    """A labels file that cannot be used; the message starts with ``file:line:``."""


class _LineError(ValueError):
    """What is wrong with one line; read_labels adds the file and line number."""


@dataclass(slots=True)
class Labels:
    """The examples for one check and side, and what was left out and why."""

    examples: list[tuple[str, bool]] = field(default_factory=list)
    checks: set[str] = field(default_factory=set)  # every check the file labels
    left_out: Counter[str] = field(default_factory=Counter)

    @property
    def positives(self) -> int:
        return sum(1 for _, label in self.examples if label)

    @property
    def negatives(self) -> int:
        return len(self.examples) - self.positives


def read_labels(path: Path, check: str, side: str) -> Labels:
    """The examples for ``check`` from turns on ``side`` ("agent", "customer" or "any")."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LabelsError(f"{path}: cannot read the labels: {exc}") from exc
    labels = Labels()
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            _read_line(_json(line), check, side, labels)
        except _LineError as exc:
            raise LabelsError(f"{path}:{number}: {exc}") from exc
    return labels


def _json(line: str) -> dict[str, Any]:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise _LineError(f"not valid JSON: {exc.msg} (column {exc.colno})") from exc
    except (ValueError, RecursionError) as exc:  # a 5,000-digit number; nesting too deep
        raise _LineError(f"not readable JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise _LineError(f"expected a JSON object, got {type(data).__name__}")
    return data


def _read_line(data: dict[str, Any], check: str, side: str, labels: Labels) -> None:
    if "text" in data:
        _example(data, check, labels)
    elif "turns" in data:
        _conversation(data, check, side, labels)
    else:
        raise _LineError(
            'expected {"text": ..., "label": ...} or {"turns": [...], "checks": {...}}'
        )


def _example(data: dict[str, Any], check: str, labels: Labels) -> None:
    text, label, only = data["text"], data.get("label"), data.get("check")
    if not isinstance(text, str) or not text.strip():
        raise _LineError("'text' must be non-empty text")
    if not isinstance(label, bool):
        raise _LineError("'label' must be true or false")
    if only is not None and not isinstance(only, str):
        raise _LineError("'check' must be a check id")
    if only is not None:
        labels.checks.add(only)
    if only is None or only == check:
        labels.examples.append((text, label))


def _conversation(data: dict[str, Any], check: str, side: str, labels: Labels) -> None:
    turns = _turns(data["turns"])
    checks = data.get("checks")
    if not isinstance(checks, dict):
        raise _LineError("'checks' must be an object of {check id: {value, evidence}}")
    labels.checks.update(str(key) for key in checks)
    if check not in checks:
        return
    value, evidence = _label(checks[check], check, len(turns))
    if not value:
        labels.examples.extend((t.text, False) for t in turns if _on_side(t, side))
        return
    if not evidence:
        labels.left_out["labelled true without evidence"] += 1
    for index in evidence:
        if _on_side(turns[index], side):
            labels.examples.append((turns[index].text, True))
        else:
            labels.left_out[f"evidence turns not on the {side} side"] += 1


def _on_side(turn: Turn, side: str) -> bool:
    return (side == "any" or turn.speaker == side) and bool(turn.text.strip())


def _turns(raw: Any) -> list[Turn]:
    if not isinstance(raw, list):
        raise _LineError("'turns' must be a list")
    try:
        return [turn_from_dict(item, index) for index, item in enumerate(raw)]
    except ConversationError as exc:
        raise _LineError(str(exc)) from exc


def _label(raw: Any, check: str, count: int) -> tuple[bool, list[int]]:
    if not isinstance(raw, Mapping) or not isinstance(raw.get("value"), bool):
        raise _LineError(f'checks.{check} must be {{"value": true|false, "evidence": [...]}}')
    evidence = raw.get("evidence", [])
    if not isinstance(evidence, list):
        raise _LineError(f'checks.{check}.evidence must be a list of [turn, "quote"]')
    turns = [_evidence_turn(item, check, count) for item in evidence]
    return raw["value"], list(dict.fromkeys(turns))


def _evidence_turn(item: Any, check: str, count: int) -> int:
    turn = item.get("turn") if isinstance(item, Mapping) else None
    if isinstance(item, list) and item:
        turn = item[0]
    if not isinstance(turn, int) or isinstance(turn, bool):
        raise _LineError(f'checks.{check}.evidence: {item!r} is not [turn, "quote"]')
    if not 0 <= turn < count:
        raise _LineError(f"checks.{check}.evidence: turn {turn} is not in the conversation")
    return turn
