"""The customer page's lead panel: leads live above customers, so they fill it from here."""

from __future__ import annotations

from django import template

from everytouch.leads.models import OPEN_STAGES, Lead

register = template.Library()

CUSTOMER_LEADS = 5


@register.simple_tag
def open_leads(customer_id: int, limit: int = CUSTOMER_LEADS) -> list[Lead]:
    """The customer's leads still in play, newest first; every staff role may read leads."""
    qs = Lead.objects.filter(customer_id=customer_id, stage__in=OPEN_STAGES)
    return list(qs.select_related("owner").order_by("-created_at", "-pk")[:limit])
