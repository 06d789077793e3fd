"""The token lane: a cookieless API call with a token skips the middleware that only acts on
cookies, and keeps every guard a response has; anything else goes the whole way."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client, override_settings

from everytouch.middleware import JSON_POLICY
from everytouch.testing import PASSWORD, bearer

pytestmark = pytest.mark.django_db
IDENTIFY = "/api/v1/identify"
QUERY = {"q": "201-555-0123"}
# What must guard every response, in either chain.
GUARDS = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "everytouch.middleware.ContentSecurityPolicy",
    "everytouch.middleware.JsonApiErrors",
]


def test_the_lane_is_first_and_an_ordered_part_of_the_whole_chain() -> None:
    assert settings.MIDDLEWARE[0] == "everytouch.middleware.ApiTokenLane"
    whole = iter(settings.MIDDLEWARE)
    assert all(path in whole for path in settings.API_TOKEN_MIDDLEWARE), "same order as MIDDLEWARE"
    assert set(GUARDS) <= set(settings.API_TOKEN_MIDDLEWARE)


def test_a_token_call_carries_the_safe_headers_and_no_cookie(rep: User) -> None:
    response = bearer(rep).get(IDENTIFY, QUERY)
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"] == JSON_POLICY
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert not response.cookies
    # Nothing read the session (which would make the answer vary by cookie).
    assert "Cookie" not in response.headers.get("Vary", "")


def test_a_session_call_varies_by_cookie(rep: User) -> None:
    client = Client()
    assert client.login(username="ron", password=PASSWORD)
    assert "Cookie" in client.get(IDENTIFY, QUERY).headers.get("Vary", "")


def test_a_token_call_with_a_host_nobody_allowed_is_refused(rep: User) -> None:
    response = bearer(rep).get(IDENTIFY, QUERY, headers={"host": "evil.example"})
    assert response.status_code == 400


@override_settings(SECURE_SSL_REDIRECT=True)
def test_a_token_call_over_http_is_sent_to_https_when_https_is_on(rep: User) -> None:
    response = bearer(rep).get(IDENTIFY, QUERY)
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


def test_a_token_call_to_no_endpoint_or_with_a_wrong_method_gets_json(rep: User) -> None:
    client = bearer(rep)
    missing = client.get("/api/v1/no-such-thing")
    assert (missing.status_code, missing.json()) == (404, {"detail": "not found"})
    wrong = client.delete(IDENTIFY)
    assert wrong.status_code == 405
    assert "not allowed" in wrong.json()["detail"]


def test_a_bad_token_without_a_cookie_is_refused(db: None) -> None:
    client = Client(headers={"Authorization": "Bearer et_nobody"})
    assert client.get(IDENTIFY, QUERY).status_code == 401


def test_a_browser_session_with_a_stray_authorization_header_still_works(rep: User) -> None:
    # A cookie sends the request the whole way: the session is read and lets the user in.
    client = Client(headers={"Authorization": "Bearer et_stale"})
    assert client.login(username="ron", password=PASSWORD)
    response = client.get(IDENTIFY, QUERY)
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"] == JSON_POLICY


def test_a_session_call_to_the_api_works_as_before(rep: User) -> None:
    client = Client()
    assert client.login(username="ron", password=PASSWORD)
    assert client.get(IDENTIFY, QUERY).status_code == 200


def test_a_page_asked_for_with_a_token_header_is_an_ordinary_page(db: None) -> None:
    response = Client(headers={"Authorization": "Bearer et_x"}).get("/login/")
    assert response.status_code == 200
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.cookies["csrftoken"]


def test_the_api_docs_page_keeps_the_page_policy(rep: User) -> None:
    response = bearer(rep).get("/api/v1/docs")
    assert response.status_code == 200
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
