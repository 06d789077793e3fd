"""Admin for roles, API tokens and idempotency keys.

A token's secret is shown once, when it is created, and only its hash is stored; the hash is
never shown as a form field, so nobody can paste a known hash in to mint a working token.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from everytouch.accounts.actions import issue_token, revoke_token
from everytouch.accounts.hooks import role_given
from everytouch.accounts.models import (
    DEFAULT_SCOPES,
    ApiToken,
    IdempotencyKey,
    Profile,
    Scope,
    scope_text,
)


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin[Profile]):
    list_display = ("user", "role", "created_at")
    list_filter = ("role",)
    search_fields = ("user__username", "user__first_name", "user__last_name", "user__email")
    raw_id_fields = ("user",)

    def save_model(
        self, request: HttpRequest, obj: Profile, form: ModelForm[Profile], change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        role_given.fire(obj.user)


class ApiTokenForm(forms.ModelForm[ApiToken]):
    scopes = forms.MultipleChoiceField(
        choices=Scope.choices,
        initial=[s.value for s in DEFAULT_SCOPES],
        widget=forms.CheckboxSelectMultiple,
        help_text="Read: GET endpoints. Write: create and change records. Admin: the endpoints "
        "only owners and managers may call. The user's role still applies.",
    )

    class Meta:
        model = ApiToken
        fields = ("user", "name", "scopes")

    def clean_scopes(self) -> str:
        return scope_text(self.cleaned_data["scopes"])


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    form = ApiTokenForm
    list_display = ("name", "user", "prefix", "scopes", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "prefix", "user__username")
    raw_id_fields = ("user",)
    fields = ("user", "name", "scopes", "prefix", "created_at", "last_used_at", "revoked_at")
    actions = ("revoke_selected",)

    def get_readonly_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> list[str]:
        computed = ["prefix", "created_at", "last_used_at", "revoked_at"]
        # A token's scopes are fixed once issued: for other scopes, issue another token.
        return computed if obj is None else ["user", "name", "scopes", *computed]

    def save_model(
        self, request: HttpRequest, obj: ApiToken, form: ModelForm[ApiToken], change: bool
    ) -> None:
        if change:
            return
        # Created through the action so the raw secret exists only in this one response.
        token, raw = issue_token(obj.user, obj.name, obj.scope_set)
        obj.pk, obj.prefix, obj.key_hash = token.pk, token.prefix, token.key_hash
        obj.scopes = token.scopes
        obj.created_at = token.created_at
        msg = f"Token for {obj.user}: {raw} (copy it now: it is not stored and is shown only once)"
        messages.warning(request, msg)

    @admin.action(description="Revoke selected tokens")
    def revoke_selected(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        live = list(queryset.filter(revoked_at__isnull=True))
        for token in live:
            revoke_token(token)
        messages.success(request, f"Revoked {len(live)} token(s).")


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(admin.ModelAdmin[IdempotencyKey]):
    list_display = ("key", "endpoint", "user", "status_code", "created_at")
    list_filter = ("endpoint",)
    search_fields = ("key", "user__username")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
