"""The app's own deployment checks, as Django system checks (run by `everytouch check` and by
`manage.py check --deploy`; never on an ordinary start, since some reach the database or Redis).

Each check is small and says what to do about what it finds; ids are ``everytouch.E/W0NN``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor

from everytouch.ops import filemodes

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
FILE_BACKENDS = ("django.core.mail.backends.filebased.EmailBackend", "everytouch.ops.mailfiles")
DJANGO_FILE_BACKEND = FILE_BACKENDS[0]


def sqlite_path() -> Path | None:
    """The SQLite database file, or None on PostgreSQL (or an in-memory database)."""
    db = settings.DATABASES["default"]
    name = str(db.get("NAME") or "")
    if db["ENGINE"] != "django.db.backends.sqlite3" or name in ("", ":memory:"):
        return None
    return Path(name)


def private_paths() -> list[Path]:
    """Every existing path that should be owner-only: data directory, database, key, mail."""
    database = sqlite_path()
    files = filemodes.sqlite_files(database) if database else []
    mail = Path(settings.EMAIL_FILE_PATH) if _uses_file_mail() else None
    return filemodes.candidates(Path(settings.VAR_DIR), files, mail)


def _uses_file_mail() -> bool:
    return str(settings.EMAIL_BACKEND).startswith(FILE_BACKENDS)


def check_file_modes(**kwargs: Any) -> list[CheckMessage]:
    return [
        Warning(
            f"{item.describe()}: others on this machine can read customer data or secrets.",
            hint="Run `everytouch migrate` (or serve, worker, demo), which tightens the modes, "
            f"or `chmod {item.wanted:o} {item.path}`.",
            id="everytouch.W001",
        )
        for item in filemodes.loose(private_paths())
    ]


def check_secret_key_source(**kwargs: Any) -> list[CheckMessage]:
    # A key generated into var/ is fine on one machine, but every web machine must share one.
    if one_machine():
        return []
    if (Path(settings.VAR_DIR) / "secret_key").exists() and not _secret_key_from_env():
        return [
            Warning(
                "SECRET_KEY comes from a file generated on this machine; other web machines "
                "would generate their own, and sessions would not survive a load balancer.",
                hint="Set the same SECRET_KEY in the environment of every web machine.",
                id="everytouch.W002",
            )
        ]
    return []


def one_machine() -> bool:
    """SQLite means one machine; PostgreSQL is how many machines share the data."""
    return connection.vendor == "sqlite"


def _secret_key_from_env() -> bool:
    path = Path(settings.VAR_DIR) / "secret_key"
    return path.read_text().strip() != settings.SECRET_KEY


def check_https_site_url(**kwargs: Any) -> list[CheckMessage]:
    if settings.EVERYTOUCH_HTTPS and not settings.SITE_URL.startswith("https://"):
        return [
            Error(
                f"EVERYTOUCH_HTTPS is on but SITE_URL is {settings.SITE_URL}: links in e-mails "
                "and the trusted CSRF origin would use plain http.",
                hint="Set SITE_URL to the https:// address people use.",
                id="everytouch.E003",
            )
        ]
    return []


def check_proxy_header(**kwargs: Any) -> list[CheckMessage]:
    # gunicorn behind a TLS proxy sees http: without the proxy's header, every request redirects.
    if settings.SECURE_SSL_REDIRECT and settings.SECURE_PROXY_SSL_HEADER is None:
        return [
            Warning(
                "SECURE_SSL_REDIRECT is on but no EVERYTOUCH_PROXY_SSL_HEADER is set: behind a "
                "TLS proxy every request would be redirected to itself, forever.",
                hint="Set EVERYTOUCH_PROXY_SSL_HEADER=X-Forwarded-Proto (the header your proxy "
                "sets, and strips from clients), unless the app itself terminates TLS.",
                id="everytouch.W004",
            )
        ]
    return []


def check_email(**kwargs: Any) -> list[CheckMessage]:
    backend = str(settings.EMAIL_BACKEND)
    found: list[CheckMessage] = []
    if backend == SMTP_BACKEND and settings.EMAIL_HOST in ("", "localhost", "127.0.0.1"):
        found.append(
            Warning(
                f"Mail goes by SMTP to {settings.EMAIL_HOST}:{settings.EMAIL_PORT}, this "
                "machine; notices are lost unless a mail server listens there.",
                hint="Set EMAIL_HOST, EMAIL_PORT, EMAIL_USE_TLS and the login of your SMTP server.",
                id="everytouch.W005",
            )
        )
    if backend == SMTP_BACKEND and settings.EMAIL_HOST_PASSWORD and not settings.EMAIL_USE_TLS:
        found.append(
            Warning(
                "The SMTP password would be sent unencrypted.",
                hint="Set EMAIL_USE_TLS=on (port 587).",
                id="everytouch.W006",
            )
        )
    if backend == DJANGO_FILE_BACKEND:
        found.append(
            Warning(
                "Django's file e-mail backend writes mail files anyone on the machine can read.",
                hint="Use EMAIL_BACKEND=everytouch.ops.mailfiles.EmailBackend (files 600).",
                id="everytouch.W007",
            )
        )
    return found


def check_task_backend(**kwargs: Any) -> list[CheckMessage]:
    if settings.TASKS["default"]["BACKEND"] != settings.RQ_TASK_BACKEND:
        return []
    from redis import Redis
    from redis.exceptions import RedisError

    try:
        Redis.from_url(settings.RQ_QUEUES["default"]["URL"], socket_timeout=5).ping()
    except (RedisError, OSError) as exc:
        return [
            Error(
                f"The RQ task backend cannot reach Redis: {exc}",
                hint="Start Redis or correct REDIS_URL; no background job runs until then.",
                id="everytouch.E008",
            )
        ]
    return []


def check_migrations(databases: Sequence[str] | None = None, **kwargs: Any) -> list[CheckMessage]:
    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        return [Error(f"Cannot reach the database: {exc}", id="everytouch.E009")]
    if not pending:
        return []
    return [
        Error(
            f"The database has {len(pending)} unapplied migration(s).",
            hint="Run `everytouch migrate`.",
            id="everytouch.E010",
        )
    ]


CHECKS = (
    check_file_modes,
    check_secret_key_source,
    check_https_site_url,
    check_proxy_header,
    check_email,
    check_task_backend,
    check_migrations,
)


def register_all() -> None:
    for check in CHECKS:
        register(check, "everytouch", deploy=True)
