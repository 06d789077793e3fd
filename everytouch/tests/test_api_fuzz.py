"""Every API operation answers as its schema says, for generated requests (schemathesis).

A small run for the suite: a few examples per operation, as the owner (who may call every
operation, so the most code runs), in-process. `python -m benchmarks.fuzz_api` is the long run
against the real server, as every role (docs/api.md, "Contract").
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.contrib.auth.models import User
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from everytouch.accounts.actions import issue_token
from everytouch.accounts.models import Scope
from everytouch.api import api
from everytouch.testing import make_customer

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES = 20
schema = schemathesis.openapi.from_dict(json.loads(json.dumps(api.get_openapi_schema())))
schema.app = get_wsgi_application()


@pytest.fixture(autouse=True)
def keep_the_test_connection() -> Iterator[None]:
    # The WSGI handler closes connections at the end of a request; inside the test's transaction
    # on PostgreSQL that would close the test's own connection. Django's test client does this.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def owner_token(owner: User) -> str:
    make_customer(owner=owner)
    return issue_token(owner, "fuzz", tuple(Scope))[1]


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_it_answers_as_the_schema_says(case: schemathesis.Case[Any], owner_token: str) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {owner_token}"}, checks=CHECKS)
