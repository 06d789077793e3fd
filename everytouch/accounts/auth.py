"""How the API knows who is calling: an API token for machines, the session for the browser."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import User
from django.http import HttpRequest
from django.utils import timezone
from ninja.errors import HttpError
from ninja.security import APIKeyHeader, HttpBearer, SessionAuth
from ninja.utils import check_csrf

from everytouch.accounts.models import ApiToken, hash_token

# The identify endpoint takes hundreds of requests a second from a phone system; writing
# last_used_at on each would turn every read into a write for a value nobody needs to the second.
LAST_USED_RESOLUTION = timedelta(minutes=1)
MAX_TOKEN_LENGTH = 200


def find_token(raw: str) -> ApiToken | None:
    """The live token with this secret, with its user and role loaded in the same query."""
    raw = raw.strip()
    if not raw or len(raw) > MAX_TOKEN_LENGTH:
        return None
    qs = ApiToken.objects.select_related("user", "user__profile")
    return qs.filter(key_hash=hash_token(raw), revoked_at__isnull=True).first()


def touch_token(token: ApiToken) -> None:
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        # update() rather than save(): no race with a concurrent revoke over other columns.
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


def user_for_token(raw: str) -> User | None:
    """The active user a raw API token belongs to, or None for unknown or revoked tokens."""
    token = find_token(raw)
    if token is None or not token.user.is_active:
        return None
    touch_token(token)
    return token.user


class BearerTokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        return user_for_token(token)


class ApiKeyAuth(APIKeyHeader):
    """``X-Api-Key: <token>``, for phone systems that cannot set an Authorization header."""

    param_name = "X-Api-Key"

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        return user_for_token(key) if key else None


class BrowserSessionAuth(SessionAuth):
    """The logged-in browser session, CSRF-checked.

    Ninja's own session auth checks CSRF before it looks for a session, so an anonymous POST
    would get 403 "CSRF check Failed"; looking for the user first keeps anonymous callers on 401.
    """

    def __call__(self, request: HttpRequest) -> User | None:
        user = getattr(request, "user", None)
        if not isinstance(user, User) or not user.is_authenticated:
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise HttpError(403, "CSRF check failed: send the csrftoken cookie in X-CSRFToken")
        return user


bearer_auth = BearerTokenAuth()
api_key_auth = ApiKeyAuth()
session_auth = BrowserSessionAuth()
API_AUTH = [bearer_auth, api_key_auth, session_auth]
