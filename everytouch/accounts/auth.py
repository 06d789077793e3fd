"""How the API knows who is calling, and whether they may: the gates every operation has.

A caller is an API token (``Authorization: Bearer`` or ``X-Api-Key``) for machines, or the
logged-in session for the browser. Each operation names a ``Gate`` in its ``auth=``: the roles
that may call it and the scope a token needs. django-ninja runs ``auth=`` before it reads the
body or the query, so a caller learns in this order what is wrong with a request: 401 (who are
you?), 403 (your role or token may not), then 422 (the body) and 404 (the record).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Model
from django.http import HttpRequest
from django.utils import timezone
from ninja.errors import HttpError
from ninja.security import APIKeyHeader, HttpBearer, SessionAuth
from ninja.security.base import AuthBase
from ninja.utils import check_csrf

from everytouch.accounts.access import DESK_ROLES, MANAGER_ROLES, STAFF_ROLES, has_role
from everytouch.accounts.models import ApiToken, Profile, Role, Scope, hash_token
from everytouch.prepared import PreparedQuery

# The identify endpoint takes hundreds of requests a second from a phone system; writing
# last_used_at on each would turn every read into a write for a value nobody needs to the second.
LAST_USED_RESOLUTION = timedelta(minutes=1)
MAX_TOKEN_LENGTH = 200
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
ROLE_REFUSAL = "Your role does not allow this."


def _attnames(model: type[Model]) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields]


TOKEN_COLUMNS = _attnames(ApiToken)
USER_COLUMNS = _attnames(User)
PROFILE_COLUMNS = _attnames(Profile)
# The token, its user and the user's role in one indexed lookup, compiled once (everytouch/
# prepared.py): a phone system sends a token with every ring, and compiling this select_related
# query each time cost more than the rest of the screen pop. Read afresh on every request, so a
# revoked token, a deactivated user or a changed role counts from the very next request, in
# every process.
TOKEN_LOOKUP = PreparedQuery(
    lambda key_hash: (
        ApiToken.objects.filter(key_hash=key_hash, revoked_at__isnull=True)
        .values_list(
            *TOKEN_COLUMNS,
            *(f"user__{c}" for c in USER_COLUMNS),
            *(f"user__profile__{c}" for c in PROFILE_COLUMNS),
        )
        .order_by()
    ),
    str,
)


def _token_from_row(row: Sequence[Any], using: str) -> ApiToken:
    """The ApiToken, its user and their profile, as ``select_related`` would have built them."""
    n_token, n_user = len(TOKEN_COLUMNS), len(USER_COLUMNS)
    token = ApiToken.from_db(using, TOKEN_COLUMNS, row[:n_token])
    user = User.from_db(using, USER_COLUMNS, row[n_token : n_token + n_user])
    profile_values = row[n_token + n_user :]
    # No profile row (an outsider): cached as None, so ``user.profile`` raises without a query.
    profile = None
    if profile_values[0] is not None:
        profile = Profile.from_db(using, PROFILE_COLUMNS, profile_values)
        Profile.user.field.set_cached_value(profile, user)
    User.profile.related.set_cached_value(user, profile)
    ApiToken.user.field.set_cached_value(token, user)
    return token


def find_token(raw: str) -> ApiToken | None:
    """The live token with this secret, with its user and role loaded in the same query."""
    raw = raw.strip()
    if not raw or len(raw) > MAX_TOKEN_LENGTH:
        return None
    rows = TOKEN_LOOKUP.rows(hash_token(raw))
    return _token_from_row(rows[0], DEFAULT_DB_ALIAS) if rows else None


def touch_token(token: ApiToken) -> None:
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        # update() rather than save(): no race with a concurrent revoke over other columns.
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


def live_token(raw: str) -> ApiToken | None:
    """The token a caller sent, if it is known, not revoked, and its user can still log in."""
    token = find_token(raw)
    if token is None or not token.user.is_active:
        return None
    touch_token(token)
    return token


@dataclass(frozen=True)
class Gate:
    """Who may call an operation: one of ``roles``, and a token with ``scope``.

    ``scope=None`` takes it from the method: read for GET, write for anything else (the API's
    default gate, so an operation without one of its own is still checked).
    """

    roles: frozenset[Role]
    scope: Scope | None
    refusal: str = ROLE_REFUSAL

    def scope_for(self, method: str) -> Scope:
        if self.scope is not None:
            return self.scope
        return Scope.READ if method.upper() in SAFE_METHODS else Scope.WRITE

    def admit(self, request: HttpRequest, user: User, token: ApiToken | None) -> User:
        """The user, if their role and (for a token) its scopes allow this request; else 403."""
        if not has_role(user, self.roles):
            raise PermissionDenied(self.refusal)
        needed = self.scope_for(request.method or "GET")
        if token is not None and needed not in token.scope_set:
            held = token.scopes or "none"
            raise PermissionDenied(
                f"this token lacks the '{needed}' scope (it has: {held}); "
                "issue a token with it: everytouch token create ... --scope " + needed
            )
        return user


class BearerTokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``."""

    def __init__(self, gate: Gate) -> None:
        self.gate = gate
        super().__init__()

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        found = live_token(token)
        return self.gate.admit(request, found.user, found) if found is not None else None


class ApiKeyAuth(APIKeyHeader):
    """``X-Api-Key: <token>``, for phone systems that cannot set an Authorization header."""

    param_name = "X-Api-Key"

    def __init__(self, gate: Gate) -> None:
        self.gate = gate
        super().__init__()

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        found = live_token(key) if key else None
        return self.gate.admit(request, found.user, found) if found is not None else None


class BrowserSessionAuth(SessionAuth):
    """The logged-in browser session, CSRF-checked; unscoped (the role decides alone).

    Ninja's own session auth checks CSRF before it looks for a session, so an anonymous POST
    would get 403 "CSRF check Failed"; looking for the user first keeps anonymous callers on 401.
    """

    def __init__(self, gate: Gate) -> None:
        self.gate = gate
        super().__init__()

    def __call__(self, request: HttpRequest) -> User | None:
        user = getattr(request, "user", None)
        if not isinstance(user, User) or not user.is_authenticated:
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise HttpError(403, "CSRF check failed: send the csrftoken cookie in X-CSRFToken")
        return self.gate.admit(request, user, None)


def gated(
    roles: frozenset[Role], scope: Scope | None, refusal: str = ROLE_REFUSAL
) -> list[AuthBase]:
    """The ``auth=`` of an operation: any of the three ways in, then the gate."""
    gate = Gate(roles, scope, refusal)
    return [BearerTokenAuth(gate), ApiKeyAuth(gate), BrowserSessionAuth(gate)]


def gate_of(auth_callbacks: Sequence[object]) -> Gate | None:
    """The gate an operation's ``auth=`` list was made with (for the schema and the tests)."""
    for callback in auth_callbacks:
        gate = getattr(callback, "gate", None)
        if isinstance(gate, Gate):
            return gate
    return None


def caller(request: HttpRequest) -> User:
    """The user the operation's gate let in."""
    user = getattr(request, "auth", None)
    if not isinstance(user, User):  # an operation without a gate: a bug, not the caller's fault
        raise TypeError(f"{request.path} has no gate that names a user")
    return user


# Each operation names one of these as its ``auth=``. The API's default (an operation that names
# none) is anyone with a role, with the scope taken from the method.
API_AUTH = gated(STAFF_ROLES, None)
STAFF_READ = gated(STAFF_ROLES, Scope.READ)
STAFF_WRITE = gated(STAFF_ROLES, Scope.WRITE)
DESK_READ = gated(DESK_ROLES, Scope.READ)
DESK_WRITE = gated(DESK_ROLES, Scope.WRITE)
MANAGER_ADMIN = gated(MANAGER_ROLES, Scope.ADMIN, "only owners and managers may do this")
# Erasing a customer cannot be undone: the business's own decision (docs/customers.md).
OWNER_ADMIN = gated(frozenset({Role.OWNER}), Scope.ADMIN, "only owners may do this")
