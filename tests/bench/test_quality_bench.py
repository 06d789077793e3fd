"""The scoring benchmark's own parts: its calls must be what the API accepts and the analyzer
can score, and its figures must be the right ratios. No server or worker is started here."""

from __future__ import annotations

import argparse
import json
import math
from collections import Counter

import pytest

from benchmarks._quality_transcripts import MAX_TURNS, MIN_TURNS, payloads
from benchmarks.quality import Config, DrainPhase, PostPhase, parse_workers, summarise
from everytouch.analysis.analyzer import analyze
from everytouch.analysis.conversation import Conversation, Turn
from everytouch.customers.contacts import normalise
from everytouch.interactions.api import InteractionIn


def test_the_calls_are_valid_api_bodies_of_8_to_20_turns() -> None:
    calls = payloads(60, seed=3)
    for call in calls:
        body = InteractionIn.model_validate(json.loads(json.dumps(call)))
        assert MIN_TURNS <= len(body.turns) <= MAX_TURNS
        assert normalise(call["phone"]).value == call["phone"]
        starts = [t.start or 0.0 for t in body.turns]
        assert starts == sorted(starts)


def test_the_calls_vary_and_some_callers_call_again() -> None:
    calls = payloads(200, seed=3)
    openings = {c["turns"][1]["text"] for c in calls}
    assert len(openings) >= 8
    assert len({len(c["turns"]) for c in calls}) >= 4
    repeats = Counter(c["phone"] for c in calls)
    assert 20 <= sum(n - 1 for n in repeats.values()) <= 80
    # The same caller keeps the same name.
    names = {(c["phone"], c["customer_name"]) for c in calls}
    assert len(names) == len(repeats)


def test_the_same_seed_gives_the_same_calls() -> None:
    assert payloads(30, seed=5) == payloads(30, seed=5)
    assert payloads(30, seed=5) != payloads(30, seed=6)


def test_the_analyzer_finds_both_passes_and_misses_in_them() -> None:
    results: Counter[tuple[str, str]] = Counter()
    for i, call in enumerate(payloads(80, seed=3)):
        turns = tuple(Turn(t["speaker"], t["text"], start=t["start"]) for t in call["turns"])
        card = analyze(Conversation(id=str(i), turns=turns, channel="call"))
        for result in card.checks:
            results[(result.id, result.status)] += 1
    for check in ("asked_name", "asked_phone", "next_step"):
        assert results[(check, "pass")] and results[(check, "fail")], (check, results)


def test_the_summary_is_the_right_ratios() -> None:
    post = PostPhase(posted=100, errors={}, conflicts=0, wall_s=4.0, server_cpu_s=2.5)
    drain = DrainPhase(
        launched=1_010.0,
        first_card=1_012.0,
        last_card=1_030.0,
        cards=100,
        not_scored=0,
        steady_cpu_s=9.0,
        steady_cards=90,
        total_cpu_s=11.0,
        steady_db_cpu_s=4.5,
    )
    row = summarise(Config("sqlite", "db", 2), post, drain)
    assert row.posts_per_s == 25.0
    assert row.server_cpu_ms_per_post == 25.0
    assert row.startup_s == 2.0
    assert row.drain_s == 20.0
    assert row.cards_per_s == 5.0
    assert row.worker_cpu_ms_per_card == 100.0
    assert row.db_cpu_ms_per_card == 50.0
    assert row.end_to_end_s == 24.0


def test_an_empty_phase_gives_no_figure_rather_than_a_crash() -> None:
    post = PostPhase(posted=0, errors={}, conflicts=0, wall_s=0.0, server_cpu_s=0.0)
    drain = DrainPhase(5.0, 5.0, 5.0, 0, 0, 0.0, 0, 0.0, float("nan"))
    row = summarise(Config("postgres", "rq", 1), post, drain)
    assert math.isnan(row.posts_per_s) and math.isnan(row.cards_per_s)
    assert math.isnan(row.worker_cpu_ms_per_card) and math.isnan(row.db_cpu_ms_per_card)


def test_worker_counts_parse() -> None:
    assert parse_workers("1,2") == [1, 2]
    assert parse_workers("4") == [4]
    with pytest.raises(argparse.ArgumentTypeError):
        parse_workers("0,1")
