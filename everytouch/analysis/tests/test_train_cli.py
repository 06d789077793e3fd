"""`everytouch analyze train`, then the trained model as a playbook check, end to end."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from everytouch.analysis.cli import main
from everytouch.analysis.playbook import PlaybookError, load_playbook

OFFERS = [
    "We offer a two year warranty on that model.",
    "It comes with an extended warranty if you like.",
    "Would you like to add the protection plan?",
    "The extended warranty covers parts and labour for three years.",
]
OTHERS = [
    "Thanks for calling Bright Print, how can I help?",
    "What's the best number to reach you?",
    "I'll call you back tomorrow morning.",
    "That one is 500 dollars.",
    "Can I have your name please?",
    "Let me transfer you to billing.",
]


def _conversation(agent: list[str], check: dict[str, Any]) -> dict[str, Any]:
    turns = []
    for text in agent:
        turns += [{"speaker": "customer", "text": "Okay."}, {"speaker": "agent", "text": text}]
    return {"turns": turns, "checks": {"offered_warranty": check}}


def _labels_lines() -> list[str]:
    # A conversation labelled true (evidence: turn 3), one labelled false, and loose examples.
    positive = _conversation(
        [OTHERS[0], OFFERS[0], OTHERS[1]], {"value": True, "evidence": [[3, "We offer"]]}
    )
    negative = _conversation(OTHERS[2:], {"value": False, "evidence": []})
    loose = [{"text": text, "label": True} for text in OFFERS[1:]]
    loose.append({"text": "Is there anything else?", "label": False, "check": "offered_warranty"})
    loose.append({"text": "Would you like a warranty?", "label": True, "check": "other_check"})
    return [json.dumps(row) for row in [positive, negative, *loose]]


@pytest.fixture
def labels(tmp_path: Path) -> Path:
    path = tmp_path / "labels.jsonl"
    path.write_text("\n".join(_labels_lines()) + "\n")
    return path


def _train(labels: Path, capsys: pytest.CaptureFixture[str], *options: str) -> tuple[int, str, str]:
    code = main(["train", "--labels", str(labels), "--check", "offered_warranty", *options])
    out, err = capsys.readouterr()
    return code, out, err


def test_it_trains_from_labelled_conversations_and_examples(
    labels: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = tmp_path / "models" / "warranty.model.json"
    code, out, err = _train(labels, capsys, "--output", str(model))
    assert (code, err) == (0, "")
    # Positives: evidence turn 3 and three loose ones. Negatives: the four agent turns of the
    # false conversation and one loose one; the other turns of the true conversation are unused.
    assert "4 positive and 5 negative example(s)" in out
    assert f"Wrote {model}" in out
    assert f"rule: {{name: classifier, model: {model.as_posix()}}}" in out
    saved = json.loads(model.read_text())
    assert (saved["check"], saved["side"], saved["trained_on"]) == (
        "offered_warranty",
        "agent",
        {"positive": 4, "negative": 5},
    )


def test_it_writes_the_same_file_when_trained_twice(
    labels: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    assert _train(labels, capsys, "--output", str(first))[0] == 0
    assert _train(labels, capsys, "--output", str(second))[0] == 0
    assert first.read_bytes() == second.read_bytes()


def test_it_writes_next_to_where_it_runs_by_default(
    labels: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    assert _train(labels, capsys)[0] == 0
    assert (tmp_path / "offered_warranty.model.json").is_file()


CALLS = [
    {"id": "offered", "turns": [
        {"speaker": "customer", "text": "I'd like the X200 laptop."},
        {"speaker": "agent", "text": "Great choice. What's your name?"},
        {"speaker": "agent", "text": "Would you like the extended warranty with it?"},
    ]},
    {"id": "not-offered", "turns": [
        {"speaker": "customer", "text": "I'd like the X200 laptop."},
        {"speaker": "agent", "text": "Can I have your name please?"},
        {"speaker": "agent", "text": "I'll call you back tomorrow."},
    ]},
]  # fmt: skip


def _analyze(
    folder: Path, playbook: str, capsys: pytest.CaptureFixture[str], *options: str
) -> dict[str, dict[str, Any]]:
    (folder / "team.yaml").write_text(playbook)
    (folder / "calls.jsonl").write_text("".join(json.dumps(c) + "\n" for c in CALLS))
    argv = [str(folder / "calls.jsonl"), "--playbook", str(folder / "team.yaml")]
    code = main([*argv, "--format", "jsonl", *options])
    out, err = capsys.readouterr()
    assert code == 0, err
    return {row["id"]: row["checks"] for row in map(json.loads, out.splitlines())}


def test_it_scores_conversations_with_a_trained_check(
    labels: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _train(labels, capsys, "--output", str(tmp_path / "models" / "w.json.gz"))[0] == 0
    checks = _analyze(
        tmp_path,
        "checks:\n"
        "  - id: offered_warranty\n"
        "    rule: {name: classifier, model: models/w.json.gz}\n"
        "  - id: warranty_when_buying\n"
        "    applies_when: {classifier: {model: models/w.json.gz}}\n"
        "    rule: {name: said, phrases: [extended warranty]}\n",
        capsys,
    )
    offered, missed = checks["offered"], checks["not-offered"]
    assert offered["offered_warranty"]["status"] == "pass"
    assert offered["offered_warranty"]["evidence"] == [
        {"turn": 2, "quote": "Would you like the extended warranty with it?"}
    ]
    assert "threshold 0.5" in offered["offered_warranty"]["note"]
    assert missed["offered_warranty"]["status"] == "fail"
    assert missed["offered_warranty"]["evidence"][0]["turn"] in (1, 2)  # the closest turn
    assert offered["warranty_when_buying"]["status"] == "pass"
    assert missed["warranty_when_buying"]["status"] == "n/a"


def test_it_takes_a_threshold_from_the_playbook_and_runs_in_worker_processes(
    labels: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _train(labels, capsys, "--output", str(tmp_path / "w.json"))[0] == 0
    playbook = "checks:\n  - id: w\n    rule: {name: classifier, model: w.json, threshold: 0.99}\n"
    checks = _analyze(tmp_path, playbook, capsys, "--jobs", "2")
    assert checks["offered"]["w"]["status"] == "fail"
    assert "threshold 0.99" in checks["offered"]["w"]["note"]


@pytest.mark.parametrize(
    ("model", "words"),
    [("missing.json", "No such file"), ("bad.json", "not an Everytouch model")],
)
def test_it_names_the_playbook_line_of_a_model_it_cannot_load(
    tmp_path: Path, model: str, words: str
) -> None:
    (tmp_path / "bad.json").write_text("{}")
    path = tmp_path / "team.yaml"
    path.write_text(
        f"checks:\n  - id: w\n    rule:\n      name: classifier\n      model: {model}\n"
    )
    with pytest.raises(PlaybookError) as info:
        load_playbook(path)
    assert str(info.value).startswith(f"{path}:5: check 'w': model: cannot load the model")
    assert words in str(info.value)


def test_it_refuses_a_bad_json_line_naming_it_and_writes_nothing(
    labels: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = _labels_lines()
    labels.write_text("\n".join([*lines[:2], "", '{"text": "oops", "label": tru}', *lines[2:]]))
    output = tmp_path / "w.json"
    code, out, err = _train(labels, capsys, "--output", str(output))
    assert (code, out) == (2, "")
    assert err.startswith(f"error: {labels}:4: not valid JSON")
    assert not output.exists()


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("[1, 2]", "expected a JSON object, got list"),
        ('{"hello": 1}', 'expected {"text": ..., "label": ...}'),
        ('{"text": "hi", "label": "yes"}', "'label' must be true or false"),
        ('{"text": "", "label": true}', "'text' must be non-empty text"),
        ('{"turns": [{"speaker": "robot", "text": "x"}], "checks": {}}', "speaker must be"),
        ('{"turns": [], "checks": []}', "'checks' must be an object"),
        ('{"turns": [], "checks": {"offered_warranty": {"value": 1}}}', '"value": true|false'),
        ('{"turns": [{"speaker": "agent", "text": "x"}], '
         '"checks": {"offered_warranty": {"value": true, "evidence": [[4, "x"]]}}}',
         "turn 4 is not in the conversation"),
        ('{"turns": [{"speaker": "agent", "text": "x"}], '
         '"checks": {"offered_warranty": {"value": true, "evidence": ["x"]}}}',
         "is not [turn, \"quote\"]"),
    ],
)  # fmt: skip
def test_it_names_the_line_of_each_malformed_label(
    labels: Path, capsys: pytest.CaptureFixture[str], line: str, words: str
) -> None:
    labels.write_text(_labels_lines()[0] + "\n" + line + "\n")
    code, _, err = _train(labels, capsys)
    assert code == 2
    assert err.startswith(f"error: {labels}:2: "), err
    assert words in err, err


def test_it_refuses_a_check_the_file_does_not_label(
    labels: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    labels.write_text("\n".join(_labels_lines()[:2]) + "\n")
    code = main(["train", "--labels", str(labels), "--check", "asked_budget"])
    err = capsys.readouterr().err
    assert code == 2
    assert "no example for check 'asked_budget' (it labels: offered_warranty)" in err


def test_it_refuses_too_few_examples_of_a_class(
    labels: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    labels.write_text(_labels_lines()[0] + "\n" + _labels_lines()[1] + "\n")
    output = tmp_path / "w.json"
    code, _, err = _train(labels, capsys, "--output", str(output))
    assert code == 2
    assert "too few examples: 1 positive, 4 negative (need at least 2 of each)" in err
    assert not output.exists()


def test_it_refuses_a_check_id_a_playbook_could_not_use(
    labels: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["train", "--labels", str(labels), "--check", "Offered Warranty"]) == 2
    assert "use a-z, 0-9 and _" in capsys.readouterr().err


def test_it_needs_the_labels_and_the_check() -> None:
    with pytest.raises(SystemExit) as info:
        main(["train", "--labels", "labels.jsonl"])
    assert info.value.code == 2
