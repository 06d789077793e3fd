"""The shared test kit: the cast, logged-in clients, factories, workers, mail and a browser.

Loaded for every test as a pytest plugin (``pytest_plugins`` in the root conftest.py), so
fixtures such as ``rep``, ``worker``, ``smtp_inbox`` and ``page`` need no import. Plain
helpers (``client_for``, ``bearer``, ``make_customer``...) are imported from here: a test
module never imports from another test module.
"""

from __future__ import annotations

from everytouch.testing.cast import PASSWORD, ROLES, user_for
from everytouch.testing.clients import bearer, client_for, post_json
from everytouch.testing.factories import KNOWN_PHONE, KNOWN_PHONE_TYPED, make_customer
from everytouch.testing.net import free_port

__all__ = [
    "KNOWN_PHONE",
    "KNOWN_PHONE_TYPED",
    "PASSWORD",
    "ROLES",
    "bearer",
    "client_for",
    "free_port",
    "make_customer",
    "post_json",
    "user_for",
]
