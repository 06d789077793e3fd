"""Tests that read ../shared/data: CI has it, so there a missing folder fails the run;
elsewhere the test skips with the reason."""

from __future__ import annotations

import os

import pytest

from benchmarks.corpora import DATA


def need_public_data() -> None:
    if DATA.is_dir():
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{DATA} is missing in CI: the tests that read it must run")
    pytest.skip(f"no public data at {DATA}")
