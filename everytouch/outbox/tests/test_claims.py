"""Claims on outbound work: one live claim per piece of work, taken over only from the silent."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import transaction

from everytouch.outbox import claims, workers
from everytouch.outbox.models import Claim, WorkerHeartbeat

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOON, tick=False) as traveller:
        yield traveller


def take(key: str = "7") -> str | None:
    with transaction.atomic():
        return claims.take("test", key)


def held_by(worker_id: str, at: datetime, key: str = "7") -> None:
    Claim.objects.create(kind="test", key=key, token="t", worker_id=worker_id, claimed_at=at)


def test_it_gives_one_claim_and_refuses_a_second_while_the_first_is_live(clock: object) -> None:
    workers.beat()
    token = take()
    assert token is not None
    assert take() is None
    assert Claim.objects.get().worker_id == workers.identity()


def test_it_releases_only_with_the_claims_own_token(clock: object) -> None:
    token = take()
    assert token is not None
    assert not claims.release("test", "7", "someone else's")
    assert claims.release("test", "7", token)
    assert not claims.release("test", "7", token)
    assert take() is not None


def test_it_takes_over_a_claim_once_its_workers_heartbeat_is_half_a_minute_old(
    clock: time_machine.Traveller,
) -> None:
    workers.beat("dead-worker")
    held_by("dead-worker", NOON)
    clock.shift(workers.STALE_AFTER - timedelta(seconds=1))
    assert claims.stale("test") == []
    assert take() is None
    clock.shift(timedelta(seconds=1))
    assert claims.stale("test") == ["7"]
    token = take()
    assert token is not None
    assert Claim.objects.get().token == token


def test_it_keeps_the_claim_of_a_worker_that_is_still_beating(
    clock: time_machine.Traveller,
) -> None:
    held_by("busy-worker", NOON)
    for _ in range(10):
        clock.shift(timedelta(seconds=5))
        workers.beat("busy-worker")
    assert claims.stale("test") == []
    assert take() is None


def test_it_lets_a_claim_without_a_heartbeat_run_for_its_lease(
    clock: time_machine.Traveller,
) -> None:
    held_by("one-off-command", NOON)
    clock.shift(claims.UNWATCHED_LEASE - timedelta(seconds=1))
    assert claims.stale("test") == []
    clock.shift(timedelta(seconds=1))
    assert claims.stale("test") == ["7"]


def test_it_gives_up_a_claim_stuck_for_longer_than_any_send_may_take(
    clock: time_machine.Traveller,
) -> None:
    held_by("stuck-worker", NOON)
    clock.shift(claims.LONGEST)
    workers.beat("stuck-worker")
    assert claims.stale("test") == ["7"]


def test_it_drops_a_claim_only_while_it_is_stale(clock: time_machine.Traveller) -> None:
    workers.beat("dead-worker")
    held_by("dead-worker", NOON)
    with transaction.atomic():
        assert not claims.drop_if_stale("test", "7")
    clock.shift(workers.STALE_AFTER)
    with transaction.atomic():
        assert claims.drop_if_stale("test", "7")
    assert not Claim.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_it_refuses_to_take_a_claim_outside_a_transaction() -> None:
    with pytest.raises(RuntimeError, match="inside the transaction"):
        claims.take("test", "7")


def test_it_records_one_heartbeat_row_per_worker(clock: time_machine.Traveller) -> None:
    workers.beat()
    clock.shift(timedelta(seconds=5))
    workers.beat()
    beat = WorkerHeartbeat.objects.get()
    assert (beat.worker_id, beat.started_at, beat.beat_at) == (
        workers.identity(),
        NOON,
        NOON + timedelta(seconds=5),
    )
