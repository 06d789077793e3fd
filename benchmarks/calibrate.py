"""Build everytouch/analysis/data/calibration.json from the TUNE split; measure it on TEST.

    python -m benchmarks.calibrate            # rebuild the table (tune split), then report
    python -m benchmarks.calibrate --check    # only report the reliability on the test split

For every check of the default playbook whose result a hand label can judge, each labelled
conversation gives one (status, agreed?) pair: the rule is run whatever its `applies_when`, so
a phone check is judged on every conversation, not only buying ones. The confidence of a
status is the share of tune pairs that agreed, with one agreement and one disagreement added
(Laplace) so a rare status is not reported as certain. The report prints, per check and
status, the test pairs, their mean confidence and how often they were right, and the expected
calibration error (ECE: the pair-weighted gap between confidence and accuracy).
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from benchmarks.corpora import Split, conversations
from benchmarks.labelled import Labelled, read_labels
from everytouch.analysis.analyzer import run_analysis
from everytouch.analysis.calibration import TABLE, calibrated, table
from everytouch.analysis.playbook import default_playbook
from everytouch.analysis.playbook_rules import RULES

Truth = Callable[[Labelled], bool | None]


def _label(name: str) -> Truth:
    return lambda row: row.checks[name]


def _asked_or_given(check: str, field: str) -> Truth:
    # asked_detail passes when the agent asked or the customer gave it unasked.
    return lambda row: bool(row.checks[check]) or bool(row.fields[field])


def _no_repeat(row: Labelled) -> bool | None:
    repeated = row.checks["repeated_identity_ask"]
    return None if repeated is None else not repeated


def _at_most_one_move(row: Labelled) -> bool | None:
    # Labels say whether there was a transfer and whether a redirect, not how many: two kinds
    # is more than one; one kind is taken as one.
    if row.checks["transfer"] is None:
        return None
    return not (row.checks["transfer"] and row.checks["redirect"])


def _lead(row: Labelled) -> bool:
    return bool(row.fields["names"]) and bool(row.fields["phones"] or row.fields["emails"])


TRUTH: dict[str, Truth] = {
    "greeting": _label("greeting"),
    "asked_detail:name": _asked_or_given("asked_name", "names"),
    "asked_detail:phone": _asked_or_given("asked_phone", "phones"),
    "asked_detail:email": _asked_or_given("asked_email", "emails"),
    "discovery_question": _label("discovery_question"),
    "next_step": _label("next_step"),
    "no_repeat_identity_ask": _no_repeat,
    "transfers_at_most": _at_most_one_move,
    "lead_captured": _lead,
}


@dataclass(frozen=True, slots=True)
class Pair:
    key: str
    status: str
    agreed: bool
    confidence: float


def pairs(split: Split) -> Iterator[Pair]:
    checks = default_playbook().checks
    for row in read_labels():
        if row.split != split:
            continue
        analysis = run_analysis(conversations(row.source)[row.id])
        for check in checks:
            spec = RULES[check.rule]
            key = check.calibration_key
            truth = TRUTH[key](row) if key in TRUTH else None
            result = spec.fn(analysis, check.params)
            if key is None or truth is None or result.status == "n/a":
                continue
            confidence = calibrated(key, result.status, result.confidence)
            yield Pair(key, result.status, (result.status == "pass") == truth, confidence)


def build() -> dict[str, dict[str, float]]:
    counts: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for pair in pairs("tune"):
        tally = counts[pair.key][pair.status]
        tally[0] += pair.agreed
        tally[1] += 1
    return {
        key: {status: round((agreed + 1) / (n + 2), 3) for status, (agreed, n) in sorted(s.items())}
        for key, s in sorted(counts.items())
    }


def ece(items: list[Pair]) -> float:
    """Pair-weighted |confidence - accuracy| over the distinct confidence values."""
    groups: dict[float, list[Pair]] = defaultdict(list)
    for pair in items:
        groups[pair.confidence].append(pair)
    gap = sum(abs(c * len(g) - sum(p.agreed for p in g)) for c, g in groups.items())
    return gap / len(items) if items else 0.0


def report(split: Split = "test") -> Iterator[str]:
    by_key: dict[str, list[Pair]] = defaultdict(list)
    for pair in pairs(split):
        by_key[pair.key].append(pair)
    yield f"\n## Confidence reliability ({split} split)\n"
    yield "| check rule | status | pairs | mean confidence | right | ECE of the rule |"
    yield "| --- | --- | --- | --- | --- | --- |"
    everything: list[Pair] = []
    for key, items in sorted(by_key.items()):
        everything += items
        for status in ("pass", "fail"):
            group = [p for p in items if p.status == status]
            if group:
                mean = sum(p.confidence for p in group) / len(group)
                right = sum(p.agreed for p in group) / len(group)
                yield (
                    f"| {key} | {status} | {len(group)} | {mean:.3f} | {right:.3f} | "
                    f"{ece(items):.3f} |"
                )
    yield f"\nECE over all {len(everything)} pairs: {ece(everything):.3f}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.calibrate", description=__doc__)
    parser.add_argument("--check", action="store_true", help="report only; do not rebuild")
    args = parser.parse_args(argv)
    if not args.check:
        TABLE.write_text(json.dumps(build(), indent=1) + "\n", encoding="utf-8")
        table.cache_clear()  # report with the table just written
        print(f"wrote {TABLE}")
    print("\n".join(report("test")))


if __name__ == "__main__":
    main()
