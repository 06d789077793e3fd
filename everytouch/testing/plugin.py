"""The pytest plugin that loads the whole kit; the root conftest.py names it in pytest_plugins."""

from __future__ import annotations

pytest_plugins = [
    "everytouch.testing.cast",
    "everytouch.testing.clock",
    "everytouch.testing.office",
    "everytouch.testing.mail",
    "everytouch.testing.workers",
    "everytouch.testing.browser",
    "everytouch.testing.no_network_in_tx",
]
