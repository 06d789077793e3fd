"""The quality pages' own menu, one line under the top bar, showing what this role may open."""

from __future__ import annotations

from django import template
from django.contrib.auth.models import AnonymousUser, User

from everytouch.accounts.access import DESK_ROLES, STAFF_ROLES, has_role
from everytouch.quality.reviews import REVIEWER_ROLES

register = template.Library()

# (URL name, label, who sees the link): a link nobody may follow is not shown.
PAGES = (
    ("quality_dashboard", "Dashboard", STAFF_ROLES),
    ("dispute_list", "Disputes", STAFF_ROLES),
    ("quality_agreement", "Agreement", REVIEWER_ROLES),
    ("coaching_queue", "Coaching", STAFF_ROLES),
    ("campaign_list", "Call-in tests", REVIEWER_ROLES),
    ("playbook_list", "Playbooks", STAFF_ROLES),
    ("promotion_list", "Promotions", STAFF_ROLES),
    ("transcript_import", "Import transcripts", DESK_ROLES),
)


@register.inclusion_tag("quality/_nav.html", takes_context=True)
def quality_nav(context: template.Context) -> dict[str, object]:
    user: User | AnonymousUser = context["request"].user
    links = [(name, label) for name, label, roles in PAGES if has_role(user, roles)]
    current = context["request"].resolver_match
    return {"links": links, "current": current.url_name if current else ""}


@register.filter
def sees_quality(user: User | AnonymousUser) -> bool:
    return has_role(user, STAFF_ROLES)
