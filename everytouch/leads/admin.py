"""Admin for leads: read-only, because changes go through the actions (rules, timeline, hooks)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from everytouch.leads.models import Lead, WebhookDelivery, WebhookEndpoint


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Lead)
class LeadAdmin(ReadOnlyAdmin):
    list_display = ("need", "customer", "stage", "owner", "created_at", "first_response_at")
    list_filter = ("stage",)
    search_fields = ("need", "customer__name", "customer__company")


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ReadOnlyAdmin):
    # The secret is left out on purpose: managers see it once, when the endpoint is made.
    list_display = ("url", "is_active", "created_at")
    fields = readonly_fields = ("url", "events", "is_active", "created_at")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = ("event_id", "endpoint", "status", "attempts", "next_attempt_at")
    list_filter = ("status", "event")
    exclude = ("payload",)
