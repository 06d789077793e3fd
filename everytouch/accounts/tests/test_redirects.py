"""A posted "next" address is followed only when it stays on this site, and on https."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from everytouch.accounts.redirects import safe_next

FALLBACK = "/my-day/"


@pytest.mark.parametrize(
    ("target", "secure", "expected"),
    [
        ("/leads/?owner=me", False, "/leads/?owner=me"),
        ("/leads/?owner=me", True, "/leads/?owner=me"),
        ("https://testserver/leads/", True, "https://testserver/leads/"),
        ("http://testserver/leads/", False, "http://testserver/leads/"),
        ("http://testserver/leads/", True, FALLBACK),
        ("https://evil.example/", False, FALLBACK),
        ("https://evil.example/", True, FALLBACK),
        ("//evil.example/", False, FALLBACK),
        ("javascript:alert(1)", False, FALLBACK),
        ("", False, FALLBACK),
    ],
)
def test_it_follows_only_a_same_site_next_and_never_downgrades_https(
    target: str, secure: bool, expected: str
) -> None:
    request = RequestFactory().post("/anywhere/", {"next": target}, secure=secure)
    assert safe_next(request, FALLBACK) == expected


def test_it_ignores_a_next_in_the_query_string() -> None:
    # Only the form's own hidden field counts; a link cannot smuggle one in.
    request = RequestFactory().post("/anywhere/?next=/leads/", {})
    assert safe_next(request, FALLBACK) == FALLBACK
