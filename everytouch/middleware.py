"""Keep every answer under /api/ JSON, even the few Django and ninja make before our handlers."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

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
