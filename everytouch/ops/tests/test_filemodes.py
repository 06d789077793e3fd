"""The data directory is created 700 and the database (with its -wal and -shm files), the secret
key and mail files 600; an older install's looser modes are tightened on start and reported by
`everytouch check`."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.mail import EmailMessage
from django.test import override_settings

from everytouch.ops import checks, filemodes, mailfiles

# Run in a child process with a fresh data directory: send one mail with the file backend, write
# to the database and, with the connection (and so the -wal and -shm files) still open, report
# every path's mode.
CHILD = """
import json, os, stat, django
from pathlib import Path
django.setup()
from django.core.mail import send_mail
from django.db import connection
send_mail("Call Jane back", "About the toner.", "desk@example.com", ["rep@example.com"])
with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE touch (id integer)")
    cursor.execute("INSERT INTO touch VALUES (1)")
    var = Path(os.environ["EVERYTOUCH_VAR_DIR"])
    paths = [var, *var.iterdir(), *(var / "mail").iterdir()]
    print(json.dumps({p.name: oct(stat.S_IMODE(p.stat().st_mode)) for p in paths}))
"""


def _environment(var: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY"}}
    env.update(
        EVERYTOUCH_VAR_DIR=str(var),
        EMAIL_BACKEND=mailfiles.PATH,
        DJANGO_SETTINGS_MODULE="everytouch.settings",
    )
    return env


def _run(argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done


def _modes(var: Path) -> dict[str, str]:
    return {p.name: oct(stat.S_IMODE(p.stat().st_mode)) for p in [var, *var.iterdir()]}


def test_it_creates_the_data_directory_database_and_mail_private(tmp_path: Path) -> None:
    var = tmp_path / "var"
    env = _environment(var)
    os.umask(umask := os.umask(0o022))  # the usual umask, which would give 755 and 644
    _run([sys.executable, "-m", "everytouch.cli", "migrate", "--verbosity", "0"], env)
    modes = json.loads(_run([sys.executable, "-c", CHILD], env).stdout)
    os.umask(umask)

    assert modes.pop("var") == modes.pop("mail") == "0o700"
    assert {"everytouch.sqlite3", "everytouch.sqlite3-wal", "everytouch.sqlite3-shm"} <= set(modes)
    assert modes.pop("static") == "0o755"  # public files, served to anyone anyway
    assert set(modes.values()) == {"0o600"}, modes  # db, -wal, -shm, secret_key, the mail file


def test_it_tightens_an_older_install_on_migrate_and_check_reports_it_before(
    tmp_path: Path,
) -> None:
    var = tmp_path / "var"
    env = _environment(var)
    migrate = [sys.executable, "-m", "everytouch.cli", "migrate", "--verbosity", "0"]
    _run(migrate, env)
    for path, mode in ((var, 0o755), (var / "everytouch.sqlite3", 0o644)):
        path.chmod(mode)
    (var / "secret_key").chmod(0o664)

    check = [sys.executable, "-m", "everytouch.cli", "check"]
    before = subprocess.run(check, env=env, capture_output=True, text=True, timeout=300)
    # Five: the check's own connection made the -wal and -shm files with the database's mode.
    assert before.stdout.count("everytouch.W001") == 5, before.stdout
    assert _run(migrate, env).stderr.count("Tightened") == 3
    assert _modes(var) == {
        "var": "0o700",
        "everytouch.sqlite3": "0o600",
        "secret_key": "0o600",
        "static": "0o755",
    }


def test_it_writes_mail_files_only_the_owner_can_read(tmp_path: Path) -> None:
    mail = tmp_path / "mail"
    with override_settings(EMAIL_FILE_PATH=str(mail)):
        backend = mailfiles.EmailBackend()
        sent = backend.send_messages(
            [EmailMessage("Hi", "Body", "a@example.com", ["b@example.com"])]
        )
    assert sent == 1
    (written,) = mail.iterdir()
    assert stat.S_IMODE(mail.stat().st_mode) == 0o700
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    assert b"Body" in written.read_bytes()


def test_it_reports_and_tightens_only_what_others_may_open(tmp_path: Path) -> None:
    shared, private, symlink = tmp_path / "shared", tmp_path / "private", tmp_path / "link"
    shared.write_text("x")
    shared.chmod(0o644)
    private.write_text("x")
    private.chmod(0o400)
    symlink.symlink_to(shared)
    paths = filemodes.candidates(tmp_path, [shared, private, symlink], None)
    assert symlink not in paths
    tmp_path.chmod(0o755)
    assert [item.path for item in filemodes.loose(paths)] == [tmp_path, shared]
    filemodes.tighten(paths)
    assert stat.S_IMODE(tmp_path.stat().st_mode) == 0o700
    assert stat.S_IMODE(shared.stat().st_mode) == 0o600
    assert stat.S_IMODE(private.stat().st_mode) == 0o400  # never loosened
    assert filemodes.loose(paths) == []


@pytest.mark.django_db
def test_it_warns_in_the_checks_about_django_s_own_file_backend() -> None:
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend"):
        assert "everytouch.W007" in [m.id for m in checks.check_email()]
    with override_settings(EMAIL_BACKEND=mailfiles.PATH):
        assert [m.id for m in checks.check_email()] == []


def test_a_file_written_once_keeps_the_first_text_and_is_private(tmp_path: Path) -> None:
    path = tmp_path / "secret_key"
    assert filemodes.private_file_once(path, "first") == "first"
    assert filemodes.private_file_once(path, "second") == "first"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secret_key"]


def test_processes_starting_together_all_read_the_same_secret_key(tmp_path: Path) -> None:
    # Eight processes that each generate a key at once: all must end up signing with one key,
    # the one left in the file (writing and then reading back let a later writer win).
    # They wait for a "go" file rather than a time: the tests' clock is not the real one.
    code = (
        "import sys, time; from pathlib import Path;"
        "from everytouch.ops.filemodes import private_file_once;"
        "go = Path(sys.argv[2])\n"
        "while not go.exists(): time.sleep(0.001)\n"
        "print(private_file_once(Path(sys.argv[1]), sys.argv[3]))"
    )
    path, go = tmp_path / "secret_key", tmp_path / "go"
    children = [
        subprocess.Popen(
            [sys.executable, "-c", code, str(path), str(go), f"key-{n}"],
            stdout=subprocess.PIPE,
            text=True,
        )
        for n in range(8)
    ]
    go.touch()
    keys = {child.communicate(timeout=60)[0].strip() for child in children}
    assert keys == {path.read_text()}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["go", "secret_key"]
