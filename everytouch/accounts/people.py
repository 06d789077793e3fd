"""How a colleague is named on every screen, message, export and webhook: one place."""

from __future__ import annotations

from django.contrib.auth.models import User


def display_name(user: User | None, empty: str = "nobody") -> str:
    """'Dana Ruiz', or the login name when no full name was given; ``empty`` for nobody."""
    if user is None:
        return empty
    return user.get_full_name() or user.username
