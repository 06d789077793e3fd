"""Safety nets that re-run whatever a lost background job left undone.

Jobs are scheduled when something happens (a message taken, a lead created); if a job is lost
(a worker killed, a queue flushed), its sweep finds the work by looking at the data and does it
once. Apps register their sweeps in ``ready()``; ``everytouch sweep`` runs them all.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

logger = logging.getLogger("everytouch.sweeps")

_sweeps: dict[str, Callable[[], int]] = {}


def register(name: str, sweep: Callable[[], int]) -> None:
    _sweeps[name] = sweep


def names() -> list[str]:
    return sorted(_sweeps)


def run_all() -> dict[str, int]:
    """Run every sweep; one that fails is logged and the others still run."""
    done: dict[str, int] = {}
    for name in names():
        try:
            done[name] = _sweeps[name]()
        except Exception:
            # A sweep is a safety net: one broken net must not take the others down.
            logger.exception("sweep %s failed", name)
            done[name] = -1
    return done
