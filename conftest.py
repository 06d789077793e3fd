"""The shared cast every view and endpoint is checked against."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User

from everytouch.accounts.actions import create_user
from everytouch.accounts.models import Role

PASSWORD = "correct-horse-battery"


@pytest.fixture
def manager(db: None) -> User:
    return create_user("maria", PASSWORD, Role.MANAGER, first_name="Maria", last_name="Manager")


@pytest.fixture
def rep(db: None) -> User:
    return create_user("ron", PASSWORD, Role.REP, first_name="Ron", last_name="Rep")


@pytest.fixture
def rep2(db: None) -> User:
    return create_user("rita", PASSWORD, Role.REP, first_name="Rita", last_name="Rep")


@pytest.fixture
def trainer(db: None) -> User:
    return create_user("tess", PASSWORD, Role.TRAINER, first_name="Tess", last_name="Trainer")


@pytest.fixture
def outsider(db: None) -> User:
    return create_user("oscar", PASSWORD, None, first_name="Oscar", last_name="Outsider")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    # The real hasher is slow by design; tests log users in hundreds of times.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def next_tuesday_10am(now: datetime) -> datetime:
    days_ahead = (1 - now.weekday()) % 7 or 7
    return (now + timedelta(days=days_ahead)).replace(hour=10, minute=0, second=0, microsecond=0)


@pytest.fixture(autouse=True)
def _office_hours() -> Iterator[None]:
    # Availability and routing depend on working hours; without this a test passes at 11:00
    # and fails at 18:00. Every test starts at 10:00 on a Tuesday (UTC, the default business
    # time zone) in the near future, with the clock running; tests that need another moment
    # travel again inside this one.
    with time_machine.travel(next_tuesday_10am(datetime.now(UTC)), tick=True):
        yield
