"""The cast every view and endpoint is checked against: one user per role, and one without.

``outsider`` is the user without a role (no profile): logged in, sees nothing. There is no
other kind of role-less user, so it also plays "no role".
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User

from everytouch.accounts.actions import create_user
from everytouch.accounts.models import Role

PASSWORD = "correct-horse-battery"  # noqa: S105 - the cast's password, for test logins only
# Fixture names of the cast, most powerful first; None is the anonymous visitor.
ROLES: tuple[str | None, ...] = ("owner", "manager", "rep", "trainer", "outsider", None)


@pytest.fixture
def owner(db: None) -> User:
    return create_user("otto", PASSWORD, Role.OWNER, first_name="Otto", last_name="Owner")


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


def user_for(request: pytest.FixtureRequest, role: str | None) -> User | None:
    """The cast member a parametrised test names (``"rep"``), or None for anonymous."""
    return None if role is None else request.getfixturevalue(role)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    # The real hasher is slow by design; tests log users in hundreds of times.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
