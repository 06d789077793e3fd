"""Every URL pattern of the root urlconf, for the checks that must cover each one."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

# Django's own admin is not ours to check.
EXCLUDED_PREFIXES = ("admin/",)


@dataclass(frozen=True)
class Pattern:
    key: str  # the URL name, with its namespace ("api-v1:list_leads")
    route: str


def _walk(patterns: list[Any], prefix: str, namespace: str) -> Iterator[Pattern]:
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            route = prefix + str(p.pattern)
            yield Pattern(f"{namespace}{p.name}" if p.name else route, route)


def all_patterns() -> dict[str, Pattern]:
    """Every pattern by URL name (the route when it has none), admin left out."""
    found = _walk(get_resolver().url_patterns, "", "")
    return {p.key: p for p in found if not p.route.startswith(EXCLUDED_PREFIXES)}
