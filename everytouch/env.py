"""Typed readers for environment variables; ``settings.py`` reads every variable through these.

Each reader returns its default when the variable is unset and raises ``ImproperlyConfigured``
naming the variable, the bad value and what is accepted, so a typo stops the process at start
instead of surfacing later as a bare ``ValueError`` or, worse, as a silent default. A blank value
counts as unset for the typed readers (``FOO=`` in a compose file means "not given"), but not
for ``env_str`` and ``env_list``, where an empty value is a real choice.

No Django model is imported here: settings are read before the apps are loaded.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from datetime import time
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off")


def _refuse(name: str, value: str, accepted: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(f"{name}={value!r} is not valid; accepted: {accepted}")


def _given(name: str) -> str | None:
    """The stripped value of ``name``, or None when it is unset or blank."""
    value = os.environ.get(name, "").strip()
    return value or None


def env_str(name: str, default: str) -> str:
    """The value as it is (not stripped: a secret may end in a space)."""
    return os.environ.get(name, default)


def _bounds(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"from {low:g} to {high:g}"
    if low is not None:
        return f"{low:g} or more"
    return f"{high:g} or less" if high is not None else "any"


def _check_bounds(
    name: str, value: str, number: float, low: float | None, high: float | None
) -> None:
    if (low is not None and number < low) or (high is not None and number > high):
        raise _refuse(name, value, f"a number {_bounds(low, high)}")


def env_int(name: str, default: int, *, low: int | None = None, high: int | None = None) -> int:
    """A whole number, optionally within ``low``..``high`` (both inclusive)."""
    value = _given(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise _refuse(name, value, f"a whole number {_bounds(low, high)}") from None
    _check_bounds(name, value, number, low, high)
    return number


def env_float(
    name: str, default: float, *, low: float | None = None, high: float | None = None
) -> float:
    """A number (``1.5`` or ``2``), optionally within ``low``..``high`` (both inclusive)."""
    value = _given(name)
    if value is None:
        return default
    try:
        number = float(value)
    except ValueError:
        raise _refuse(name, value, f"a number {_bounds(low, high)}") from None
    # "nan" and "inf" parse as floats but mean nothing as hours or minutes.
    if number != number or number in (float("inf"), float("-inf")):
        raise _refuse(name, value, f"a finite number {_bounds(low, high)}")
    _check_bounds(name, value, number, low, high)
    return number


def env_bool(name: str, default: bool) -> bool:
    """On or off, in any case: 1/0, true/false, yes/no, on/off."""
    value = _given(name)
    if value is None:
        return default
    if value.lower() in TRUE_WORDS:
        return True
    if value.lower() in FALSE_WORDS:
        return False
    raise _refuse(name, value, ", ".join(TRUE_WORDS + FALSE_WORDS) + " (any case)")


def env_list(name: str, default: Sequence[str]) -> list[str]:
    """Comma-separated items, each stripped; empty items dropped (so ``""`` is an empty list)."""
    value = os.environ.get(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: Iterable[str]) -> str:
    """One of ``choices``, matched in any case and returned as spelled in ``choices``."""
    options = list(choices)
    value = _given(name)
    if value is None:
        return default
    for option in options:
        if option.lower() == value.lower():
            return option
    raise _refuse(name, value, ", ".join(options) + " (any case)")


def _redacted(url: str) -> str:
    # Error messages end up in logs; a database password must not.
    password = urlsplit(url).password
    return url.replace(f":{password}@", ":***@") if password else url


# URLs of these schemes name a file or socket, so a path stands in for the host.
PATH_SCHEMES = ("sqlite", "spatialite", "unix")


def _is_url(value: str, schemes: Sequence[str]) -> bool:
    parts = urlsplit(value)
    scheme = parts.scheme.lower()
    if scheme not in schemes:
        return False
    return bool(parts.netloc or (scheme in PATH_SCHEMES and parts.path))


def env_url(name: str, default: str, schemes: Sequence[str]) -> str:
    """A URL with one of ``schemes`` and a host (a path, for ``sqlite`` and ``unix``)."""
    value = _given(name)
    if value is None:
        return default
    if not _is_url(value, schemes):
        accepted = " or ".join(f"{scheme}://..." for scheme in schemes)
        raise _refuse(name, _redacted(value), f"a URL starting with {accepted}")
    return value


def env_timezone(name: str, default: str) -> str:
    """An IANA time zone name such as ``Europe/Berlin``."""
    value = _given(name)
    if value is None:
        return default
    try:
        ZoneInfo(value)
    except (ValueError, KeyError, OSError):
        # ZoneInfoNotFoundError is a KeyError; a malformed key ("../x") is a ValueError.
        raise _refuse(name, value, "an IANA time zone name such as UTC or Europe/Berlin") from None
    return value


def _is_hours(value: str) -> bool:
    start, dash, end = value.partition("-")
    try:
        opens, closes = time.fromisoformat(start.strip()), time.fromisoformat(end.strip())
    except ValueError:
        return False
    return bool(dash) and opens < closes


def env_hours(name: str, default: str) -> str:
    """Opening hours as ``HH:MM-HH:MM``, opening before closing, on one day."""
    value = _given(name)
    if value is None:
        return default
    if not _is_hours(value):
        raise _refuse(name, value, "HH:MM-HH:MM with the first time earlier, e.g. 09:00-17:00")
    return value


def env_weekdays(name: str, default: str) -> str:
    """Comma-separated weekday numbers, Monday 0 to Sunday 6, at least one."""
    value = _given(name)
    if value is None:
        return default
    days = [d.strip() for d in value.split(",") if d.strip()]
    if not days or any(d not in {"0", "1", "2", "3", "4", "5", "6"} for d in days):
        raise _refuse(name, value, "weekday numbers 0 (Monday) to 6 (Sunday), e.g. 0,1,2,3,4")
    return value


def _is_header_name(value: str) -> bool:
    # An HTTP field name is a "token": letters, digits and a few marks; no spaces or colons.
    return bool(value) and all(c.isalnum() or c in "!#$%&'*+-.^_`|~" for c in value)


def env_proxy_header(name: str) -> tuple[str, str] | None:
    """The header a TLS proxy sets to ``https`` (``X-Forwarded-Proto``), as Django's
    ``SECURE_PROXY_SSL_HEADER`` wants it: ``("HTTP_X_FORWARDED_PROTO", "https")``; None if unset.
    """
    value = _given(name)
    if value is None:
        return None
    if not value.isascii() or not _is_header_name(value):
        raise _refuse(name, value, "an HTTP header name such as X-Forwarded-Proto")
    return ("HTTP_" + value.upper().replace("-", "_"), "https")
