"""State changes for people: create users with a role, issue and revoke API tokens."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from everytouch.accounts.hooks import role_given
from everytouch.accounts.models import ApiToken, Profile, Role, hash_token


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
def issue_token(user: User, name: str) -> tuple[ApiToken, str]:
    """Return the token row and the raw secret, which is never stored and shown only once."""
    raw = ApiToken.new_raw()
    token = ApiToken.objects.create(
        user=user, name=name, prefix=raw[3:11], key_hash=hash_token(raw)
    )
    return token, raw


@transaction.atomic
def revoke_token(token: ApiToken) -> None:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
