"""Every GET page and endpoint, given hostile query values, answers without a server error.

The world and the table are the URL matrix's (test_url_matrix.py): each URL the owner may open
is asked again with every query parameter the app reads set to a value at the edge of a range.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from everytouch.accounts.actions import issue_token
from everytouch.tests.test_url_matrix import TABLE, World, world  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

# Every name the views and endpoints read from a query string (grep request.GET, Query(...)).
PARAMS = [
    "page", "page_size", "customer", "customer_id", "owner", "owner_id", "person", "untouched",
    "untouched_days", "days", "since", "until", "rep", "rep_id", "team", "interaction", "logged",
    "handled_by_id", "due", "limit", "status", "check", "sort", "stage", "q", "show", "week",
]  # fmt: skip
HOSTILE = ["9" * 30, str(2**63), "²", "-1", "nan", "9999-12-31T23:00:00-12:00", "0001-01-01"]
OWNER_GETS = sorted(key for key, entry in TABLE.items() if entry.get and entry.get[5] == 200)


@pytest.mark.parametrize("key", OWNER_GETS)
def test_it_answers_hostile_query_values_without_a_server_error(
    key: str,
    owner: User,
    world: World,  # noqa: F811 (the matrix's fixture)
) -> None:
    url = reverse(key, kwargs=TABLE[key].args(world))
    if url.startswith("/api/"):
        client = Client(headers={"Authorization": f"Bearer {issue_token(owner, 'probe')[1]}"})
    else:
        client = Client()
        client.force_login(owner)
    client.raise_request_exception = False
    for value in HOSTILE:
        response = client.get(f"{url}?{urlencode(dict.fromkeys(PARAMS, value))}")
        assert response.status_code < 500, (value, response.content[:300])
