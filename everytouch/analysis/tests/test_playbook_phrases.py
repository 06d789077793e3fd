"""Checks a business writes without code: said / not_said rules and conditions with parameters."""

from __future__ import annotations

import pickle

import pytest

from everytouch.analysis.analyzer import analyze
from everytouch.analysis.conversation import Conversation, Turn
from everytouch.analysis.playbook import PlaybookError, parse_playbook
from everytouch.analysis.scorecard import CheckResult

CALL = Conversation(
    "call-1",
    (
        Turn("agent", "Thanks for calling Bright Print, how can I help?"),
        Turn("customer", "What's the PRICE for 500 business cards?"),
        Turn("agent", "It's $90. Would you like the Rush-Delivery option? It's cheap."),
        Turn("customer", "No thanks, that's cheap enough."),
    ),
)


def _check(rule: str, conv: Conversation = CALL, applies_when: str = "always") -> CheckResult:
    playbook = parse_playbook(
        f"checks:\n  - id: c\n    applies_when: {applies_when}\n    rule: {rule}\n"
    )
    return analyze(conv, playbook).checks[0]


def test_it_passes_said_with_the_turn_and_sentence_as_evidence() -> None:
    result = _check("{name: said, phrases: [rush delivery, express]}")
    assert result.status == "pass"
    assert [(e.turn, e.quote) for e in result.evidence] == [
        (2, "Would you like the Rush-Delivery option?")
    ]
    assert result.note == "said: rush delivery"


def test_it_fails_said_when_no_phrase_occurs_on_the_side() -> None:
    # The customer said "price", not the agent (the default side).
    assert _check("{name: said, phrases: [price]}").status == "fail"
    assert _check("{name: said, phrases: [price], side: customer}").status == "pass"
    assert _check("{name: said, phrases: [price], side: any}").status == "pass"


def test_it_matches_whole_words_regardless_of_case_and_punctuation() -> None:
    assert _check("{name: said, phrases: [business card]}").status == "fail"  # cards
    assert _check("{name: said, phrases: ['business cards'], side: customer}").status == "pass"
    assert _check("{name: said, phrases: [rush]}").status == "pass"
    assert _check("{name: said, phrases: [deliver]}").status == "fail"


def test_it_fails_not_said_with_every_offending_turn() -> None:
    result = _check("{name: not_said, phrases: [cheap, no thanks], side: any}")
    assert result.status == "fail"
    assert [(e.turn, e.quote) for e in result.evidence] == [
        (2, "It's cheap."),
        (3, "No thanks, that's cheap enough."),
    ]
    assert result.note == "said: cheap, no thanks"


def test_it_passes_not_said_when_no_phrase_occurs_on_the_side() -> None:
    result = _check("{name: not_said, phrases: [no thanks]}")
    assert (result.status, result.evidence) == ("pass", ())


def test_it_is_not_applicable_when_the_side_never_spoke() -> None:
    silent = Conversation("x", (Turn("customer", "Hello?"),))
    assert _check("{name: said, phrases: [hi]}", silent).status == "n/a"
    assert _check("{name: not_said, phrases: [hi]}", silent).status == "n/a"


def test_it_applies_a_check_when_a_said_condition_holds() -> None:
    when = "[customer_spoke, {said: {phrases: [price, quote], side: customer}}]"
    assert _check("{name: said, phrases: [rush]}", applies_when=when).status == "pass"
    when = "{said: {phrases: [refund], side: customer}}"
    result = _check("{name: said, phrases: [rush]}", applies_when=when)
    assert result.status == "n/a"
    assert result.note == "not applicable: said(phrases=refund, side=customer)"


def test_it_applies_a_check_when_a_not_said_condition_holds() -> None:
    when = "{not_said: {phrases: [refund], side: any}}"
    assert _check("{name: said, phrases: [rush]}", applies_when=when).status == "pass"
    when = "{not_said: {phrases: [cheap], side: any}}"
    assert _check("{name: said, phrases: [rush]}", applies_when=when).status == "n/a"


def test_it_reads_several_parameterised_conditions_in_one_mapping() -> None:
    playbook = parse_playbook(
        "checks:\n"
        "  - id: c\n"
        "    rule: greeting\n"
        "    applies_when:\n"
        "      said: {phrases: [price], side: customer}\n"
        "      not_said: {phrases: [refund]}\n"
    )
    assert playbook.checks[0].applies_when == (
        "said(phrases=price, side=customer)",
        "not_said(phrases=refund, side=agent)",
    )


def test_it_pickles_a_playbook_with_phrase_checks_for_worker_processes() -> None:
    playbook = parse_playbook(
        "checks:\n  - id: c\n    applies_when: {said: {phrases: [price], side: customer}}\n"
        "    rule: {name: said, phrases: [rush delivery]}\n"
    )
    copy = pickle.loads(pickle.dumps(playbook))  # noqa: S301 -- our own bytes
    assert analyze(CALL, copy).checks[0].status == "pass"


def _error(text: str) -> str:
    with pytest.raises(PlaybookError) as info:
        parse_playbook(text, "team.yaml")
    return str(info.value)


_HEAD = "checks:\n  - id: a\n"


@pytest.mark.parametrize(
    ("body", "line", "words"),
    [
        ("    rule: {name: said}\n", 3, "rule 'said' needs parameter 'phrases'"),
        ("    rule: {name: said, phrases: []}\n", 3, "non-empty list of phrases"),
        ("    rule: {name: said, phrases: price}\n", 3, "non-empty list of phrases"),
        ("    rule:\n      name: said\n      phrases:\n        - ok\n        - '?!'\n", 7,
         "'?!' has no word to match"),
        ("    rule:\n      name: said\n      phrases:\n        - ok\n        - [x]\n", 7,
         "each phrase must be text"),
        ("    rule:\n      name: not_said\n      phrases: [ok]\n      side: both\n", 6,
         "'both' is not one of agent, customer, any"),
        ("    rule: {name: said, phrases: [ok], loud: true}\n", 3, "no parameter 'loud'"),
        ("    rule: greeting\n    applies_when:\n      - agent_spoke\n      - said\n", 6,
         "condition 'said' needs parameters"),
        ("    rule: greeting\n    applies_when:\n      - {said: {side: agent}}\n", 5,
         "condition 'said' needs parameter 'phrases'"),
        ("    rule: greeting\n    applies_when:\n      - said:\n          phrases: [x]\n"
         "          colour: red\n", 7, "condition 'said' has no parameter 'colour'"),
        ("    rule: greeting\n    applies_when:\n      - {buying_intent: {}}\n", 5,
         "'buying_intent' takes no parameters"),
        ("    rule: greeting\n    applies_when:\n      - {telepathy: {}}\n", 5,
         "unknown condition 'telepathy'"),
        ("    rule: greeting\n    applies_when:\n      - {said: [price]}\n", 5,
         "must be a mapping"),
        ("    rule: greeting\n    applies_when:\n      - [said]\n", 5,
         "a condition is a name or"),
        ("    rule: greeting\n    applies_when: []\n", 4, "at least one condition"),
    ],
)  # fmt: skip
def test_it_names_the_line_of_each_bad_parameter(body: str, line: int, words: str) -> None:
    message = _error(_HEAD + body)
    assert message.startswith(f"team.yaml:{line}:"), message
    assert words in message, message
