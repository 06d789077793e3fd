"""The customer page's data-rights card: export for owners and managers, erase for owners."""

from __future__ import annotations

from typing import Any

from django import template
from django.contrib.auth.models import AnonymousUser, User

from everytouch.accounts.access import has_role
from everytouch.customers.models import Customer, ErasureRecord
from everytouch.privacy.actions import ERASE_ROLES, EXPORT_ROLES

register = template.Library()


@register.inclusion_tag("privacy/_data_rights.html")
def data_rights(customer: Customer, user: User | AnonymousUser) -> dict[str, Any]:
    return {
        "customer": customer,
        "can_export": has_role(user, EXPORT_ROLES),
        "can_erase": has_role(user, ERASE_ROLES),
        "erasure": ErasureRecord.objects.filter(customer=customer).first(),
    }
