"""The top menu: the pages this role may open, with unread counts on Messages and Notifications."""

from __future__ import annotations

from dataclasses import dataclass

from django import template
from django.contrib.auth.models import AnonymousUser, User
from django.urls import reverse

from everytouch.accounts.access import role_of
from everytouch.accounts.landing import MenuItem, menu_for
from everytouch.staff.notifications import Unread, unread_for

register = template.Library()


@dataclass(frozen=True)
class Link:
    url: str
    label: str
    unread: int
    current: bool


def _link(item: MenuItem, unread: Unread, current: str) -> Link:
    count = getattr(unread, item.badge) if item.badge else 0
    return Link(reverse(item.url_name), item.label, count, item.url_name == current)


@register.inclusion_tag("_topnav.html", takes_context=True)
def top_menu(context: template.Context) -> dict[str, object]:
    request = context.get("request")
    user = getattr(request, "user", None)
    items = menu_for(user) if isinstance(user, User) else []
    # Counted only when a badge is shown: an outsider's page runs no count at all.
    counted = isinstance(user, User) and any(item.badge for item in items)
    unread = unread_for(user) if counted and isinstance(user, User) else Unread()
    match = getattr(request, "resolver_match", None)
    current = match.view_name if match else ""
    links = [_link(item, unread, current) for item in items]
    if isinstance(user, User) and user.is_staff:
        links.append(Link(reverse("admin:index"), "Admin", 0, False))
    return {"links": links}


@register.filter
def role_name(user: User | AnonymousUser | None) -> str:
    """'trainer', or '' for someone without a role: error pages say who they are to us."""
    role = role_of(user) if user is not None else None
    return role.label.lower() if role is not None else ""
