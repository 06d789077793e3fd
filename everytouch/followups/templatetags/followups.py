"""Template helpers for other apps' pages: a customer's open promises, a manager-only link."""

from __future__ import annotations

from django import template
from django.contrib.auth.models import AnonymousUser, User

from everytouch.accounts.access import can_manage
from everytouch.followups.actions import STILL_TO_DO
from everytouch.followups.models import Commitment

register = template.Library()

DESK_PROMISES = 5


@register.simple_tag
def open_promises(customer_id: int, limit: int = DESK_PROMISES) -> list[Commitment]:
    """The customer's promises still to keep (missed ones too), soonest first."""
    qs = Commitment.objects.filter(customer_id=customer_id, status__in=STILL_TO_DO)
    return list(qs.select_related("owner").order_by("due_at", "pk")[:limit])


@register.filter
def manages(user: User | AnonymousUser) -> bool:
    """Owners and managers: for links to manager-only pages."""
    return can_manage(user)
