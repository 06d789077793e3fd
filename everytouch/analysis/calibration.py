"""Confidence that means what it says: how often a rule's pass or fail agreed with people.

`data/calibration.json` holds, per rule (with its defining parameter) and status, the share
of labelled conversations where that status matched the label, measured on the tune split of
the public sets (`python -m benchmarks.calibrate`). A check whose result cannot be compared with
a label (a promotion, a custom phrase list, non-default parameters) keeps the rule's own
estimate. docs/analysis.md shows the reliability of these figures on the test split.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from everytouch.analysis.scorecard import Status

TABLE = Path(__file__).resolve().parent / "data" / "calibration.json"
# The parameter that changes what a rule measures, so it is part of the key.
KEY_PARAM = {"asked_detail": "detail"}


def rule_key(rule: str, params: Mapping[str, Any], defaults: Mapping[str, Any]) -> str | None:
    """The table key for a rule with these parameters; None when they are not the measured ones."""
    keyed = KEY_PARAM.get(rule)
    others = {k: v for k, v in params.items() if k != keyed}
    if any(tuple(v) != tuple(defaults[k]) if isinstance(v, (list, tuple)) else v != defaults[k]
           for k, v in others.items()):  # fmt: skip
        return None
    return f"{rule}:{params[keyed]}" if keyed else rule


@cache
def table() -> dict[str, dict[str, float]]:
    if not TABLE.exists():
        return {}
    data: dict[str, dict[str, float]] = json.loads(TABLE.read_text(encoding="utf-8"))
    return data


def calibrated(key: str | None, status: Status, fallback: float) -> float:
    """The measured agreement for this rule and status, else the rule's own estimate."""
    if key is None or status == "n/a":
        return fallback
    return table().get(key, {}).get(status, fallback)


def measured(key: str | None) -> dict[str, float]:
    """The measured agreement for this rule by status: calibrated(key, status, fallback) is
    measured(key).get(status, fallback)."""
    if key is None:
        return {}
    return {status: v for status, v in table().get(key, {}).items() if status != "n/a"}
