"""Project-wide guards that no single feature test would notice."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from everytouch import ownership


@pytest.mark.django_db
def test_it_has_a_migration_for_every_model_change() -> None:
    # A model edited without a migration works in tests (tables are built from migrations,
    # so it would not) and breaks on deploy; this catches it first.
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_it_registers_every_owned_model() -> None:
    labels = {k.label for k in ownership.kinds()}
    assert {"customer", "message", "lead", "commitment"} <= labels
