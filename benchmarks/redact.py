"""How often card redaction changes text that holds no card, and how many cards it finds.

Every turn of the public conversation sets (benchmarks/corpora.py, all splits) and the EVI
spoken turns go through the card detector before this change (the one-line regex, kept below)
and after it (`redact_turns`, one conversation at a time, so numbers split across turns count).
None of these sets holds a real card number, so every changed turn is a false positive
unless reading it says otherwise; `--show` prints them. The Presidio synthetic sentences carry
labelled CREDIT_CARD spans: the recall on those that are 13-19 digits and pass Luhn, and the
changed sentences without such a span.

    python -m benchmarks.redact [--show 20]
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from benchmarks.corpora import DATA, SOURCES, conversations
from everytouch.analysis.redact import luhn_valid, redact_turns

_BEFORE = re.compile(r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])")


def before(text: str) -> str:
    """The detector as it was: 13-19 digits grouped by single spaces or dashes, Luhn-valid."""

    def replace(match: re.Match[str]) -> str:
        digits = re.sub(r"\D", "", match.group())
        if not luhn_valid(digits) or len(set(digits)) == 1:
            return match.group()
        return f"[card ending {digits[-4:]}]"

    return _BEFORE.sub(replace, text)


@dataclass
class Count:
    strings: int = 0
    before: int = 0
    after: int = 0
    seconds: float = 0.0


def _evi_dialogues() -> Iterator[list[str]]:
    with (DATA / "evi" / "dialogues.en.tsv").open(encoding="utf-8") as handle:
        turns: dict[str, list[str]] = {}
        for row in csv.DictReader(handle, delimiter="\t"):
            turns.setdefault(row["dialogue_id"], []).append(row["transcription"])
    yield from turns.values()


def _dialogues() -> Iterator[tuple[str, list[str]]]:
    for source in SOURCES:
        for conv in conversations(source).values():
            yield source, [t.text for t in conv.turns]
    for texts in _evi_dialogues():
        yield "evi", texts


def _measure(show: int, print_: Callable[[str], None]) -> dict[str, Count]:
    counts: dict[str, Count] = {}
    shown = 0
    for source, texts in _dialogues():
        count = counts.setdefault(source, Count())
        started = time.perf_counter()
        after = redact_turns(texts)
        count.seconds += time.perf_counter() - started
        for text, new in zip(texts, after, strict=True):
            count.strings += 1
            count.before += before(text) != text
            if new != text:
                count.after += 1
                if shown < show:
                    print_(f"  {source}: {text!r}\n      -> {new!r}")
                    shown += 1
    return counts


def _presidio(print_: Callable[[str], None]) -> None:
    rows = json.loads((DATA / "presidio_synth" / "synth_dataset_v2.json").read_text())
    for name, redact in (("before", before), ("after", _after)):
        cards = found = clean = false = 0
        for row in rows:
            text = row["full_text"]
            kinds = [s["entity_type"] for s in row["spans"]]
            real = [
                text[s["start_position"] : s["end_position"]]
                for s in row["spans"]
                if s["entity_type"] == "CREDIT_CARD"
                and _is_card(text[s["start_position"] : s["end_position"]])
            ]
            new = redact(text)
            cards += len(real)
            found += sum(re.sub(r"\D", "", s) not in re.sub(r"\D", "", new) for s in real)
            if "CREDIT_CARD" not in kinds:
                clean += 1
                false += new != text
        print_(
            f"presidio_synth {name:6}: {found}/{cards} labelled Luhn-valid cards redacted, "
            f"{false}/{clean} sentences without a card changed"
        )


def _after(text: str) -> str:
    return redact_turns([text])[0]


def _is_card(span: str) -> bool:
    digits = re.sub(r"\D", "", span)
    return 13 <= len(digits) <= 19 and luhn_valid(digits)


def _line(source: str, count: Count) -> None:
    changed = f"changed before {count.before:3}  after {count.after:3}"
    speed = f"{count.seconds * 1e6 / max(count.strings, 1):5.1f} µs a turn"
    print(f"{source:10} {count.strings:7} turns  {changed}  {speed}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--show", type=int, default=0, help="print this many changed turns")
    args = parser.parse_args(argv)
    counts = _measure(args.show, print)
    total = Count()
    for source, count in counts.items():
        _line(source, count)
        total.strings += count.strings
        total.before += count.before
        total.after += count.after
        total.seconds += count.seconds
    _line("all", total)
    _presidio(print)


if __name__ == "__main__":
    main()
