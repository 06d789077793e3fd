"""Playbook YAML: the default checks, custom playbooks, and errors that name the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from everytouch.analysis.playbook import (
    PlaybookError,
    default_playbook,
    load_playbook,
    parse_playbook,
)
from everytouch.analysis.playbook_rules import RULES

DEFAULT_IDS = [
    "greeting",
    "asked_name",
    "asked_phone",
    "asked_email",
    "discovery_question",
    "next_step",
    "commitment_dated",
    "no_repeat_identity_ask",
    "transfers_at_most_one",
    "promotion_mentioned",
    "lead_captured",
]


def test_it_ships_the_default_checks() -> None:
    playbook = default_playbook()
    assert [c.id for c in playbook.checks] == DEFAULT_IDS
    assert all(c.tip and c.title and c.weight > 0 for c in playbook.checks)
    assert all(c.rule in RULES for c in playbook.checks)


def test_it_reads_rule_parameters_and_fills_defaults() -> None:
    playbook = parse_playbook(
        "checks:\n"
        "  - id: two_transfers\n"
        "    rule: {name: transfers_at_most, max: 2}\n"
        "  - id: discovery\n"
        "    weight: 2.5\n"
        "    applies_when: [buying_intent, agent_spoke]\n"
        "    rule: discovery_question\n"
    )
    first, second = playbook.checks
    assert dict(first.params) == {"max": 2}
    assert first.applies_when == ("always",)
    assert dict(second.params) == {"topics": ("need", "budget", "timeline")}
    assert (second.weight, second.applies_when) == (2.5, ("buying_intent", "agent_spoke"))


def _error(text: str) -> str:
    with pytest.raises(PlaybookError) as info:
        parse_playbook(text, "team.yaml")
    return str(info.value)


def test_it_names_the_line_of_a_yaml_syntax_error() -> None:
    assert _error("checks:\n  - id: a\n    rule: greeting\n  - id: [b\n").startswith("team.yaml:5:")


def test_it_names_the_line_of_an_unknown_rule() -> None:
    message = _error("checks:\n  - id: a\n    rule: greeting\n  - id: b\n    rule: telepathy\n")
    assert message.startswith("team.yaml:5:")
    assert "unknown rule 'telepathy'" in message


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("checks:\n  - id: a\n    rule: greeting\n    colour: red\n", 4, "unknown key 'colour'"),
        ("checks:\n  - id: a\n    rule: greeting\n    weight: heavy\n", 4, "must be a number"),
        ("checks:\n  - id: a\n    rule: greeting\n    weight: -1\n", 4, "weight must be > 0"),
        ("checks:\n  - id: a\n    rule: greeting\n  - id: a\n    rule: greeting\n", 4, "duplicate"),
        ("checks:\n  - id: a\n    rule: {name: asked_detail}\n", 3, "needs parameter 'detail'"),
        ("checks:\n  - id: a\n    rule: {name: asked_detail, detail: shoe}\n", 3, "'shoe'"),
        ("checks:\n  - id: a\n    rule: {name: greeting, loud: true}\n", 3, "no parameter 'loud'"),
        ("checks:\n  - id: a\n    rule: greeting\n    applies_when: mondays\n", 4, "'mondays'"),
        ("checks:\n  - id: Bad Id\n    rule: greeting\n", 2, "use a-z"),
        ("checks:\n  - title: no id\n", 2, "needs 'id'"),
        ("version: 2\nchecks: []\n", 1, "version must be 1"),
        ("name: x\nchecks: []\n", 2, "non-empty list"),
        ("- just\n- a list\n", 1, "must be a mapping"),
    ],
)
def test_it_names_the_line_of_each_invalid_field(text: str, line: int, words: str) -> None:
    message = _error(text)
    assert message.startswith(f"team.yaml:{line}:"), message
    assert words in message


def test_it_rejects_an_empty_playbook_and_a_missing_file(tmp_path: Path) -> None:
    assert "empty" in _error("")
    with pytest.raises(PlaybookError, match="cannot read the playbook"):
        load_playbook(tmp_path / "missing.yaml")


def test_it_loads_a_playbook_file(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("name: Mine\nchecks:\n  - id: hi\n    rule: greeting\n    tip: Say hi.\n")
    playbook = load_playbook(path)
    assert playbook.name == "Mine"
    assert playbook.checks[0].tip == "Say hi."
    assert playbook.checks[0].line == 3
