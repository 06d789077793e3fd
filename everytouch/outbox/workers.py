"""Who is working: this process's worker id, its heartbeat, and what a silent worker left behind.

`everytouch worker` starts ``start_heartbeat()``: a thread that touches the process's
``WorkerHeartbeat`` row every ``BEAT_EVERY_S`` seconds. A worker killed mid-job (SIGKILL, out
of memory, a lost machine) stops beating; ``STALE_AFTER`` later every claim it held is stale
(see claims.py) and the sweep hands the work on. Ten minutes of guessing become half a minute of
knowing.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from datetime import datetime, timedelta

from django.db import DatabaseError, connections
from django.utils import timezone

from everytouch.outbox.models import WorkerHeartbeat

logger = logging.getLogger("everytouch.outbox")

BEAT_EVERY_S = 5.0
# Six missed beats: a busy machine or a short database lock does not make a live worker "dead".
STALE_AFTER = timedelta(seconds=30)
# Heartbeat rows of workers gone this long are only history; the sweep removes them.
FORGET_AFTER = timedelta(days=1)

_identity: tuple[int, str] | None = None


def identity() -> str:
    """This process's worker id: host, pid and a random part (a reused pid is another worker).

    Computed again in a forked child (another pid), so a work horse forked per job is a worker
    of its own and never borrows its parent's heartbeat.
    """
    global _identity
    pid = os.getpid()
    if _identity is None or _identity[0] != pid:
        host = socket.gethostname()[:40]
        _identity = (pid, f"{host}:{pid}:{secrets.token_hex(4)}")
    return _identity[1]


def beat(worker_id: str | None = None) -> None:
    """Record that this worker (or ``worker_id``) is alive now."""
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id or identity(),
        defaults={"beat_at": now},
        create_defaults={"started_at": now, "beat_at": now},
    )


def keep_beating(stop: threading.Event, every_s: float = BEAT_EVERY_S) -> None:
    """Beat every ``every_s`` seconds until ``stop`` is set; a failed beat is logged."""
    try:
        while not stop.wait(every_s):
            try:
                beat()
            except DatabaseError:
                # A locked or briefly unreachable database: the next beat is in a few seconds,
                # and only six missed beats in a row make this worker look dead.
                logger.warning("worker heartbeat failed", exc_info=True)
    finally:
        # The thread's own connection; the job's connections belong to the main thread.
        connections.close_all()


def start_heartbeat(every_s: float = BEAT_EVERY_S) -> threading.Event:
    """Beat now, then in a daemon thread for as long as the process lives; set the event to stop.

    The first beat is made here, before any job runs, so no claim of this worker ever lacks a
    heartbeat (and a database that cannot be written stops the worker at start, not later).
    """
    beat()
    stop = threading.Event()
    thread = threading.Thread(
        target=keep_beating, args=(stop, every_s), name="heartbeat", daemon=True
    )
    thread.start()
    return stop


def last_beats(worker_ids: set[str]) -> dict[str, datetime]:
    rows = WorkerHeartbeat.objects.filter(worker_id__in=worker_ids)
    return dict(rows.values_list("worker_id", "beat_at"))


def is_silent(beat_at: datetime, now: datetime) -> bool:
    return beat_at <= now - STALE_AFTER


class WorkerStopped(Exception):
    """Recorded on a task whose worker stopped beating while the task ran."""


def fail_orphaned_tasks() -> int:
    """Mark failed every database-backend task still "running" on a worker that went silent.

    The work itself is redone by the owning app's sweep (a claim of a silent worker is stale);
    this only stops the task list from showing a dead job as running forever. Tasks run by a
    worker without a heartbeat (a plain `manage.py db_worker`) are left alone: nothing says
    whether it is alive.
    """
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    running = list(DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING))
    beats = last_beats({r.worker_ids[-1] for r in running if r.worker_ids})
    now = timezone.now()
    failed = 0
    for result in running:
        worker = result.worker_ids[-1] if result.worker_ids else ""
        if worker in beats and is_silent(beats[worker], now):
            result.set_failed(WorkerStopped(f"worker {worker} stopped while running this task"))
            failed += 1
    return failed


def forget_old_heartbeats() -> int:
    deleted, _ = WorkerHeartbeat.objects.filter(beat_at__lt=timezone.now() - FORGET_AFTER).delete()
    return deleted
