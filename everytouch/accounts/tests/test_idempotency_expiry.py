"""Stored idempotency answers expire: a reused old key creates anew, and the sweep deletes them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.utils import timezone

from everytouch import sweeps
from everytouch.accounts.idempotency import delete_expired
from everytouch.accounts.models import IdempotencyKey
from everytouch.customers.models import Customer
from everytouch.testing import bearer, post_json

pytestmark = pytest.mark.django_db

KEY = {"Idempotency-Key": "retry-1"}


def _create(user: User, phone: str) -> int:
    answer = post_json(bearer(user), "/api/v1/customers", {"phones": [phone]}, **KEY)
    assert answer.status_code == 201, answer.content
    return int(answer.json()["id"])


def test_it_replays_a_key_within_its_lifetime(rep: User) -> None:
    first = _create(rep, "+13315550119")
    with time_machine.travel(timezone.now() + timedelta(hours=23), tick=False):
        assert _create(rep, "+13315550119") == first
    assert Customer.objects.count() == 1


def test_it_creates_anew_for_a_key_reused_after_it_expired(rep: User) -> None:
    first = _create(rep, "+13315550119")
    with time_machine.travel(timezone.now() + timedelta(hours=25), tick=False):
        # Another body under the old key is no conflict any more: the key is new again.
        second = _create(rep, "+13315550120")
    assert second != first
    assert IdempotencyKey.objects.count() == 1


def test_it_honours_the_configured_lifetime(rep: User, settings: Any) -> None:
    settings.EVERYTOUCH_IDEMPOTENCY_TTL_HOURS = 2
    first = _create(rep, "+13315550119")
    with time_machine.travel(timezone.now() + timedelta(hours=3), tick=False):
        assert _create(rep, "+13315550120") != first


def test_it_deletes_expired_answers_in_the_sweep(rep: User) -> None:
    _create(rep, "+13315550119")
    with time_machine.travel(timezone.now() + timedelta(hours=12), tick=False):
        post_json(
            bearer(rep),
            "/api/v1/customers",
            {"phones": ["+13315550121"]},
            **{"Idempotency-Key": "k2"},
        )
    with time_machine.travel(timezone.now() + timedelta(hours=30), tick=False):
        assert "expired idempotency keys" in sweeps.names()
        assert sweeps.run_all()["expired idempotency keys"] == 1
        assert delete_expired() == 0
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["k2"]
