"""Where each role starts, and which top-menu pages each role may open.

One table answers both: the menu shows a link only to the roles its page lets in (a link that
answers 403 is a dead end), and ``/`` sends each role to the first screen of its day.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db.models import QuerySet

from everytouch.accounts.access import (
    DESK_ROLES,
    MANAGER_ROLES,
    STAFF_ROLES,
    AnyUser,
    has_role,
    role_of,
)
from everytouch.accounts.models import Role

# Owners and managers start at the desk too: they cover the phones when the reps are busy, a
# ringing phone cannot wait while My day can, and My day is one click away in the menu.
# A trainer may not take calls; their day starts with the reps who need coaching.
HOMES: dict[Role, str] = {
    Role.OWNER: "desk",
    Role.MANAGER: "desk",
    Role.REP: "desk",
    Role.TRAINER: "coaching_queue",
}
NO_ROLE_PAGE = "no_role"


@dataclass(frozen=True)
class MenuItem:
    url_name: str
    label: str
    roles: frozenset[Role]
    # Which unread count the link carries ("messages", "notifications"), if any.
    badge: str = ""


# The top menu in order. Each entry's roles are the ones its view lets in (see the URL matrix).
MENU: tuple[MenuItem, ...] = (
    MenuItem("desk", "Desk", DESK_ROLES),
    MenuItem("customer_list", "Customers", STAFF_ROLES),
    MenuItem("interaction_list", "Interactions", STAFF_ROLES),
    MenuItem("my_day", "My day", STAFF_ROLES),
    MenuItem("lead_board", "Leads", STAFF_ROLES),
    MenuItem("cadence_plan", "Cadences", MANAGER_ROLES),
    MenuItem("staff_directory", "Staff", STAFF_ROLES),
    MenuItem("messages_mine", "Messages", STAFF_ROLES, badge="messages"),
    MenuItem("notifications", "Notifications", STAFF_ROLES, badge="notifications"),
    MenuItem("quality_dashboard", "Quality", STAFF_ROLES),
    MenuItem("early_warning", "Early warning", MANAGER_ROLES),
    MenuItem("departure_list", "Departures", MANAGER_ROLES),
)


def menu_for(user: AnyUser) -> list[MenuItem]:
    """The menu entries this user's role may open; none for an outsider or a visitor."""
    return [item for item in MENU if has_role(user, item.roles)]


def home_url_name(user: AnyUser) -> str:
    """The URL name of this user's first screen: their role's home, or the no-role page."""
    role = role_of(user)
    return HOMES[role] if role is not None else NO_ROLE_PAGE


def people_to_ask() -> QuerySet[User]:
    """Who can give someone a role: the business's active owners and managers."""
    qs = User.objects.filter(is_active=True, profile__role__in=MANAGER_ROLES)
    return qs.order_by("profile__role", "first_name", "last_name", "username")
