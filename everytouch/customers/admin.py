"""Admin for customers: for looking and fixing names, not for bypassing the actions.

Contact points and timeline events are read-only here: a phone typed into a raw admin field
would skip normalisation and the conflict check, and the timeline is a record of what happened.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from everytouch.accounts.web_kit import ReadOnlyInline
from everytouch.customers.models import ContactPoint, Customer, TimelineEvent


class ContactPointInline(ReadOnlyInline):
    model = ContactPoint
    fields = readonly_fields = ("kind", "value", "label", "created_at")


class TimelineEventInline(ReadOnlyInline):
    model = TimelineEvent
    fields = readonly_fields = ("happened_at", "kind", "summary", "actor")
    ordering = ("-happened_at",)


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin[Customer]):
    list_display = ("display_name", "company", "owner", "merged_into", "created_at")
    search_fields = ("name", "company", "contacts__value")
    list_select_related = ("owner",)
    raw_id_fields = ("owner", "merged_into")
    readonly_fields = ("merged_into", "created_at", "updated_at")
    inlines = (ContactPointInline, TimelineEventInline)


@admin.register(ContactPoint)
class ContactPointAdmin(admin.ModelAdmin[ContactPoint]):
    list_display = ("value", "kind", "customer", "created_at")
    list_filter = ("kind",)
    search_fields = ("value",)
    list_select_related = ("customer",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
