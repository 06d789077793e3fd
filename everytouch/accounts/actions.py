"""State changes for people: create users with a role, close a login, issue and revoke API
tokens, keep a manager's saved list views."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from everytouch.accounts.hooks import role_given
from everytouch.accounts.listing import SAVED_PAGES, clean_query
from everytouch.accounts.models import (
    DEFAULT_SCOPES,
    SAVED_VIEW_NAME_MAX,
    ApiToken,
    Profile,
    Role,
    SavedView,
    Scope,
    hash_token,
    scope_text,
)
from everytouch.accounts.sessions import end_all_sessions


@transaction.atomic
def create_user(
    username: str,
    password: str,
    role: Role | None,
    *,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    is_superuser: bool = False,
) -> User:
    """Create a user; ``role=None`` makes an outsider (a login that sees nothing)."""
    user = User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        is_staff=is_superuser,
        is_superuser=is_superuser,
    )
    user.set_password(password)
    user.save()
    if role is not None:
        Profile.objects.create(user=user, role=role)
        role_given.fire(user)
    return user


@transaction.atomic
def close_login(user: User) -> int:
    """Take away a user's login: inactive from now, and signed out of every browser session
    (an inactive user's session would log nobody in anyway; this also clears their list).
    Their API tokens stop working with ``is_active``. How many sessions were ended."""
    user.is_active = False
    user.save(update_fields=["is_active"])
    return end_all_sessions(user)


@transaction.atomic
def issue_token(
    user: User, name: str, scopes: Iterable[Scope] = DEFAULT_SCOPES
) -> tuple[ApiToken, str]:
    """Return the token row and the raw secret, which is never stored and shown only once."""
    text = scope_text(scopes)
    if not text:
        raise ValueError("a token needs at least one scope")
    raw = ApiToken.new_raw()
    token = ApiToken.objects.create(
        user=user, name=name, prefix=raw[3:11], key_hash=hash_token(raw), scopes=text
    )
    return token, raw


@transaction.atomic
def revoke_token(token: ApiToken) -> None:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])


# A page's quick links stay a short row, not a second list to search.
SAVED_VIEWS_PER_PAGE = 20


class SavedViewError(ValueError):
    """Why a view was not saved, in words for the person saving it."""


def _saved_view_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise SavedViewError("give the view a name")
    if len(name) > SAVED_VIEW_NAME_MAX:
        raise SavedViewError(f"a view's name is at most {SAVED_VIEW_NAME_MAX} characters")
    return name


@transaction.atomic
def save_view(user: User, page: str, name: str, query: str) -> SavedView:
    """Save ``query``'s filters and sort for ``page`` under ``name``; saving a name again
    replaces what it holds. Only the page's own parameters are kept."""
    if page not in SAVED_PAGES:
        raise SavedViewError(f"no list page {page!r} has saved views")
    name = _saved_view_name(name)
    kept = clean_query(query, SAVED_PAGES[page].params)
    existing = SavedView.objects.select_for_update().filter(user=user, page=page, name=name)
    view = existing.first()
    if view is not None:
        view.query = kept
        view.save(update_fields=["query"])
        return view
    if SavedView.objects.filter(user=user, page=page).count() >= SAVED_VIEWS_PER_PAGE:
        raise SavedViewError(f"at most {SAVED_VIEWS_PER_PAGE} saved views per page: delete one")
    return SavedView.objects.create(user=user, page=page, name=name, query=kept)


@transaction.atomic
def delete_view(view: SavedView) -> None:
    view.delete()
