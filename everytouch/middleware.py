"""Middleware of our own: every answer under /api/ JSON (even the few Django and ninja make before
our handlers), a short lane for API calls made with a token, and the content security policy."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from csp.constants import HEADER as CSP_HEADER
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.handlers.base import BaseHandler
from django.core.handlers.exception import convert_exception_to_response
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.utils.module_loading import import_string

API_PREFIX = "/api/"


class JsonApiErrors:
    """A wrong method (405) or a path outside every router (404) becomes ``{"detail": ...}``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith(API_PREFIX) or response.status_code not in (404, 405):
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        return _as_json(request, response)


def _as_json(request: HttpRequest, response: HttpResponse) -> JsonResponse:
    if response.status_code == 404:
        return JsonResponse({"detail": "not found"}, status=404)
    allowed = response.get("Allow", "")
    detail = f"method {request.method} not allowed here" + (f"; use {allowed}" if allowed else "")
    json_response = JsonResponse({"detail": detail}, status=405)
    if allowed:
        json_response["Allow"] = allowed
    return json_response


# --- the API token lane --------------------------------------------------------------------------

TOKEN_HEADERS = ("HTTP_AUTHORIZATION", "HTTP_X_API_KEY")
# A fixed policy for JSON answers: a JSON document loads nothing and may be framed by nobody.
JSON_POLICY = "default-src 'none'; frame-ancestors 'none'"


def is_token_call(request: HttpRequest) -> bool:
    """An /api/ request that names itself with a token and carries no cookie at all.

    Without a cookie there is no session, no logged-in user, no CSRF token and no messages: the
    middleware that reads those would only conclude "anonymous". A request with any cookie goes
    the whole way, so a browser's session on the API works exactly as on the pages.
    """
    meta = request.META
    return (
        request.path_info.startswith(API_PREFIX)
        and not meta.get("HTTP_COOKIE")
        and any(meta.get(name) for name in TOKEN_HEADERS)
    )


class _ChainHandler(BaseHandler):
    # What BaseHandler.load_middleware fills in and _get_response reads (not in django-stubs).
    _view_middleware: list[Callable[..., HttpResponseBase | None]]
    _template_response_middleware: list[Callable[..., HttpResponseBase]]
    _exception_middleware: list[Callable[..., HttpResponseBase | None]]
    _get_response: Callable[[HttpRequest], HttpResponseBase]


def build_chain(paths: Sequence[str]) -> Callable[[HttpRequest], HttpResponseBase]:
    """A synchronous middleware chain over Django's view dispatch, built as Django builds its
    own from ``settings.MIDDLEWARE`` (BaseHandler.load_middleware), from ``paths`` instead."""
    handler = _ChainHandler()
    handler._view_middleware = []
    handler._template_response_middleware = []
    handler._exception_middleware = []
    chain: Callable[[HttpRequest], Any] = convert_exception_to_response(handler._get_response)
    for path in reversed(paths):
        middleware = import_string(path)(chain)
        if hasattr(middleware, "process_view"):
            handler._view_middleware.insert(0, middleware.process_view)
        if hasattr(middleware, "process_template_response"):
            handler._template_response_middleware.append(middleware.process_template_response)
        if hasattr(middleware, "process_exception"):
            handler._exception_middleware.append(middleware.process_exception)
        chain = convert_exception_to_response(middleware)
    return chain


class ApiTokenLane:
    """First in MIDDLEWARE: a token call to the API takes the shorter chain
    ``settings.API_TOKEN_MIDDLEWARE``; everything else goes on down MIDDLEWARE.

    The skipped middleware (sessions, CSRF, authentication, OTP, login sessions, messages, htmx,
    axes) only ever acts on cookies, a logged-in session or the login form, none of which a
    cookieless token call has; what guards every response (host check, HTTPS redirect, HSTS,
    nosniff, framing and content policy headers, JSON errors) is in both chains.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.token_lane = build_chain(settings.API_TOKEN_MIDDLEWARE)

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if is_token_call(request):
            # What the skipped authentication middleware would have concluded without a cookie.
            request.user = AnonymousUser()
            return self.token_lane(request)
        return self.get_response(request)


class ContentSecurityPolicy(CSPMiddleware):
    """django-csp's policy on pages; a fixed, stricter one on JSON answers (built once)."""

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        content_type = response.get("Content-Type", "")
        if content_type.startswith("application/json") and CSP_HEADER not in response:
            response[CSP_HEADER] = JSON_POLICY
            return response
        return super().process_response(request, response)
