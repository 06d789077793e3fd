"""Every API operation checks the role and the token's scope before it reads the request.

The operations come from the OpenAPI schema, so a new endpoint is checked without an edit
here. Each is sent a request that is wrong in every way the schema allows (a non-numeric id, a
wrong value in every typed query parameter, a nested object in every body field): a caller
with a role the operation refuses, or a token without its scope, must get 403 for it, and
a caller who may call it gets the validation answer, which proves the request was wrong.
"""

from __future__ import annotations

import importlib
import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.test import Client

from everytouch.accounts.access import STAFF_ROLES
from everytouch.accounts.actions import issue_token
from everytouch.accounts.auth import API_AUTH, gate_of
from everytouch.accounts.models import ApiToken, Scope
from everytouch.api import api
from everytouch.testing import client_for, user_for

CAST = ("owner", "manager", "rep", "trainer", "outsider")
WRONG = {"nested": {"object": True}}


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    spec: dict[str, Any]

    @property
    def roles(self) -> list[str]:
        return list(self.spec["x-roles"])

    @property
    def scope(self) -> str:
        return str(self.spec["x-scope"])

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.path}"


def _operations() -> list[Operation]:
    schema = api.get_openapi_schema()
    return [
        Operation(method, path, spec)
        for path, methods in schema["paths"].items()
        for method, spec in methods.items()
    ]


OPERATIONS = _operations()


def _wrong_value(schema: dict[str, Any]) -> str | None:
    """A query value this parameter refuses, or None for free text (nothing is wrong there)."""
    kinds = {schema.get("type"), *(s.get("type") for s in schema.get("anyOf", []))}
    if kinds & {"integer", "number", "boolean"} or "$ref" in json.dumps(schema):
        return "not-valid"
    if "format" in schema:
        return "not-valid"
    return None


def _url(op: Operation) -> tuple[str, bool]:
    """The operation's URL with a wrong value wherever one can be wrong, and whether any can."""
    path, query = op.path, {}
    for param in op.spec.get("parameters", []):
        value = _wrong_value(param["schema"])
        if param["in"] == "path":
            path = path.replace("{" + param["name"] + "}", value or "nobody")
        elif param["in"] == "query" and value is not None:
            query[param["name"]] = value
    wrong = "not-valid" in path or bool(query)
    qs = "&".join(f"{k}={v}" for k, v in query.items())
    return (f"{path}?{qs}" if qs else path), wrong


def _body(op: Operation) -> str | None:
    if "requestBody" not in op.spec:
        return None
    ref = op.spec["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schema = api.get_openapi_schema()["components"]["schemas"][ref.rsplit("/", 1)[1]]
    return json.dumps(dict.fromkeys(schema.get("properties", {}), WRONG) or {"x": WRONG})


def _send(client: Client, op: Operation) -> Any:
    body, (url, _) = _body(op), _url(op)
    call = getattr(client, op.method)
    if body is None:
        return call(url)
    return call(url, body, content_type="application/json")


def _token_client(user: User, scopes: list[Scope]) -> Client:
    _, raw = issue_token(user, "gates", scopes)
    return Client(headers={"Authorization": f"Bearer {raw}"})


def _invalid_is_visible(op: Operation) -> bool:
    """Whether the wrong request is wrong in a way validation sees (not only free text)."""
    return "requestBody" in op.spec or _url(op)[1]


def test_it_reads_every_operation_with_its_gate_from_the_schema() -> None:
    assert len(OPERATIONS) >= 30
    for op in OPERATIONS:
        assert op.roles, op
        assert op.scope in {s.value for s in Scope}, op
        assert {"401", "403"} <= {str(s) for s in op.spec["responses"]}, op


@pytest.mark.parametrize("op", OPERATIONS, ids=str)
def test_it_refuses_a_wrong_role_before_it_reads_the_request(
    request: pytest.FixtureRequest, op: Operation
) -> None:
    refused = [role for role in CAST if role not in op.roles]
    assert refused, f"{op} is open to everyone with a login"
    for role in refused:
        user = user_for(request, role)
        assert user is not None
        response = _send(_token_client(user, list(Scope)), op)
        assert response.status_code == 403, (role, response.content)
        assert response.json()["detail"]


@pytest.mark.parametrize("op", OPERATIONS, ids=str)
def test_it_refuses_a_token_without_the_scope_before_it_reads_the_request(
    request: pytest.FixtureRequest, op: Operation
) -> None:
    user = user_for(request, op.roles[0])
    assert user is not None
    others = [s for s in Scope if s != op.scope]
    response = _send(_token_client(user, others), op)
    assert response.status_code == 403, response.content
    assert f"lacks the '{op.scope}' scope" in response.json()["detail"]


@pytest.mark.parametrize("op", OPERATIONS, ids=str)
def test_it_validates_the_request_of_a_caller_who_may_call(
    request: pytest.FixtureRequest, op: Operation
) -> None:
    user = user_for(request, op.roles[0])
    assert user is not None
    response = _send(_token_client(user, [Scope(op.scope)]), op)
    assert response.status_code != 403, response.content
    if _invalid_is_visible(op):
        assert response.status_code == 422, response.content


@pytest.mark.parametrize("op", OPERATIONS, ids=str)
def test_it_lets_a_browser_session_through_without_scopes(
    request: pytest.FixtureRequest, op: Operation
) -> None:
    # The test client skips the CSRF check, as a page of the app would send the token.
    client = client_for(user_for(request, op.roles[0]))
    assert _send(client, op).status_code not in (401, 403)


def test_it_gives_a_new_token_read_and_write(rep: User) -> None:
    token, _ = issue_token(rep, "pbx")
    assert token.scopes == "read write"
    assert token.scope_set == {Scope.READ, Scope.WRITE}


def test_it_stores_scopes_in_one_order_whatever_the_order_given(rep: User) -> None:
    token, _ = issue_token(rep, "pbx", [Scope.ADMIN, Scope.READ, Scope.ADMIN])
    assert token.scopes == "read admin"


def test_it_refuses_a_token_without_scopes(rep: User) -> None:
    with pytest.raises(ValueError, match="at least one scope"):
        issue_token(rep, "pbx", [])


def test_it_gives_existing_tokens_every_scope_when_scopes_arrive(rep: User) -> None:
    token, _ = issue_token(rep, "pbx", [Scope.READ])
    migration = importlib.import_module("everytouch.accounts.migrations.0003_apitoken_scopes")
    migration.keep_what_they_could_do(apps, None)
    assert ApiToken.objects.get(pk=token.pk).scope_set == set(Scope)


def test_it_takes_the_scope_from_the_method_for_an_operation_without_a_gate() -> None:
    # The API's default gate, for an operation that names none of its own.
    gate = gate_of(API_AUTH)
    assert gate is not None
    assert gate.roles == STAFF_ROLES
    assert [gate.scope_for(m) for m in ("GET", "head", "POST", "PATCH", "DELETE")] == [
        Scope.READ,
        Scope.READ,
        Scope.WRITE,
        Scope.WRITE,
        Scope.WRITE,
    ]
