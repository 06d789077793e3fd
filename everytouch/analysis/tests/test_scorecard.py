"""analyze(): checks with evidence, the weighted score, the lead, and robustness on any input."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from everytouch.analysis import calibration
from everytouch.analysis.analyzer import analyze
from everytouch.analysis.conversation import (
    Conversation,
    ConversationError,
    Turn,
    conversation_from_dict,
)
from everytouch.analysis.playbook import parse_playbook
from everytouch.analysis.scorecard import CheckResult, Scorecard, weighted_score

SALE = (
    ("agent", "Thank you for calling Bright Print, this is Dana. How can I help?"),
    ("customer", "Hi, I'm looking for a quote on 500 business cards."),
    ("agent", "Happy to help. May I have your name?"),
    ("customer", "My name is Jane Doe."),
    ("agent", "Thanks Jane. When do you need them by, and what's your budget?"),
    ("customer", "By next Friday, around 100 dollars."),
    ("agent", "The Spring Sale gives you 20% off. What's the best number to reach you?"),
    ("customer", "It's 415 555 0123."),
    ("agent", "And your email address?"),
    ("customer", "jane.doe@example.com"),
    ("agent", "I'll email you the quote by end of day tomorrow. Could I get your name again?"),
)
PRICE_ONLY = (
    ("customer", "How much is a box of business cards?"),
    ("agent", "Forty dollars."),
    ("customer", "OK, thanks, bye."),
)


def _conv(turns: tuple[tuple[str, str], ...], conv_id: str = "c") -> Conversation:
    started = datetime(2026, 3, 12, 15, 0, tzinfo=UTC)
    return Conversation(conv_id, tuple(Turn(s, t) for s, t in turns), started_at=started)  # type: ignore[arg-type]


def test_it_scores_a_good_sales_call_with_evidence() -> None:
    card = analyze(_conv(SALE), promotions=["Spring Sale 2026"], tz="America/New_York")
    assert card.check("greeting").status == "pass"
    assert card.check("greeting").evidence[0].turn == 0
    assert card.check("discovery_question").evidence[0].quote.startswith("When do you need")
    assert card.check("promotion_mentioned").status == "pass"
    assert card.check("lead_captured").status == "pass"
    assert card.check("commitment_dated").status == "pass"
    assert card.check("no_repeat_identity_ask").status == "fail"
    assert [m.check for m in card.missed] == ["no_repeat_identity_ask"]
    assert card.score is not None and 80 < card.score < 100


def test_it_extracts_the_lead_and_the_dated_commitment() -> None:
    card = analyze(_conv(SALE), tz="America/New_York")
    lead = card.lead
    assert (lead.name, lead.phone, lead.email) == (
        "Jane Doe",
        "+14155550123",
        "jane.doe@example.com",
    )
    assert lead.need == "500 business cards"
    [promise] = card.commitments
    assert promise.due_at == datetime.fromisoformat("2026-03-13T17:00:00-04:00")


def test_it_fails_the_price_and_hang_up_call() -> None:
    card = analyze(_conv(PRICE_ONLY))
    failed = {m.check for m in card.missed}
    assert {"asked_name", "asked_phone", "discovery_question", "lead_captured"} <= failed
    assert card.check("promotion_mentioned").status == "n/a"
    assert card.check("commitment_dated").status == "n/a"
    assert all(m.tip for m in card.missed)
    assert card.score is not None and card.score < 30


def test_it_weights_the_score_and_leaves_out_not_applicable_checks() -> None:
    def result(status: str, weight: float) -> CheckResult:
        return CheckResult("x", "x", weight, status, (), 1.0, "")  # type: ignore[arg-type]

    assert weighted_score([result("pass", 3), result("fail", 1), result("n/a", 50)]) == 75.0
    assert weighted_score([result("n/a", 1)]) is None


def test_it_uses_a_custom_playbook() -> None:
    playbook = parse_playbook(
        "checks:\n"
        "  - id: hi\n    rule: greeting\n"
        "  - id: one_hop\n    rule: {name: transfers_at_most, max: 0}\n    weight: 3\n"
    )
    turns = (("agent", "Hello! Let me transfer you to billing."), ("customer", "Fine."))
    card = analyze(_conv(turns), playbook)
    assert [(c.id, c.status) for c in card.checks] == [("hi", "pass"), ("one_hop", "fail")]
    assert card.score == 25.0


def test_it_gives_the_documented_jsonl_shape() -> None:
    row = analyze(_conv(SALE), tz="America/New_York").to_dict()
    assert {"id", "score", "checks", "extracted", "identity_asks", "commitments"} <= set(row)
    assert row["checks"]["greeting"] == {
        "status": "pass",
        "evidence": [{"turn": 0, "quote": "Thank you for calling Bright Print, this is Dana."}],
        "confidence": round(calibration.table()["greeting"]["pass"], 2),
    }
    assert row["extracted"]["phones"] == ["+14155550123"]
    assert row["identity_asks"]["name"] == 2
    assert row["commitments"][0]["due_at"] == "2026-03-13T17:00:00-04:00"


def test_it_scores_an_empty_conversation() -> None:
    card = analyze(Conversation("empty", ()))
    assert isinstance(card, Scorecard)
    assert card.score is None
    assert {c.status for c in card.checks} == {"n/a"}


def test_it_handles_a_ten_thousand_turn_conversation() -> None:
    turns = tuple(SALE[i % len(SALE)] for i in range(10_000))
    card = analyze(_conv(turns))
    assert card.turns == 10_000
    assert card.check("no_repeat_identity_ask").status == "fail"
    assert len(card.commitments) == 10_000 // len(SALE)


_speakers = st.sampled_from(["agent", "customer"])
_text = st.text(max_size=300)
_adversarial = st.lists(
    st.sampled_from(["my name is ", "I'll call ", "by ", "Friday ", "5", " ", "oh ", "@", ".", "a",
                     "dot ", "at ", "looking for ", "?", "transfer you ", "http://", "é", "\n"]),
    max_size=400,
).map("".join)  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(_speakers, st.one_of(_text, _adversarial)), max_size=12))
def test_it_always_returns_a_scorecard_for_any_text(turns: list[tuple[str, str]]) -> None:
    card = analyze(_conv(tuple(turns)), promotions=["Spring Sale"], tz="Asia/Tokyo")
    assert isinstance(card, Scorecard)
    assert card.score is None or 0 <= card.score <= 100
    assert len(card.checks) == 11


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=2000))
def test_it_reads_binary_junk_as_a_scorecard_or_a_clear_error(junk: bytes) -> None:
    text = junk.decode("utf-8", errors="replace")
    try:
        conv = conversation_from_dict(
            {"id": "junk", "turns": [{"speaker": "customer", "text": text}]}
        )
    except ConversationError:
        return
    assert isinstance(analyze(conv), Scorecard)


def test_it_imports_no_django() -> None:
    code = (
        "import sys, everytouch.analysis.analyzer, everytouch.analysis.cli; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_clearing_the_text_caches_empties_them() -> None:
    from everytouch.analysis import _asked, signals
    from everytouch.analysis.analyzer import clear_text_caches

    analyze(_conv((("agent", "What is your name, and what seems to be the problem?"),)))
    assert _asked.asked_details.cache_info().currsize > 0
    clear_text_caches()
    assert _asked.asked_details.cache_info().currsize == 0
    assert signals._discovery_in_turn.cache_info().currsize == 0
