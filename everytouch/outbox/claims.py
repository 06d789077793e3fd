"""Claims on outbound work: taken before a network call, released after it, never held across it.

The protocol every sender follows (webhooks.py, staff/tasks.py):

1. In a short transaction, lock the outbox row, check the work is still to do, and ``take`` a
   claim. Commit. A second job for the same work finds a live claim and does nothing.
2. Make the network call with no transaction open, so a slow receiver holds no database lock.
3. In a second short transaction, ``release`` the claim and record the result. ``release`` says
   whether the claim was still ours: if a sweep took it over meanwhile, whoever holds it now
   records its own attempt.

A claim is stale, and may be taken over, when its worker's heartbeat is older than
``workers.STALE_AFTER``; a claim by a process that keeps no heartbeat (a one-off command, a
forked work horse) when it is older than ``UNWATCHED_LEASE``; any claim after ``LONGEST``.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from everytouch.outbox import workers
from everytouch.outbox.models import Claim

# Longer than any one send may take (webhooks time out after 10 s, SMTP after 30 s), so only a
# dead process's claim runs out.
UNWATCHED_LEASE = timedelta(minutes=5)
# A worker that still beats but has been stuck on one send this long (a receiver trickling one
# byte at a time past every timeout) gives the work up.
LONGEST = timedelta(minutes=15)


def is_stale(claim: Claim, beats: dict[str, datetime], now: datetime) -> bool:
    age = now - claim.claimed_at
    if age >= LONGEST:
        return True
    beat_at = beats.get(claim.worker_id)
    if beat_at is None:
        return age >= UNWATCHED_LEASE
    return age >= workers.STALE_AFTER and workers.is_silent(beat_at, now)


def take(kind: str, key: object) -> str | None:
    """Claim (kind, key) for this process; its token, or None while another live claim holds it.

    Call it inside the transaction that locks the outbox row, so two claimers queue up there.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("take a claim inside the transaction that locks the outbox row")
    now = timezone.now()
    held = Claim.objects.select_for_update().filter(kind=kind, key=str(key)).first()
    if held is not None and not is_stale(held, workers.last_beats({held.worker_id}), now):
        return None
    token = secrets.token_hex(16)
    Claim.objects.update_or_create(
        kind=kind,
        key=str(key),
        defaults={"token": token, "worker_id": workers.identity(), "claimed_at": now},
    )
    return token


def release(kind: str, key: object, token: str) -> bool:
    """Drop our claim; False when it is no longer ours (a sweep took it over)."""
    deleted, _ = Claim.objects.filter(kind=kind, key=str(key), token=token).delete()
    return deleted > 0


def stale(kind: str) -> list[str]:
    """Keys of this kind whose claim is stale now: work a silent worker left half done."""
    held = list(Claim.objects.filter(kind=kind))
    beats = workers.last_beats({c.worker_id for c in held})
    now = timezone.now()
    return [c.key for c in held if is_stale(c, beats, now)]


def drop_if_stale(kind: str, key: object) -> bool:
    """Inside the caller's transaction: remove the claim if it is (still) stale; True if so."""
    held = Claim.objects.select_for_update().filter(kind=kind, key=str(key)).first()
    if held is None or not is_stale(held, workers.last_beats({held.worker_id}), timezone.now()):
        return False
    held.delete()
    return True


def held(kind: str) -> list[str]:
    """Keys of this kind claimed right now, stale or not."""
    return list(Claim.objects.filter(kind=kind).values_list("key", flat=True))
