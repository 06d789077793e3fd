"""Small registries that let a lower app tell higher ones that something happened.

Imports run down the layers only (docs/architecture.md): interactions may not import leads, and
leads may not import followups. So a lower app declares a hook (``interaction_logged``,
``lead_won``) and fires it from its action; a higher app connects a receiver in its
``ready()``. Receivers run inside the firing action's transaction, in the order connected: they
must be quick, and defer background or network work with ``transaction.on_commit``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, ParamSpec

P = ParamSpec("P")


class Hook(Generic[P]):
    def __init__(self, name: str) -> None:
        self.name = name
        # What a receiver returns is ignored.
        self._receivers: dict[str, Callable[P, object]] = {}

    def connect(self, receiver: Callable[P, object]) -> None:
        # Keyed by qualified name, so a ready() that runs twice does not connect twice.
        self._receivers[f"{receiver.__module__}.{receiver.__qualname__}"] = receiver

    def receivers(self) -> list[Callable[P, object]]:
        return list(self._receivers.values())

    def fire(self, *args: P.args, **kwargs: P.kwargs) -> None:
        for receiver in self.receivers():
            receiver(*args, **kwargs)
