from __future__ import annotations

from everytouch.followups.actions import start_cadence
from everytouch.hooks import Hook
from everytouch.interactions.hooks import interaction_logged
from everytouch.leads.hooks import lead_won
from everytouch.leads.tasks import capture_later


def _record(seen: list[tuple[int, str]], n: int, word: str) -> None:
    seen.append((n, word))


def test_it_calls_each_receiver_once_with_the_arguments() -> None:
    seen: list[tuple[int, str]] = []
    hook: Hook[[int, str]] = Hook("test")

    def receiver(n: int, word: str) -> None:
        _record(seen, n, word)

    hook.connect(receiver)
    hook.connect(receiver)  # a ready() that runs twice
    hook.fire(3, "three")
    assert seen == [(3, "three")]


def test_it_wires_higher_apps_to_the_hooks_of_lower_ones() -> None:
    assert capture_later in interaction_logged.receivers()
    assert start_cadence in lead_won.receivers()
