"""A user's logged-in sessions: recorded at login, seen at most once a minute, listed, ended.

Django keeps sessions by key with no user column, so ``LoginSession`` maps each key to its
user. Ending a session deletes it from the session store (the browser holding it is logged
out on its next request) and drops its row. The list prunes rows whose session already ended
some other way: expired, logged out, or invalidated by a password change (Django keeps a hash
of the password in the session and refuses a session whose hash no longer matches).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import User
from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from django.utils import timezone

from everytouch.accounts.models import LoginSession

# Writing "last seen" on every request would turn every page view into a write; to the minute
# is all the list shows.
SEEN_RESOLUTION = timedelta(minutes=1)
USER_AGENT_MAX = 400


@dataclass(frozen=True)
class Client:
    """Where a request came from, as the session list shows it."""

    ip_address: str | None
    user_agent: str


def _store(session_key: str) -> SessionBase:
    engine = import_module(settings.SESSION_ENGINE)
    store: SessionBase = engine.SessionStore(session_key)
    return store


@transaction.atomic
def record_login_session(user: User, session_key: str, client: Client) -> LoginSession:
    """Note that ``session_key`` is ``user``'s, seen now; a known key is only touched."""
    now = timezone.now()
    row, _ = LoginSession.objects.update_or_create(
        session_key=session_key,
        defaults={
            "user": user,
            "last_seen_at": now,
            "ip_address": client.ip_address,
            "user_agent": client.user_agent[:USER_AGENT_MAX],
        },
        create_defaults={
            "user": user,
            "created_at": now,
            "last_seen_at": now,
            "ip_address": client.ip_address,
            "user_agent": client.user_agent[:USER_AGENT_MAX],
        },
    )
    return row


def seen_recently(seen_at: datetime | None, now: datetime) -> bool:
    return seen_at is not None and now - seen_at < SEEN_RESOLUTION


def _stored_data(keys: list[str]) -> dict[str, dict[str, Any]]:
    """What the session store holds for each live key of ``keys``; ended ones are absent.

    The database backends are read in one query (the list must not cost a query per row);
    any other store is asked key by key.
    """
    engine = import_module(settings.SESSION_ENGINE)
    store_class = engine.SessionStore
    if not hasattr(store_class, "get_model_class"):
        loaded = {key: store_class(key).load() for key in keys}
        return {key: data for key, data in loaded.items() if data}
    model = store_class.get_model_class()
    rows = model.objects.filter(session_key__in=keys, expire_date__gt=timezone.now())
    decoder = store_class()
    return {row.session_key: decoder.decode(row.session_data) for row in rows}


def _is_live(data: dict[str, Any] | None, user: User) -> bool:
    if data is None or str(data.get(SESSION_KEY)) != str(user.pk):
        return False
    return bool(data.get(HASH_SESSION_KEY) == user.get_session_auth_hash())


@transaction.atomic
def live_sessions(user: User) -> list[LoginSession]:
    """The user's sessions that still log someone in, most recently seen first.

    Each row is checked against the session store, so the list never shows a session that
    expired, logged out, or was signed out by a password change; such rows are dropped.
    """
    rows = list(LoginSession.objects.filter(user=user))
    stored = _stored_data([row.session_key for row in rows])
    live = [row for row in rows if _is_live(stored.get(row.session_key), user)]
    dead = [row for row in rows if row not in live]
    if dead:
        for row in dead:
            _store(row.session_key).delete()
        LoginSession.objects.filter(pk__in=[row.pk for row in dead]).delete()
    return live


@transaction.atomic
def end_session(row: LoginSession) -> None:
    """Log out whoever holds this session: their next request finds no session."""
    _store(row.session_key).delete()
    row.delete()


@transaction.atomic
def end_other_sessions(user: User, keep: str | None) -> int:
    """End every session of ``user`` but ``keep`` (the one asking); how many were ended."""
    rows = LoginSession.objects.filter(user=user).exclude(session_key=keep or "")
    ended = 0
    for row in rows:
        end_session(row)
        ended += 1
    return ended


def end_all_sessions(user: User) -> int:
    """Log ``user`` out everywhere (a departure closed the account); how many were ended."""
    return end_other_sessions(user, keep=None)


def forget_expired() -> int:
    """Drop rows of sessions that have surely expired, whoever never opened their list.

    An active session is saved at least once a minute (its last sighting), and each save
    pushes its expiry SESSION_COOKIE_AGE ahead: a row not seen for longer is dead.
    """
    cutoff = timezone.now() - timedelta(seconds=settings.SESSION_COOKIE_AGE)
    deleted, _ = LoginSession.objects.filter(last_seen_at__lt=cutoff).delete()
    return deleted


def forget_session(session_key: str | None) -> None:
    """Drop the row of a session that is being logged out (Django deletes the session)."""
    if session_key:
        LoginSession.objects.filter(session_key=session_key).delete()


_BROWSERS = (
    ("Edge", r"Edg(e|A|iOS)?/"),
    ("Opera", r"OPR/|Opera"),
    ("Samsung Internet", r"SamsungBrowser/"),
    ("Firefox", r"Firefox/|FxiOS/"),
    ("Chromium", r"Chromium/"),
    ("Chrome", r"Chrome/|CriOS/|HeadlessChrome/"),
    ("Safari", r"Safari/"),
    ("curl", r"^curl/"),
)
_SYSTEMS = (
    ("Android", r"Android"),
    ("iPhone", r"iPhone"),
    ("iPad", r"iPad"),
    ("Windows", r"Windows"),
    ("macOS", r"Mac OS X|Macintosh"),
    ("ChromeOS", r"CrOS"),
    ("Linux", r"Linux|X11"),
)


def _first(table: tuple[tuple[str, str], ...], user_agent: str) -> str | None:
    return next((name for name, pattern in table if re.search(pattern, user_agent)), None)


def browser_label(user_agent: str) -> str:
    """ "Firefox on Windows" from a User-Agent header: enough to recognise one's own device.

    A rough reading on purpose: a full parser is a dependency kept current for every new
    browser, and a person only needs to tell their laptop from their phone.
    """
    browser = _first(_BROWSERS, user_agent)
    system = _first(_SYSTEMS, user_agent)
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or "Unknown browser"
