"""Admin for interactions: read-only, because an interaction is a record of what happened."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from everytouch.accounts.web_kit import ReadOnlyInline
from everytouch.interactions.models import Interaction, Transfer, Turn


class TurnInline(ReadOnlyInline):
    model = Turn
    fields = readonly_fields = ("index", "speaker", "text", "start")


class TransferInline(ReadOnlyInline):
    model = Transfer
    fields = readonly_fields = ("from_user", "to_user", "reason", "created_at")


@admin.register(Interaction)
class InteractionAdmin(admin.ModelAdmin[Interaction]):
    list_display = ("__str__", "channel", "direction", "customer", "handled_by", "need")
    list_filter = ("channel", "direction")
    search_fields = ("summary", "need", "customer__name")
    list_select_related = ("customer", "handled_by")
    date_hierarchy = "started_at"
    inlines = (TurnInline, TransferInline)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
