"""Calibrated confidence: measured agreement per rule and status, the rule's estimate otherwise."""

from __future__ import annotations

from everytouch.analysis import calibration
from everytouch.analysis.analyzer import analyze
from everytouch.analysis.conversation import Conversation, Turn
from everytouch.analysis.playbook import parse_playbook

DEFAULTS = {"topics": ("need", "budget", "timeline")}


def test_the_shipped_table_holds_a_probability_per_rule_and_status() -> None:
    table = calibration.table()
    assert {"greeting", "asked_detail:name", "discovery_question", "next_step"} <= set(table)
    for statuses in table.values():
        assert set(statuses) <= {"pass", "fail"}
        assert all(0.0 < value < 1.0 for value in statuses.values())


def test_the_key_carries_the_parameter_that_changes_the_meaning() -> None:
    assert calibration.rule_key("asked_detail", {"detail": "phone"}, {"detail": None}) == (
        "asked_detail:phone"
    )
    assert calibration.rule_key("discovery_question", {"topics": ["need", "budget", "timeline"]},
                                DEFAULTS) == "discovery_question"  # fmt: skip


def test_non_default_parameters_keep_the_rules_own_estimate() -> None:
    key = calibration.rule_key("discovery_question", {"topics": ["budget"]}, DEFAULTS)
    assert key is None
    assert calibration.calibrated(key, "fail", 0.7) == 0.7
    assert calibration.calibrated("greeting", "n/a", 0.9) == 0.9
    assert calibration.calibrated("no_such_rule", "pass", 0.6) == 0.6


def test_a_scorecard_reports_the_measured_confidence() -> None:
    conv = Conversation("c", (Turn("agent", "Hello, thanks for calling!"), Turn("customer", "Hi")))
    playbook = parse_playbook("checks:\n  - id: hi\n    rule: greeting\n", "p.yaml")
    card = analyze(conv, playbook)
    assert card.check("hi").confidence == calibration.table()["greeting"]["pass"]
