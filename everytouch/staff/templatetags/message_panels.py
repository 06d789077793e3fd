"""The customer page's message panel: taken messages live above customers, so they fill it."""

from __future__ import annotations

from django import template
from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q

from everytouch.accounts.access import STAFF_ROLES, can_manage, has_role
from everytouch.staff.models import MessageStatus, TakenMessage

register = template.Library()

CUSTOMER_MESSAGES = 5


@register.simple_tag
def open_messages(
    customer_id: int, user: User | AnonymousUser, limit: int = CUSTOMER_MESSAGES
) -> list[TakenMessage]:
    """Messages from this customer still to answer that ``user`` may read, oldest first.

    Managers read every message (as on the all-messages page); anyone else the ones they own,
    were meant to get or took themselves, as on their own messages page.
    """
    if not has_role(user, STAFF_ROLES):
        return []
    qs = TakenMessage.objects.filter(customer_id=customer_id).exclude(status=MessageStatus.DONE)
    if not can_manage(user):
        qs = qs.filter(Q(owner=user) | Q(intended_for=user) | Q(taken_by=user))
    qs = qs.select_related("owner", "taken_by").order_by("created_at", "pk")
    return list(qs[:limit])
