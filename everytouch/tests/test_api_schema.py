"""The OpenAPI schema says what the API answers: every refusal, and one model per name."""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
from collections import defaultdict

from ninja import Schema

import everytouch
from everytouch.api import api


def _api_modules() -> list[str]:
    names = [m.name for m in pkgutil.walk_packages(everytouch.__path__, "everytouch.")]
    return [
        n for n in names if n.rsplit(".", 1)[-1].startswith("api") or n.endswith("endpoint_kit")
    ]


def test_it_gives_every_model_of_the_api_its_own_name() -> None:
    # The schema names a model by its class name alone: two models of one name would document
    # one of them wrongly (a campaign's CheckOut once described every scorecard check).
    # Models of one name and the same fields are harmless copies.
    found: dict[str, dict[str, str]] = defaultdict(dict)
    for name in _api_modules():
        module = importlib.import_module(name)
        for cls_name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Schema) and cls.__module__ == name:
                found[cls_name][json.dumps(cls.model_json_schema(), sort_keys=True)] = name
    shared = {
        cls_name: sorted(kinds.values()) for cls_name, kinds in found.items() if len(kinds) > 1
    }
    assert not shared


def test_it_documents_every_refusal_as_a_detail() -> None:
    schema = api.get_openapi_schema()
    assert schema["components"]["schemas"]["Refusal"]["required"] == ["detail"]
    for path, methods in schema["paths"].items():
        for method, spec in methods.items():
            responses = {int(s): r for s, r in spec["responses"].items()}
            assert {401, 403} <= responses.keys(), (method, path)
            if "{" in path:
                assert 404 in responses, (method, path)
            if "requestBody" in spec:
                assert {400, 413, 422} <= responses.keys(), (method, path)
            for status, answer in responses.items():
                if 400 <= status < 500 and status != 414:
                    content = answer["content"]["application/json"]["schema"]
                    assert content["$ref"].rsplit("/", 1)[1] in {"Refusal", "InvalidRequest"}


def test_it_documents_the_refusals_an_operation_declares() -> None:
    paths = api.get_openapi_schema()["paths"]
    assert "409" in {str(s) for s in paths["/api/v1/customers"]["post"]["responses"]}
    assert "404" in {str(s) for s in paths["/api/v1/route"]["get"]["responses"]}
    assert "400" in {str(s) for s in paths["/api/v1/identify"]["get"]["responses"]}


def test_it_says_who_may_call_each_operation() -> None:
    paths = api.get_openapi_schema()["paths"]
    departure = paths["/api/v1/departures/{departure_id}"]["get"]
    assert departure["x-roles"] == ["owner", "manager"]
    assert departure["x-scope"] == "admin"
    assert "A token needs the `admin` scope." in departure["responses"][403]["description"]
    assert paths["/api/v1/customers"]["post"]["x-scope"] == "write"
