"""Idempotency keys: a client that retries a create with the same key gets the first answer again.

A phone system that times out and retries must never create a second customer or a second call.
The stored answer is written in the same transaction as what it describes, and the unique
constraint on (user, endpoint, key) decides the race between two simultaneous retries: the loser
rolls back everything it did and replays the winner's answer.

Only successful answers are stored. A refused request (invalid phone, conflict) created nothing,
so retrying it simply runs it again.

Stored answers expire after ``EVERYTOUCH_IDEMPOTENCY_TTL_HOURS``: they are copies of customers'
data, kept only as long as a client could sensibly retry. An expired key is a new key (the
request runs again), and the sweep deletes expired rows.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from everytouch.accounts.models import IdempotencyKey

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200

Answer = tuple[int, dict[str, Any]]


class IdempotencyError(ValueError):
    """A key that cannot be honoured; ``status`` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int) -> None:
        self.status = status
        super().__init__(message)


def fingerprint(payload: Mapping[str, Any]) -> str:
    """A hash of what was asked, independent of key order and whitespace in the JSON."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def clean_key(raw: str | None) -> str | None:
    if raw is None:
        return None
    key = raw.strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise IdempotencyError(f"{HEADER} must be 1 to {MAX_KEY_LENGTH} characters", 400)
    return key


def ttl() -> timedelta:
    return timedelta(hours=settings.EVERYTOUCH_IDEMPOTENCY_TTL_HOURS)


def expiry_cutoff(now: datetime | None = None) -> datetime:
    """Answers stored before this moment have expired."""
    return (now or timezone.now()) - ttl()


def delete_expired() -> int:
    """The sweep: delete every expired stored answer; returns how many."""
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=expiry_cutoff()).delete()
    return deleted


def stored_answer(user: User, endpoint: str, key: str, request_hash: str) -> Answer | None:
    rows = IdempotencyKey.objects.filter(user=user, endpoint=endpoint, key=key)
    # An expired answer is gone even if the sweep has not run yet: the key starts afresh.
    rows.filter(created_at__lt=expiry_cutoff()).delete()
    row = rows.first()
    if row is None:
        return None
    if row.request_hash != request_hash:
        raise IdempotencyError(
            f"{HEADER} {key!r} was already used for a different request to {endpoint}; "
            "use a new key for a new request",
            422,
        )
    return row.status_code, row.response


def _create_and_store(
    user: User, endpoint: str, key: str, request_hash: str, create: Callable[[], Answer]
) -> Answer:
    with transaction.atomic():
        status, body = create()
        if 200 <= status < 300:
            IdempotencyKey.objects.create(
                user=user,
                endpoint=endpoint,
                key=key,
                request_hash=request_hash,
                status_code=status,
                response=body,
            )
    return status, body


def run_once(
    user: User,
    endpoint: str,
    raw_key: str | None,
    payload: Mapping[str, Any],
    create: Callable[[], Answer],
) -> Answer:
    """Run ``create`` (in a transaction) unless this key already has an answer; return it."""
    key = clean_key(raw_key)
    if key is None:
        with transaction.atomic():
            return create()
    request_hash = fingerprint(payload)
    answer = stored_answer(user, endpoint, key, request_hash)
    if answer is not None:
        return answer
    try:
        return _create_and_store(user, endpoint, key, request_hash, create)
    except IntegrityError:
        # Either a simultaneous retry stored its answer first (replay it) or the creation
        # itself hit a constraint, in which case there is nothing to replay.
        answer = stored_answer(user, endpoint, key, request_hash)
        if answer is None:
            raise
        return answer
