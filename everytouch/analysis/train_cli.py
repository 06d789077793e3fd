"""`everytouch analyze train`: learn a classifier check from labelled examples.

Reads a labels file (see labels.py), trains a model (see learned.py), writes it, and says how
to use it from a playbook. Exit codes as for `everytouch analyze`: 2 for a bad option or a bad
labels file, in which case nothing is written.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from everytouch.analysis.labels import Labels, LabelsError, read_labels
from everytouch.analysis.learned import LinearModel, ModelError, train
from everytouch.analysis.playbook import CHECK_ID

EXIT_OK, EXIT_USAGE = 0, 2


class _Refused(Exception):
    """Why nothing was trained; printed as `error: ...` with exit code 2."""


def add_train_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `everytouch analyze train`."""
    parser.add_argument("--labels", type=Path, required=True, metavar="FILE", help="JSONL labels")
    parser.add_argument("--check", required=True, metavar="ID", help="the check id to learn")
    parser.add_argument(
        "--side", choices=("agent", "customer"), default="agent", help="whose turns to learn from"
    )
    parser.add_argument(
        "--output", type=Path, metavar="MODEL", help="where to write (default: ID.model.json)"
    )


def run_train(args: argparse.Namespace) -> int:
    """Train and write one model; 0 on success, 2 (and nothing written) on any problem."""
    try:
        if not CHECK_ID.fullmatch(args.check):
            raise _Refused(f"--check {args.check!r}: use a-z, 0-9 and _ (as in the playbook)")
        labels = _labels(args)
        model = _train(labels, args)
        output = args.output or Path(f"{args.check}.model.json")
        _save(model, output)
    except _Refused as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    _report(labels, model, output, args)
    return EXIT_OK


def _labels(args: argparse.Namespace) -> Labels:
    try:
        labels = read_labels(args.labels, args.check, args.side)
    except LabelsError as exc:
        raise _Refused(str(exc)) from exc
    if not labels.examples and args.check not in labels.checks:
        known = f" (it labels: {', '.join(sorted(labels.checks))})" if labels.checks else ""
        raise _Refused(f"{args.labels}: no example for check {args.check!r}{known}")
    return labels


def _train(labels: Labels, args: argparse.Namespace) -> LinearModel:
    try:
        return train(labels.examples, check=args.check, side=args.side)
    except ModelError as exc:
        raise _Refused(f"check {args.check!r}, {args.side} turns: {exc}") from exc


def _save(model: LinearModel, output: Path) -> None:
    try:
        model.save(output)
    except OSError as exc:
        raise _Refused(f"--output: cannot write {output}: {exc.strerror}") from exc


def _report(labels: Labels, model: LinearModel, output: Path, args: argparse.Namespace) -> None:
    print(
        f"Check {args.check!r}, {args.side} turns: {labels.positives} positive and "
        f"{labels.negatives} negative example(s) from {args.labels}."
    )
    for reason, count in sorted(labels.left_out.items()):
        print(f"Left out: {count} {reason}.")
    size = output.stat().st_size
    print(f"Wrote {output} ({len(model.weights)} features, {size / 1024:.1f} KiB).")
    print("Use it in a playbook (the model path is relative to the playbook's folder):")
    print(f"  - id: {args.check}\n    rule: {{name: classifier, model: {output.as_posix()}}}")


def build_train_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="everytouch analyze train",
        description="Train a classifier check from labelled examples.",
    )
    add_train_arguments(parser)
    return parser


def main(argv: list[str]) -> int:
    return run_train(build_train_parser().parse_args(argv))
