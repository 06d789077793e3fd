"""Clients for the cast: a logged-in browser session, or a machine with an API token."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.models import User
from django.test import Client

from everytouch.accounts.actions import issue_token
from everytouch.accounts.models import Scope
from everytouch.testing.cast import PASSWORD


def client_for(user: User | None) -> Client:
    """A session client logged in as ``user``; anonymous for None."""
    client = Client()
    if user is not None:
        assert client.login(username=user.username, password=PASSWORD)
    return client


def bearer(user: User) -> Client:
    """An API client sending a fresh token of ``user`` as ``Authorization: Bearer``.

    The token has every scope, so what a test sees is what the user's role allows.
    """
    _, raw = issue_token(user, "test", scopes=tuple(Scope))
    return Client(headers={"Authorization": f"Bearer {raw}"})


def post_json(client: Client, url: str, body: Any, **headers: str) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json", headers=headers)
