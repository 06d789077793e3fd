"""Backup and restore of the whole database: SQLite through its online backup API, PostgreSQL
through `pg_dump -Fc` and `pg_restore --clean`.

A live SQLite file must not be copied: a copy taken while the app writes (and without its -wal
file) can be torn or miss committed data. The backup API reads a consistent snapshot through
SQLite itself and is safe while the web server and worker run.

The secret key is not in the backup: a backup file travels (off-site storage, a colleague's
laptop), and a key beside it would let whoever holds it forge sessions. Keep the key apart.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Mapping
from contextlib import closing
from datetime import datetime
from pathlib import Path
from typing import Any

from django.db import connection
from django.utils import timezone

from everytouch.ops.filemodes import private_dir, private_file

# Tables a freshly migrated database already fills: restoring over them loses nothing.
BOOKKEEPING = frozenset({"django_migrations", "django_content_type", "auth_permission"})
PG_TIMEOUT_S = 3600
# Debian keeps each PostgreSQL version's client tools apart; the server's own version is best.
PG_VERSIONED_BIN = "/usr/lib/postgresql/{major}/bin"


class BackupError(Exception):
    """The backup file is missing, unreadable, of the wrong kind, or the target holds data."""


class ToolMissing(Exception):
    """pg_dump or pg_restore is not installed."""


def is_sqlite() -> bool:
    return connection.vendor == "sqlite"


def backup_name(now: datetime | None = None) -> str:
    stamp = timezone.localtime(now or timezone.now()).strftime("%Y%m%d-%H%M%S")
    return f"everytouch-{stamp}.{'sqlite3' if is_sqlite() else 'pgdump'}"


def target_path(given: Path, now: datetime | None = None) -> Path:
    """`given` itself, or a timestamped file in it when it is a directory."""
    if given.is_dir():
        return given / backup_name(now)
    if given.exists():
        raise BackupError(f"{given} exists; name a new file or a directory")
    if not given.parent.is_dir():
        raise BackupError(f"{given.parent} is not a directory")
    return given


def backup(target: Path) -> Path:
    """Write the whole database to `target` (a new file, mode 600); return it."""
    private_dir(target.parent)
    private_file(target)
    try:
        _backup_sqlite(target) if is_sqlite() else _pg_dump(target)
    except BaseException:
        target.unlink(missing_ok=True)  # no half-written backup left to be trusted later
        raise
    return target


def _backup_sqlite(target: Path) -> None:
    connection.ensure_connection()
    with closing(sqlite3.connect(target)) as out:
        connection.connection.backup(out)


def restore(source: Path, *, force: bool) -> None:
    """Replace the database's content with the backup in `source`."""
    if not source.is_file():
        raise BackupError(f"{source} is not a file")
    # The file is checked first: a wrong file is the answer to give, even over a full database.
    _check_sqlite_backup(source) if is_sqlite() else _check_pg_backup(source)
    if not force and holds_data():
        raise BackupError("the database holds data; pass --force to replace it")
    _restore_sqlite(source) if is_sqlite() else _pg_restore(source)


def holds_data() -> bool:
    """Whether any table beyond what a fresh migrate fills has a row."""
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor)) - BOOKKEEPING
        for table in sorted(tables - _fts_shadow_tables(cursor)):
            cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")  # noqa: S608
            if cursor.fetchone():
                return True
    return False


# FTS5 keeps a virtual table's index in these tables, which hold bookkeeping rows even when the
# virtual table is empty (the customer search, customers migration 0008).
_FTS5_SHADOWS = ("data", "idx", "content", "docsize", "config")


def _fts_shadow_tables(cursor: Any) -> set[str]:
    """SQLite virtual tables and their shadow tables: an index of other tables' rows (a
    contentless FTS5 table cannot even be scanned), so the indexed tables are what counts."""
    if connection.vendor != "sqlite":
        return set()
    cursor.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'"
    )
    names = [name for (name,) in cursor.fetchall()]
    return {*names, *(f"{name}_{shadow}" for name in names for shadow in _FTS5_SHADOWS)}


def _open_sqlite_backup(source: Path) -> sqlite3.Connection:
    # Read-only: a damaged file is reported, never "repaired" by being opened for writing.
    db = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    try:
        problems = db.execute("PRAGMA quick_check").fetchall()
        if problems != [("ok",)]:
            raise BackupError(f"{source} is not a usable backup: {problems[0][0]}")
        if not db.execute("SELECT 1 FROM sqlite_master WHERE name='django_migrations'").fetchone():
            raise BackupError(f"{source} is an SQLite file but not an Everytouch backup")
    except sqlite3.DatabaseError as exc:
        db.close()
        raise BackupError(f"{source} is not a usable backup: {exc}") from None
    except BackupError:
        db.close()
        raise
    return db


def _check_sqlite_backup(source: Path) -> None:
    _open_sqlite_backup(source).close()


def _restore_sqlite(source: Path) -> None:
    with closing(_open_sqlite_backup(source)) as backup_db:
        connection.ensure_connection()
        # The backup API replaces every page of the live database in one step, under its lock.
        backup_db.backup(connection.connection)


# --- PostgreSQL ------------------------------------------------------------------------------


def _pg_environment() -> Mapping[str, str]:
    db = connection.settings_dict
    given = {
        "PGHOST": db.get("HOST"),
        "PGPORT": db.get("PORT"),
        "PGUSER": db.get("USER"),
        "PGPASSWORD": db.get("PASSWORD"),
        "PGDATABASE": db.get("NAME"),
    }
    return {**os.environ, **{key: str(value) for key, value in given.items() if value}}


def pg_tool(name: str) -> str:
    """pg_dump or pg_restore of the server's major version when installed (Debian keeps each
    version under /usr/lib/postgresql/N/bin), else the one on PATH."""
    connection.ensure_connection()
    major = connection.pg_version // 10000  # type: ignore[attr-defined]
    matching = Path(PG_VERSIONED_BIN.format(major=major)) / name
    if matching.is_file():
        return str(matching)
    if found := shutil.which(name):
        return found
    raise ToolMissing(
        f"{name} is not installed; install PostgreSQL's client tools, version {major} or newer "
        f"(Debian: apt-get install postgresql-client-{major})"
    )


def _run_pg(argv: list[str], failure: str) -> None:
    # Connection details go by environment, so the password is not on a command line.
    done = subprocess.run(  # noqa: S603
        argv, env=dict(_pg_environment()), capture_output=True, text=True, timeout=PG_TIMEOUT_S
    )
    if done.returncode != 0:
        raise BackupError(f"{failure}: {done.stderr.strip()}")


def _pg_dump(target: Path) -> None:
    argv = [pg_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={target}"]
    _run_pg(argv, "pg_dump failed")


def _check_pg_backup(source: Path) -> None:
    # --list reads only the archive's table of contents: a wrong or damaged file fails here,
    # before anything in the database is dropped.
    _run_pg([pg_tool("pg_restore"), "--list", str(source)], f"{source} is not a usable backup")


def _pg_restore(source: Path) -> None:
    tool = pg_tool("pg_restore")
    # pg_restore --clean drops and recreates every table: let go of ours (and its cached plans).
    connection.close()
    _run_pg(
        [
            tool,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            f"--dbname={connection.settings_dict['NAME']}",
            str(source),
        ],
        "pg_restore failed",
    )
