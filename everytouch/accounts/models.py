"""Who may do what: a role per user, API tokens for machines, idempotency keys for retries."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import models


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    MANAGER = "manager", "Manager"
    REP = "rep", "Rep"
    TRAINER = "trainer", "Trainer"


class Profile(models.Model):
    """A user's role. A user without a profile is an outsider: logged in, sees nothing."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    role = models.CharField(max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.user} ({self.role})"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class Scope(models.TextChoices):
    """What a token may be used for, on top of what its user's role allows.

    ``read``: GET endpoints; ``write``: creating and changing records; ``admin``: the endpoints
    only owners and managers may call. A browser session has no scopes: its role decides alone.
    """

    READ = "read", "Read"
    WRITE = "write", "Write"
    ADMIN = "admin", "Admin"


# What `token create` and the admin give a new token unless told otherwise.
DEFAULT_SCOPES = (Scope.READ, Scope.WRITE)


def scope_text(scopes: Iterable[str]) -> str:
    """Scopes as stored: known names, in the order of ``Scope``, space-separated (as OAuth)."""
    wanted = {Scope(s) for s in scopes}
    return " ".join(s.value for s in Scope if s in wanted)


def default_scope_text() -> str:
    return scope_text(DEFAULT_SCOPES)


class ApiToken(models.Model):
    """A machine's key to the API. Only the hash is stored; the raw token is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=8)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Space-separated Scope values; written only through scope_text, so always canonical.
    scopes = models.CharField(max_length=32, default=default_scope_text)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}...)"

    @property
    def scope_set(self) -> frozenset[Scope]:
        return frozenset(Scope(s) for s in self.scopes.split())

    @staticmethod
    def new_raw() -> str:
        return "et_" + secrets.token_urlsafe(32)


class IdempotencyKey(models.Model):
    """The stored answer to a create request, replayed when a client retries with the same key."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    key = models.CharField(max_length=200)
    endpoint = models.CharField(max_length=200)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response: models.JSONField[Any] = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "endpoint", "key"], name="uniq_idempotency_key")
        ]

    def __str__(self) -> str:
        return f"{self.endpoint} {self.key}"


SAVED_VIEW_NAME_MAX = 60


class SavedView(models.Model):
    """A manager's named filters and sort for one list page, shown there as a quick link.

    ``page`` is a key of ``listing.SAVED_PAGES``; ``query`` holds only that page's whitelisted
    parameters (``listing.clean_query``), so a saved view can never carry anything else.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    page = models.CharField(max_length=32)
    name = models.CharField(max_length=SAVED_VIEW_NAME_MAX)
    query = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "page", "name"], name="uniq_saved_view_name")
        ]

    def __str__(self) -> str:
        return f"{self.page}: {self.name}"


class LoginSession(models.Model):
    """One of a user's logged-in browser sessions, for the list where they can end it.

    Django's session row holds no user column to query by; this one maps the session key to
    its user, with what a person recognises a session by (when, where from, which browser).
    Rows whose session has ended are pruned when the list is read (``sessions.live_sessions``).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="login_sessions"
    )
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=400, blank=True)

    class Meta:
        ordering = ["-last_seen_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user} since {self.created_at:%Y-%m-%d %H:%M}"
