"""Backup and restore round-trip every table, on SQLite always and on PostgreSQL when the suite
runs there; bad files and a database holding data are refused with exit code 2."""

from __future__ import annotations

import os
import stat
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from axes.models import AccessAttempt, AccessAttemptExpiration, AccessFailureLog, AccessLog
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth.models import Group, Permission, User
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from everytouch import demo
from everytouch.accounts.actions import issue_token, save_view
from everytouch.accounts.models import Role
from everytouch.accounts.second_factor import pending_device
from everytouch.accounts.sessions import Client as Seen
from everytouch.accounts.sessions import record_login_session
from everytouch.cli import main
from everytouch.customers.models import Customer
from everytouch.followups.ical import issue_feed
from everytouch.leads.models import Lead
from everytouch.leads.webhooks import create_endpoint, emit
from everytouch.ops import backup
from everytouch.outbox import claims, workers
from everytouch.privacy.actions import erase_customer
from everytouch.quality.campaigns import create_link
from everytouch.quality.coaching import record_session
from everytouch.quality.models import Campaign, Playbook
from everytouch.quality.playbooks import start_rescore
from everytouch.staff.departures.actions import open_departure
from everytouch.staff.directory.actions import ensure_staff

pytestmark = pytest.mark.django_db(transaction=True)

Snapshot = dict[str, list[tuple[Any, ...]]]


def snapshot() -> Snapshot:
    """Every row of every table in the database (the apps', Django's and the task queue's)."""
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
        if connection.vendor == "sqlite":
            # A contentless FTS5 table (the customer search) cannot be scanned; its shadow
            # tables, which hold the whole index, are compared instead.
            cursor.execute("SELECT name FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL%'")
            tables -= {name for (name,) in cursor.fetchall()}
        rows = {}
        for table in sorted(tables):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            rows[table] = sorted(cursor.fetchall(), key=repr)
    return rows


def _fill_what_the_demo_leaves_empty() -> None:
    owner = User.objects.get(username=demo.STAFF[0].username)
    rep = User.objects.filter(profile__role=Role.REP).first()
    assert rep is not None
    group = Group.objects.create(name="Auditors")
    owner.groups.add(group)
    group.permissions.add(Permission.objects.first())  # type: ignore[arg-type]
    owner.user_permissions.add(Permission.objects.last())  # type: ignore[arg-type]
    LogEntry.objects.log_actions(owner.pk, [owner], ADDITION)
    _, raw = issue_token(owner, "phone system")
    api = Client(headers={"Authorization": f"Bearer {raw}", "Idempotency-Key": "call-1"})
    made = api.post("/api/v1/customers", {"name": "Bob"}, content_type="application/json")
    assert made.status_code == 201, made.content
    Client().force_login(owner)  # a session row
    save_view(owner, "customers", "Mine", "owner=me")
    issue_feed(owner)
    endpoint = create_endpoint("https://crm.example.com/hook", ["lead.created"])
    emit("lead.created", Lead.objects.all()[0], "evt-1")
    assert endpoint.deliveries.exists()
    now = timezone.now()
    record_session(rep, owner, ["asked_name"], "Ask the name first.", now)
    start_rescore(Playbook.objects.all()[0], now.date(), owner)
    create_link(Campaign.objects.all()[0], "Anna", None, now)
    open_departure(ensure_staff(rep), now.date() + timedelta(days=30), owner)
    _fill_login_records(owner, now)
    workers.beat("worker-1")
    with transaction.atomic():
        assert claims.take("webhook", 1) is not None
    erase_customer(Customer.objects.order_by("-pk")[0], owner)


def _fill_login_records(owner: User, now: Any) -> None:
    record_login_session(owner, "k" * 32, Seen("203.0.113.5", "Firefox"))
    pending_device(owner)
    seen = {"ip_address": "203.0.113.9", "username": "anna", "user_agent": "curl"}
    attempt = AccessAttempt.objects.create(
        **seen, attempt_time=now, get_data="", post_data="", failures_since_start=1
    )
    AccessAttemptExpiration.objects.create(access_attempt=attempt, expires_at=now)
    AccessFailureLog.objects.create(**seen, attempt_time=now, locked_out=False)
    AccessLog.objects.create(**seen, attempt_time=now)


def _load() -> Snapshot:
    demo.load_demo(size=0.05)
    _fill_what_the_demo_leaves_empty()
    return snapshot()


def test_it_round_trips_every_table_through_a_backup(tmp_path: Path) -> None:
    before = _load()
    filled = [table for table, rows in before.items() if rows]
    # Every table has rows, so a table the backup lost or emptied would show; a new table the
    # demo and the filler above leave empty fails here until it is filled too.
    assert sorted(set(before) - set(filled)) == []

    assert main(["backup", str(tmp_path)]) == 0
    (made,) = tmp_path.iterdir()
    assert stat.S_IMODE(made.stat().st_mode) == 0o600
    call_command("flush", interactive=False, verbosity=0)
    assert snapshot() != before

    assert main(["restore", str(made)]) == 0
    assert snapshot() == before


def test_it_refuses_to_restore_over_data_without_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _load()
    made = backup.backup(tmp_path / "first")
    assert main(["restore", str(made)]) == 2
    assert "holds data; pass --force" in capsys.readouterr().err
    assert main(["restore", "--force", str(made)]) == 0


def test_it_refuses_a_missing_or_damaged_backup_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["restore", str(tmp_path / "nothing")]) == 2
    assert "is not a file" in capsys.readouterr().err
    damaged = tmp_path / "damaged"
    damaged.write_bytes(b"SQLite format 3\x00" + os.urandom(4096))
    assert main(["restore", str(damaged)]) == 2
    assert "is not a usable backup" in capsys.readouterr().err
    assert not backup.holds_data()
    # Over a database with data, the wrong file is still what is reported.
    demo.load_demo(size=0.05)
    assert main(["restore", "--force", str(damaged)]) == 2
    assert "is not a usable backup" in capsys.readouterr().err


def test_it_never_overwrites_an_existing_file_with_a_backup(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    existing = tmp_path / "keep.sqlite3"
    existing.write_text("mine")
    assert main(["backup", str(existing)]) == 2
    assert "exists" in capsys.readouterr().err
    assert existing.read_text() == "mine"


def test_it_names_the_package_to_install_when_pg_dump_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite backs up without pg_dump")
    monkeypatch.setattr(backup, "PG_VERSIONED_BIN", str(tmp_path))
    monkeypatch.setattr("shutil.which", lambda name: None)
    assert main(["backup", str(tmp_path)]) == 1
    assert "pg_dump is not installed" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
