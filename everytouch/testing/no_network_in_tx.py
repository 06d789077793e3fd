"""Fail a test whose code makes a network call while it holds a database transaction open.

The rule (docs/architecture.md): HTTP, SMTP and any other outbound call runs after commit, from
a stored outbox row, so a slow or dead receiver can never hold a database lock. This plugin
enforces it for every test: it wraps ``socket.socket.connect`` (every TCP client in Python,
``urllib``, ``smtplib``, ``http.client`` and RQ's Redis client alike, goes through it) and
``socket.getaddrinfo`` (a DNS lookup is a network call too), and checks the calling thread's
database connections.

Only transactions opened by the code under test count: a plain ``django_db`` test runs inside
the atomic blocks Django's TestCase opens (marked ``_from_testcase``), and those are left out.
The violation is raised where it happens and also failed at the end of the test, so code that
catches broad exceptions (a sweep, a retry loop) cannot hide it. A test that provokes one on
purpose reads and clears ``no_network_in_transaction.violations``.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import connections


class NetworkInTransaction(AssertionError):
    """A network call made while a transaction opened by the code under test is open."""


def open_transactions() -> list[str]:
    """Aliases of this thread's connections inside an atomic block the code under test opened."""
    return [
        conn.alias
        for conn in connections.all(initialized_only=True)
        if any(not getattr(block, "_from_testcase", False) for block in conn.atomic_blocks)
    ]


def _is_network(address: Any) -> bool:
    # A Unix socket (a path) is this machine's own IPC, not the network.
    return not isinstance(address, str | bytes)


def _is_lookup(host: Any) -> bool:
    if host is None:
        return False
    name = host.decode() if isinstance(host, bytes) else str(host)
    try:
        ipaddress.ip_address(name.split("%", 1)[0])
    except ValueError:
        return True
    return False  # a literal address is parsed, not looked up


@dataclass
class Guard:
    violations: list[str] = field(default_factory=list)

    def check(self, what: str) -> None:
        aliases = open_transactions()
        if not aliases:
            return
        message = (
            f"{what} while a transaction is open on the {', '.join(aliases)} database: "
            "network calls run after commit, from an outbox row (docs/architecture.md)"
        )
        self.violations.append(message)
        raise NetworkInTransaction(message)


def install(guard: Guard, monkeypatch: pytest.MonkeyPatch) -> None:
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def connect(self: socket.socket, address: Any) -> None:
        if _is_network(address):
            guard.check(f"connect to {address!r}")
        real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        if _is_network(address):
            guard.check(f"connect to {address!r}")
        return real_connect_ex(self, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if _is_lookup(host):
            guard.check(f"DNS lookup of {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.fixture(autouse=True)
def no_network_in_transaction() -> Iterator[Guard]:
    """Every test: a network call inside a transaction the test's code opened fails the test."""
    guard = Guard()
    # A MonkeyPatch of its own: a test's ``monkeypatch.undo()`` must not lift the guard.
    with pytest.MonkeyPatch.context() as patch:
        install(guard, patch)
        yield guard
    if guard.violations:
        pytest.fail("\n".join(guard.violations), pytrace=False)
