"""The JSON API, /api/v1/. Each domain app contributes a thin router that calls its actions.

Every refusal is JSON ``{"detail": "<reason>"}`` with a 4xx status: a phone system or script
on the other end needs a reason it can log, never an HTML error page.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from ninja import NinjaAPI, Router
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.docs import DocsBase
from ninja.openapi.schema import OpenAPISchema
from ninja.operation import Operation
from ninja.parser import Parser
from ninja.renderers import JSONRenderer

from everytouch.accounts.auth import API_AUTH, Gate, gate_of
from everytouch.accounts.endpoint_kit import BodyRefused, check_body
from everytouch.accounts.idempotency import IdempotencyError
from everytouch.accounts.models import Role
from everytouch.customers.actions import ContactConflict
from everytouch.customers.api import router as customers_router
from everytouch.customers.contacts import InvalidContact
from everytouch.followups.api import router as followups_router
from everytouch.interactions.actions import InvalidInteraction
from everytouch.interactions.api import router as interactions_router
from everytouch.leads.api import router as leads_router
from everytouch.quality.api import router as quality_router
from everytouch.quality.api_campaigns import router as campaigns_router
from everytouch.search.api import router as search_router
from everytouch.staff.departures.api import router as departures_router
from everytouch.staff.directory.api import router as staff_router
from everytouch.staff.messages.api import router as messages_router

logger = logging.getLogger("everytouch.api")


class ObjectParser(Parser):
    """Every request body is a JSON object; anything else would validate as all-defaults."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        try:
            data = json.loads(request.body)
        except RecursionError:
            raise BodyRefused("the body is nested too deeply") from None
        if not isinstance(data, dict):
            raise ValueError("the request body must be a JSON object")
        check_body(data)
        return data


class StrictJSONRenderer(JSONRenderer):
    """Only JSON that every parser reads: a NaN or Infinity that slipped into a response is a
    bug to see in the log (a 500), not ``NaN`` sent to a client whose parser chokes on it."""

    json_dumps_params = {"allow_nan": False}


class OfflineSwagger(DocsBase):
    """Swagger UI from our own static files.

    Ninja's default page loads Swagger UI from a CDN unless "ninja" is an installed app, and
    then serves its own older copy; ours is vendored (static/vendor/swagger-ui) like htmx, so
    the docs work without internet and the version is ours to choose.
    """

    template = "api/docs.html"

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        options = {
            "url": self.get_openapi_url(api, kwargs),
            "layout": "BaseLayout",
            "deepLinking": True,
            # The default validator badge is an image from validator.swagger.io: off, offline.
            "validatorUrl": None,
        }
        return render(request, self.template, {"api": api, "swagger_settings": options})


# What each refusal means, as the schema says it; the body is always {"detail": ...}.
REFUSAL_REASONS = {
    400: "Input the schema cannot express is wrong (an empty or non-JSON body, an unknown id "
    "in a field, a refused action); `detail` says which",
    401: "No credentials, or an unknown or revoked token",
    403: "Your role or your token's scope does not allow this (or a session write without its "
    "CSRF token)",
    404: "No such record, or none this user may see",
    409: "Conflicts with a stored record or with the record's state; `detail` says which",
    413: "The body is larger than EVERYTOUCH_MAX_PAYLOAD_BYTES",
    422: "A parameter or field is missing, of the wrong type or out of range (`errors` lists "
    "them all), or an Idempotency-Key reused for another request",
}
REFUSAL_SCHEMAS: dict[str, Any] = {
    "Refusal": {
        "type": "object",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    },
    "InvalidRequest": {
        "type": "object",
        "properties": {
            "detail": {"type": "string"},
            "errors": {"type": "array", "items": {"type": "object"}},
        },
        "required": ["detail"],
    },
}


def refusal_statuses(operation: Operation, details: dict[str, Any]) -> set[int]:
    """The 4xx answers an operation can give: what every one shares, plus what it declares."""
    statuses = {s for s in operation.response_models if isinstance(s, int) and 400 <= s < 500}
    if operation.auth_callbacks:
        statuses |= {401, 403}
    if "{" in operation.path:
        statuses.add(404)
    if details.get("parameters") or "requestBody" in details:
        statuses.add(422)
    if "requestBody" in details:
        statuses |= {400, 413}
    return statuses


def url_statuses(details: dict[str, Any]) -> dict[int, dict[str, str]]:
    """What the web server in front (gunicorn) answers before the app sees the request."""
    if not details.get("parameters"):
        return {}
    # gunicorn's limit on the request line (4,094 bytes): its answer is HTML, not ours.
    return {414: {"description": "The URL is longer than the server takes (about 4 KB)"}}


def who_may(gate: Gate, method: str) -> str:
    roles = ", ".join(r.value for r in Role if r in gate.roles)
    return f"Roles: {roles}. A token needs the `{gate.scope_for(method)}` scope."


def document_refusals(operation: Operation, details: dict[str, Any]) -> None:
    """Add the operation's refusals, and who may call it, to its schema."""
    responses = details["responses"]
    for status in sorted(refusal_statuses(operation, details)):
        name = "InvalidRequest" if status == 422 else "Refusal"
        responses[status] = {
            "description": REFUSAL_REASONS.get(status, "Refused; `detail` says why"),
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}},
        }
    responses.update(url_statuses(details))
    gate = gate_of(operation.auth_callbacks)
    if gate is None:
        return
    method = operation.methods[0]
    scope = gate.scope_for(method).value
    details["x-roles"] = [r.value for r in Role if r in gate.roles]
    details["x-scope"] = scope
    responses[403]["description"] += f". {who_may(gate, method)}"
    details["description"] = f"{details.get('description', '')}\n\n{who_may(gate, method)}".strip()


class DocumentedSchema(OpenAPISchema):
    """Ninja's schema, plus every operation's refusals and who may call it."""

    def operation_details(self, operation: Operation) -> dict[str, Any]:
        details: dict[str, Any] = super().operation_details(operation)
        document_refusals(operation, details)
        return details


class EverytouchAPI(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        schema = DocumentedSchema(self, path_prefix)
        schema["components"].setdefault("schemas", {}).update(REFUSAL_SCHEMAS)
        return schema


api = EverytouchAPI(
    title="Everytouch API",
    version="1",
    description="Identify callers, look up and create customers, log interactions. "
    "Send `Authorization: Bearer <token>` (or `X-Api-Key: <token>`); see docs/api.md.",
    urls_namespace="api-v1",
    auth=API_AUTH,
    parser=ObjectParser(),
    renderer=StrictJSONRenderer(),
    docs=OfflineSwagger(),
)
ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
fallback_router = Router()


@fallback_router.api_operation(ALL_METHODS, "/{path:unknown}", auth=None, include_in_schema=False)
def no_such_endpoint(request: HttpRequest, unknown: str) -> HttpResponse:
    # Its router is added last, so it only sees paths no other route matched.
    raise Http404(unknown)


api.add_router("/", customers_router)
api.add_router("/", interactions_router)
api.add_router("/", leads_router)
api.add_router("/", followups_router)
api.add_router("/", staff_router)
api.add_router("/", messages_router)
api.add_router("/", departures_router)
api.add_router("/", quality_router)
api.add_router("/", campaigns_router)
api.add_router("/", search_router)
# Last, so it only sees paths no other route matched.
api.add_router("/", fallback_router)


def _error(request: HttpRequest, status: int, detail: str, **extra: Any) -> HttpResponse:
    return api.create_response(request, {"detail": detail, **extra}, status=status)


@api.exception_handler(InvalidContact)
def invalid_contact(request: HttpRequest, exc: InvalidContact) -> HttpResponse:
    return _error(request, 400, str(exc))


@api.exception_handler(InvalidInteraction)
def invalid_interaction(request: HttpRequest, exc: InvalidInteraction) -> HttpResponse:
    return _error(request, 400, str(exc))


@api.exception_handler(ContactConflict)
def contact_conflict(request: HttpRequest, exc: ContactConflict) -> HttpResponse:
    customer = {"id": exc.customer.pk, "name": exc.customer.display_name}
    return _error(request, 409, str(exc), value=exc.value, customer=customer)


@api.exception_handler(IntegrityError)
def integrity_error(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
    # Two requests raced for the same unique value; the loser wrote nothing and may retry.
    logger.warning("integrity error on %s: %s", request.path, exc)
    return _error(request, 409, "conflicts with a record saved at the same moment; retry")


@api.exception_handler(IdempotencyError)
def idempotency_error(request: HttpRequest, exc: IdempotencyError) -> HttpResponse:
    return _error(request, exc.status, str(exc))


def field_path(loc: Sequence[str | int]) -> str:
    """``("body", "payload", "emails", 0)`` as ``emails[0]``: the field as the caller sent it."""
    # The first item says where (body, query, path); a body's second is the parameter's name.
    source, *parts = loc or ("",)
    if source == "body":
        parts = parts[1:]
    path = ""
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


def error_summary(errors: Sequence[dict[str, Any]]) -> str:
    """The first field error as ``field: reason``, so a log line says what to fix."""
    if not errors:
        return "the request is not valid"
    first = errors[0]
    reason = str(first.get("msg", "not valid")).removeprefix("Value error, ")
    path = field_path(first.get("loc", ()))
    summary = f"{path}: {reason}" if path else reason
    more = len(errors) - 1
    return f"{summary} (and {more} more; see errors)" if more else summary


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    about_body = any((e.get("loc") or ("",))[0] == "body" for e in exc.errors)
    if about_body and request.method in {"POST", "PUT", "PATCH"} and not request.body:
        return _error(request, 400, "the request body is empty; send a JSON object")
    return _error(request, 422, error_summary(exc.errors), errors=exc.errors)


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = _error(request, 401, "authentication required: send Authorization: Bearer <token>")
    response["WWW-Authenticate"] = 'Bearer realm="everytouch"'
    return response


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    detail = str(exc)
    if isinstance(exc.__cause__, BodyRefused):
        # Ninja wraps every parser error as "Cannot parse request body"; this one has a reason.
        return _error(request, 422, str(exc.__cause__))
    if detail.startswith("Cannot parse request body"):
        detail = "the request body must be a JSON object"
    return _error(request, exc.status_code, detail)


@api.exception_handler(PermissionDenied)
def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _error(request, 403, str(exc) or "your role does not allow this")


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "not found")


@api.exception_handler(RequestDataTooBig)
def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    limit = settings.EVERYTOUCH_MAX_PAYLOAD_BYTES
    return _error(request, 413, f"the request body is larger than {limit} bytes")


@api.exception_handler(Exception)
def unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    # A bug, not the caller's fault; still JSON so the client's error path keeps working.
    logger.exception("unhandled error on %s %s", request.method, request.path)
    return _error(request, 500, "internal error; it has been logged")
