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
from ninja.parser import Parser
from ninja.renderers import JSONRenderer

from everytouch.accounts.auth import API_AUTH
from everytouch.accounts.endpoint_kit import BodyRefused, check_body
from everytouch.accounts.idempotency import IdempotencyError
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


api = NinjaAPI(
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
    if request.method in {"POST", "PUT", "PATCH"} and not request.body:
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
