"""The RQ worker `everytouch worker` runs: RQ's non-forking worker, with connections tidied.

RQ's default worker forks a work horse for every job, and the fork (a whole Django process, new
database and Redis connections) costs more CPU than our jobs do: six to eight times the CPU per
scorecard of the database backend (docs/benchmarks.md). Running each job in the worker process
itself is safe for our jobs because it is what the database backend's `db_worker` already does
with every one of them: a job re-reads and locks its rows, keeps nothing between runs but
bounded caches, and may run twice.

What the fork gave for free and this keeps: a job never inherits a broken or stale database
connection. Before and after every job, connections that are unusable, past CONN_MAX_AGE or left
outside autocommit are closed, as Django does around every request. RQ's job timeout still
applies (SIGALRM in this process, as in a horse). What it does not keep: a job that kills the
interpreter stops the worker, not just a horse; the process supervisor restarts it and the
sweep redoes the lost job. `everytouch worker --worker-class rq.Worker` forks again.
"""

from __future__ import annotations

from typing import Any

from django.db import connections
from rq import SimpleWorker

PATH = "everytouch.cli.rq_worker.Worker"


def tidy_connections() -> None:
    """Django's ``close_old_connections``, except inside a transaction.

    A real worker is never inside one between jobs; a test that runs the worker in its own
    transaction is, and closing there would throw the test's data away.
    """
    for conn in connections.all(initialized_only=True):
        if not conn.in_atomic_block:
            conn.close_if_unusable_or_obsolete()


class Worker(SimpleWorker):
    """RQ's ``SimpleWorker`` (no fork per job) with connections tidied around each job."""

    def execute_job(self, job: Any, queue: Any) -> None:
        tidy_connections()
        try:
            super().execute_job(job, queue)
        finally:
            tidy_connections()
