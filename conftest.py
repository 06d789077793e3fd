"""The shared cast every view and endpoint is checked against."""

from __future__ import annotations

from typing import Any

import pytest
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
