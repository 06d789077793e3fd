"""The console script, called in-process: exit codes, output, and what ends up in the database."""

from __future__ import annotations

import argparse
import ast
import codecs
import functools
import importlib
import io
import os
import socket
import subprocess
import sys
import types
from pathlib import Path

import pytest
from django.contrib.auth.models import User

from everytouch import demo
from everytouch.accounts.actions import issue_token, revoke_token
from everytouch.accounts.models import ApiToken, Role, Scope, hash_token
from everytouch.cli import build_parser, main
from everytouch.cli.people import SCOPES
from everytouch.cli.processes import demo_environment
from everytouch.cli.registry import COMMAND_MODULES
from everytouch.customers.actions import CustomerData, create_customer
from everytouch.customers.models import ContactPoint, Customer, EventKind, TimelineEvent
from everytouch.outbox import workers
from everytouch.outbox.models import WorkerHeartbeat
from everytouch.testing import PASSWORD

HEADER = "name,company,phone,email,owner,notes\n"


def _csv(tmp_path: Path, body: str, header: str = HEADER) -> str:
    path = tmp_path / "customers.csv"
    path.write_text(header + body, encoding="utf-8")
    return str(path)


def _contacts() -> set[tuple[str, str, str]]:
    return {
        (p.customer.name, p.kind, p.value) for p in ContactPoint.objects.select_related("customer")
    }


@pytest.mark.django_db
def test_it_creates_a_user_with_a_role(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "createuser",
            "nina",
            "--role",
            "rep",
            "--password",
            PASSWORD,
            "--email",
            "Nina@Example.com",
        ]
    )
    user = User.objects.get(username="nina")
    assert code == 0
    assert user.profile.role == Role.REP
    assert user.check_password(PASSWORD)
    assert user.email == "nina@example.com"
    assert "Created rep nina" in capsys.readouterr().out


@pytest.mark.django_db
def test_it_reads_the_password_from_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["createuser", "nina", "--role", "trainer", "--password-stdin"]) == 0
    assert User.objects.get(username="nina").check_password(PASSWORD)


@pytest.mark.django_db
def test_it_refuses_a_user_without_a_password_off_a_terminal(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(["createuser", "nina", "--role", "rep"]) == 2
    assert "no password" in capsys.readouterr().err
    assert not User.objects.filter(username="nina").exists()


@pytest.mark.django_db
def test_it_refuses_a_weak_password_or_a_taken_username(
    rep: User, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["createuser", "nina", "--role", "rep", "--password", "short"]) == 2
    assert main(["createuser", rep.username, "--role", "rep", "--password", PASSWORD]) == 2
    err = capsys.readouterr().err
    assert "too short" in err
    assert "already exists" in err
    assert "Traceback" not in err
    assert not User.objects.filter(username="nina").exists()


@pytest.mark.django_db
def test_it_refuses_an_unknown_role(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["createuser", "nina", "--role", "boss", "--password", PASSWORD]) == 2
    assert "invalid choice: 'boss'" in capsys.readouterr().err


@pytest.mark.django_db
def test_it_prints_a_new_token_once_and_stores_only_its_hash(
    rep: User, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["token", "create", rep.username, "phone system"]) == 0
    out, err = capsys.readouterr()
    raw = out.strip()
    token = ApiToken.objects.get(user=rep)
    assert raw.startswith("et_")
    assert token.key_hash == hash_token(raw)
    assert token.name == "phone system"
    assert raw not in err


@pytest.mark.django_db
def test_it_gives_a_token_the_scopes_asked_for(
    rep: User, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["token", "create", rep.username, "hr", "--scope", "admin", "--scope", "read"]
    assert main(argv) == 0
    assert ApiToken.objects.get(user=rep).scopes == "read admin"
    assert "scopes: read admin" in capsys.readouterr().err


@pytest.mark.django_db
def test_it_gives_a_token_read_and_write_unless_told(rep: User) -> None:
    assert main(["token", "create", rep.username, "pbx"]) == 0
    assert ApiToken.objects.get(user=rep).scopes == "read write"


@pytest.mark.django_db
def test_it_refuses_an_unknown_scope(rep: User, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["token", "create", rep.username, "pbx", "--scope", "root"]) == 2
    assert "invalid choice: 'root'" in capsys.readouterr().err
    assert not ApiToken.objects.exists()


def test_it_offers_every_scope_the_model_knows() -> None:
    assert tuple(s.value for s in Scope) == SCOPES


@pytest.mark.django_db
def test_it_lists_live_tokens_with_their_scopes(
    rep: User, manager: User, capsys: pytest.CaptureFixture[str]
) -> None:
    live, _ = issue_token(rep, "pbx", [Scope.READ])
    gone, _ = issue_token(manager, "hr", [Scope.ADMIN])
    revoke_token(gone)
    assert main(["token", "list"]) == 0
    out = capsys.readouterr().out
    assert f"{live.prefix}  ron  'pbx'  scopes: read  last used: never" in out
    assert gone.prefix not in out
    assert main(["token", "list", "maria", "--all"]) == 0
    out = capsys.readouterr().out
    assert f"{gone.prefix}  maria  'hr'  scopes: admin" in out and "revoked" in out
    assert live.prefix not in out


@pytest.mark.django_db
@pytest.mark.parametrize("prefix", ["Ab3_xYz9", "-Ab3_xYz", "--Ab3_xY"])
def test_it_revokes_a_token_by_prefix(
    monkeypatch: pytest.MonkeyPatch, rep: User, prefix: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # Fixed prefixes: a random one starts with "-" only now and then, which argparse reads as
    # an option unless the CLI says otherwise.
    raw = f"et_{prefix}{'q' * 35}"
    monkeypatch.setattr(ApiToken, "new_raw", staticmethod(lambda: raw))
    main(["token", "create", rep.username, "crm sync"])
    assert capsys.readouterr().out.strip() == raw
    assert main(["token", "revoke", prefix]) == 0
    assert ApiToken.objects.get(user=rep).revoked_at is not None
    assert f"(prefix {prefix})" in capsys.readouterr().out
    # Revoked tokens are no longer "active", so a second revoke is a user error.
    assert main(["token", "revoke", raw]) == 2
    assert f"no active token with prefix {prefix!r}" in capsys.readouterr().err


@pytest.mark.django_db
@pytest.mark.parametrize(
    "argv",
    [
        ["-abc_xYz"],
        ["--", "-abc_xYz"],
        ["--prefix", "-abc_xYz"],
        ["--prefix=-abc_xYz"],
        ["et_-abc_xYz"],
    ],
)
def test_it_revokes_a_prefix_starting_with_a_dash_however_it_is_given(
    monkeypatch: pytest.MonkeyPatch, rep: User, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(ApiToken, "new_raw", staticmethod(lambda: f"et_-abc_xYz{'q' * 35}"))
    main(["token", "create", rep.username, "crm sync"])
    assert main(["token", "revoke", *argv]) == 0
    assert ApiToken.objects.get(user=rep).revoked_at is not None
    assert "(prefix -abc_xYz)" in capsys.readouterr().out


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "give the token's prefix once"),
        (["abc", "--prefix", "abd"], "give the token's prefix once"),
        (["--prefix"], "argument --prefix: expected one argument"),
        (["-abc", "extra"], "unrecognized arguments: extra"),
    ],
)
def test_it_refuses_a_revoke_without_exactly_one_prefix(
    rep: User, argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    token, _ = issue_token(rep, "crm sync")
    assert main(["token", "revoke", *argv]) == 2
    assert message in capsys.readouterr().err
    token.refresh_from_db()
    assert token.revoked_at is None


@pytest.mark.django_db
def test_it_refuses_tokens_for_unknown_users_and_prefixes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["token", "create", "ghost", "x"]) == 2
    assert main(["token", "revoke", "abcdefgh"]) == 2
    err = capsys.readouterr().err
    assert "no user named 'ghost'" in err
    assert "no active token with prefix 'abcdefgh'" in err
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_it_imports_customers_with_their_contacts_and_owner(
    tmp_path: Path, rep: User, capsys: pytest.CaptureFixture[str]
) -> None:
    body = (
        "Ann Lee,Lee Dental,(312) 555-0101,Ann@LeeDental.example,ron,Office manager\n"
        "Bo Chen,,312.555.0102,,,\n"
        ",Acme Tool & Die,,orders@acme.example,ron,\n"
    )
    path = _csv(tmp_path, body, header="name,company,phone,email,owner,notes\n")
    assert main(["import", "customers", path]) == 0
    ann = Customer.objects.get(name="Ann Lee")
    assert Customer.objects.count() == 3
    assert ann.owner == rep
    assert ann.notes == "Office manager"
    assert set(ann.contacts.values_list("value", flat=True)) == {
        "+13125550101",
        "ann@leedental.example",
    }
    assert TimelineEvent.objects.filter(kind=EventKind.CUSTOMER_CREATED).count() == 3
    assert "Imported 3 customer(s)" in capsys.readouterr().out


@pytest.mark.django_db
def test_it_accepts_extra_phone_and_email_columns(tmp_path: Path) -> None:
    header = "name,phone,phone2,email,email2\n"
    path = _csv(tmp_path, "Ann Lee,3125550101,3125550102,a@x.example,b@x.example\n", header)
    assert main(["import", "customers", path]) == 0
    assert Customer.objects.get().contacts.count() == 4


@pytest.mark.django_db
def test_it_imports_nothing_and_reports_every_bad_row(
    tmp_path: Path, rep: User, capsys: pytest.CaptureFixture[str]
) -> None:
    create_customer(CustomerData(name="Existing", contacts=["+13125550199"]), None)
    body = (
        "Good One,,3125550101,,,\n"  # line 2
        "Bad Phone,,12345,,,\n"  # line 3
        "Bad Mail,,,not-an-email,,\n"  # line 4
        "No Owner,,3125550103,,ghost,\n"  # line 5
        "Taken,,(312) 555-0199,,,\n"  # line 6
        "Twice,,312-555-0101,,,\n"  # line 7: same phone as line 2
        "Good Two,,3125550104,,ron,\n"  # line 8
    )
    before = Customer.objects.count()
    assert main(["import", "customers", _csv(tmp_path, body)]) == 2
    err = capsys.readouterr().err
    assert Customer.objects.count() == before
    assert not ContactPoint.objects.filter(value="+13125550101").exists()
    assert "line 2:" not in err
    assert "line 3: invalid phone" in err
    assert "line 4: invalid e-mail" in err
    assert "line 5: unknown owner 'ghost'" in err
    assert "line 6: +13125550199 already belongs to Existing" in err
    assert "line 7: +13125550101 is also on line 2" in err
    assert "5 bad row(s) of 7" in err
    assert "Nothing imported" in err


@pytest.mark.django_db
def test_it_imports_the_good_rows_with_skip_invalid(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = "Good One,,3125550101,,,\nBad Phone,,12345,,,\nGood Two,,3125550102,,,\n"
    assert main(["import", "customers", _csv(tmp_path, body), "--skip-invalid"]) == 0
    out, err = capsys.readouterr()
    assert sorted(Customer.objects.values_list("name", flat=True)) == ["Good One", "Good Two"]
    assert "line 3: invalid phone" in err
    assert "Imported 2 customer(s)" in out


@pytest.mark.django_db
def test_it_imports_nothing_on_a_dry_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", "customers", _csv(tmp_path, "Ann,,3125550101,,,\n"), "--dry-run"]) == 0
    assert not Customer.objects.exists()
    assert "1 customer(s) would be imported" in capsys.readouterr().out


@pytest.mark.django_db
def test_it_refuses_a_file_with_unknown_columns_or_no_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", "customers", _csv(tmp_path, "Ann,x\n", header="name,emial\n")]) == 2
    assert main(["import", "customers", str(tmp_path / "missing.csv")]) == 2
    err = capsys.readouterr().err
    assert "unknown column(s) 'emial'" in err
    assert "cannot read" in err
    assert "Traceback" not in err


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("encoding", "bom", "delimiter", "reported"),
    [
        ("cp1252", b"", ";", "Windows-1252 text, columns separated by semicolons"),
        ("utf-16-le", codecs.BOM_UTF16_LE, "\t", "UTF-16 text, columns separated by tabs"),
        ("utf-8", codecs.BOM_UTF8, ";", "UTF-8 (with a byte-order mark) text, columns separated"),
    ],
)
def test_it_imports_a_file_as_a_spreadsheet_saved_it_and_says_how_it_read_it(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    encoding: str,
    bom: bytes,
    delimiter: str,
    reported: str,
) -> None:
    text = f"Name{delimiter}Company{delimiter}Phone\r\nJosé Núñez{delimiter}Café Zoë{delimiter}"
    path = tmp_path / "excel.csv"
    path.write_bytes(bom + (text + "(312) 555-0101\r\n").encode(encoding))
    assert main(["import", "customers", str(path)]) == 0
    jose = Customer.objects.get()
    assert (jose.name, jose.company) == ("José Núñez", "Café Zoë")
    assert jose.contacts.get().value == "+13125550101"
    assert f"Reading {path} as {reported}" in capsys.readouterr().err


@pytest.mark.django_db
def test_it_says_an_8bit_file_was_read_as_windows_1252_and_how_to_name_another(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "mac.csv"
    path.write_bytes("name\nZoë\n".encode("mac_roman"))
    assert main(["import", "customers", str(path), "--dry-run"]) == 0
    assert "It is not UTF-8" in capsys.readouterr().err
    assert main(["import", "customers", str(path), "--encoding", "mac_roman"]) == 0
    assert Customer.objects.get().name == "Zoë"
    assert "It is not UTF-8" not in capsys.readouterr().err


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "argv", "message"),
    [
        ("name\nAnn\n".encode("utf-16-le"), [], "NUL bytes"),
        (b"PK\x03\x04\x14\x00", [], "workbook"),
        ("name\nZoë\n".encode("cp1252"), ["--encoding", "utf-8"], "not utf-8 text"),
        (b"name\nAnn\n", ["--encoding", "klingon"], "unknown encoding 'klingon'"),
    ],
)
def test_it_refuses_an_unreadable_file_naming_the_problem_and_stores_nothing(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    data: bytes,
    argv: list[str],
    message: str,
) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(data)
    assert main(["import", "customers", str(path), *argv]) == 2
    err = capsys.readouterr().err
    assert f"{path}: " in err and message in err
    assert "Traceback" not in err
    assert not Customer.objects.exists()


@pytest.mark.django_db
def test_it_exports_customers_that_import_back_unchanged(
    tmp_path: Path, rep: User, capsys: pytest.CaptureFixture[str]
) -> None:
    notes = 'Prefers e-mail.\nAsk for "Dee", not Deborah.'
    data = CustomerData("Deborah Kim", "Kim, Park & Co", notes, rep, ["3125550101", "d@kp.example"])
    create_customer(data, None)
    create_customer(CustomerData(company="Acme", contacts=["3125550102", "7735550103"]), None)
    out = tmp_path / "export.csv"
    assert main(["export", "customers", "--output", str(out)]) == 0
    before = _contacts(), set(Customer.objects.values_list("name", "company", "notes", "owner"))
    Customer.objects.all().delete()
    assert main(["import", "customers", str(out)]) == 0
    after = _contacts(), set(Customer.objects.values_list("name", "company", "notes", "owner"))
    assert after == before
    assert out.read_text().splitlines()[0] == "name,company,phone,email,owner,notes,phone2"


@pytest.mark.django_db
def test_it_exports_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    create_customer(CustomerData(name="Ann Lee", contacts=["3125550101"]), None)
    assert main(["export", "customers"]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines() == ["name,company,phone,email,owner,notes", "Ann Lee,,+13125550101,,,"]
    assert "Exported 1 customer(s)" in err


def test_it_exits_2_on_an_unknown_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["frobnicate"]) == 2
    assert main([]) == 2
    assert main(["createuser", "x", "--role", "rep", "--bogus"]) == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'frobnicate'" in err
    assert "unrecognized arguments: --bogus" in err
    assert "Traceback" not in err


@pytest.mark.django_db
def test_it_serves_the_wsgi_app_with_gunicorn(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[list[str]] = []

    def fake_execv(path: str, argv: list[str]) -> None:
        calls.append(argv)
        raise SystemExit(0)

    monkeypatch.setattr("everytouch.cli.processes.os.execv", fake_execv)
    with pytest.raises(SystemExit):
        main(["serve", "--port", "8123"])
    argv = " ".join(calls[0])
    assert "-m gunicorn everytouch.wsgi:application" in argv
    assert "--bind 127.0.0.1:8123" in argv
    assert "--workers 2 --threads 4 --worker-class gthread" in argv
    assert "--keep-alive 5" in argv


def test_it_refuses_a_bad_port_or_worker_count() -> None:
    assert main(["serve", "--port", "70000"]) == 2
    assert main(["serve", "--workers", "0"]) == 2


@pytest.mark.django_db
def test_it_runs_the_database_worker_with_options_passed_through(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[list[str]] = []
    monkeypatch.setattr(
        "django.core.management.ManagementUtility.execute", lambda self: seen.append(self.argv)
    )
    assert main(["worker", "--batch", "--interval", "2"]) == 0
    # The task backend's worker id is the heartbeat's, so a dead worker's tasks can be failed.
    worker_id = workers.identity()
    assert seen == [
        ["everytouch", "db_worker", "--worker-id", worker_id, "--batch", "--interval", "2"]
    ]
    assert WorkerHeartbeat.objects.filter(worker_id=worker_id).exists()
    assert main(["worker", "--worker-id", "mine"]) == 0
    assert seen[-1] == ["everytouch", "db_worker", "--worker-id", "mine"]


@pytest.mark.django_db
def test_it_loads_the_demo_once_and_prints_the_logins(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    started: list[tuple[str, ...]] = []
    # The demo sets both for its children; set here, they are removed again after the test.
    monkeypatch.setenv("TIME_ZONE", "UTC")
    monkeypatch.setenv("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
    monkeypatch.setattr("everytouch.demo.load_demo", functools.partial(demo.load_demo, size=0.05))
    monkeypatch.setattr("everytouch.cli.processes.child", lambda *args, env: started.append(args))
    monkeypatch.setattr("everytouch.cli.processes.supervise", lambda children: 0)
    port = _free_port()
    assert main(["demo", "--port", str(port)]) == 0
    out = capsys.readouterr().out
    assert f"http://127.0.0.1:{port}/" in out
    assert all(s.username in out for s in demo.STAFF)
    assert demo.DEMO_PASSWORD in out
    assert [args[0] for args in started] == ["worker", "sweep", "serve"]
    customers = Customer.objects.count()
    assert main(["demo", "--port", str(port)]) == 0
    assert "already loaded" in capsys.readouterr().out
    assert Customer.objects.count() == customers == 15


ALL_INTERFACES = "0.0.0.0"  # noqa: S104 (the demo is not started)


@pytest.mark.parametrize(
    ("host", "site_url", "expected"),
    [
        ("127.0.0.1", "", "http://127.0.0.1:{port}"),
        (ALL_INTERFACES, "", "http://127.0.0.1:{port}"),
        ("::1", "", "http://[::1]:{port}"),
        (ALL_INTERFACES, "https://crm.example", None),
    ],
)
def test_it_points_the_demos_links_at_the_address_it_serves(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    host: str,
    site_url: str,
    expected: str | None,
) -> None:
    envs: dict[str, dict[str, str]] = {}
    monkeypatch.setenv("SITE_URL", site_url)
    # The demo sets both for its children; set here, they are removed again after the test.
    monkeypatch.setenv("TIME_ZONE", "UTC")
    monkeypatch.setenv("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
    monkeypatch.setattr("everytouch.cli.processes._check_port_free", lambda host, port: None)
    monkeypatch.setattr("everytouch.cli.processes._prepare_demo", lambda reset: None)
    monkeypatch.setattr("everytouch.cli.processes._print_banner", print)
    monkeypatch.setattr(
        "everytouch.cli.processes.child", lambda *args, env: envs.setdefault(args[0], env)
    )
    monkeypatch.setattr("everytouch.cli.processes.supervise", lambda children: 0)
    assert main(["demo", "--host", host, "--port", "8001"]) == 0
    assert set(envs) == {"worker", "sweep", "serve"}
    want = {} if expected is None else {"SITE_URL": expected.format(port=8001)}
    assert all(env == want for env in envs.values())
    banner = "http://[::1]:8001/" if host == "::1" else "http://127.0.0.1:8001/"
    assert banner in capsys.readouterr().out


def test_it_serves_make_run_on_the_port_and_host_given_to_make() -> None:
    root = Path(__file__).resolve().parents[2]

    def run_line(*argv: str, env: dict[str, str] | None = None) -> str:
        dry = ["make", "-s", "-n", "-C", str(root), "run", *argv]
        result = subprocess.run(
            dry, capture_output=True, text=True, check=True, env={**os.environ, **(env or {})}
        )
        return result.stdout.strip().splitlines()[-1]

    assert run_line().endswith("everytouch demo --host 127.0.0.1 --port 8000")
    assert run_line("PORT=8001", "HOST=0.0.0.0").endswith("demo --host 0.0.0.0 --port 8001")
    # An exported HOST is a machine name in tcsh, never where the demo should listen.
    assert run_line(env={"HOST": "workstation"}).endswith("--host 127.0.0.1 --port 8000")


def test_it_serves_the_demo_in_chicago_unless_a_time_zone_is_set() -> None:
    environ: dict[str, str] = {}
    demo_environment(environ)
    assert environ["TIME_ZONE"] == "America/Chicago"
    chosen = {"TIME_ZONE": "Europe/Berlin"}
    demo_environment(chosen)
    assert chosen["TIME_ZONE"] == "Europe/Berlin"


def test_it_reads_the_demo_zone_into_the_settings_its_processes_load() -> None:
    # A fresh interpreter, as `everytouch demo` and its children are: the zone must be in the
    # environment before Django reads its settings.
    script = (
        "import os\n"
        "from everytouch.cli.processes import demo_environment\n"
        "from everytouch.cli_base import setup_django\n"
        "demo_environment(os.environ)\n"
        "setup_django()\n"
        "from everytouch.business_time import business_tz\n"
        "print(business_tz())\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "TIME_ZONE"}
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, env=env
    )
    assert result.stdout.strip() == "America/Chicago"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_it_refuses_to_start_the_demo_on_a_busy_port(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        assert main(["demo", "--port", str(busy.getsockname()[1])]) == 2
    assert "try --port" in capsys.readouterr().err


def test_it_hands_analyze_arguments_to_the_analysis_cli(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[argparse.Namespace] = []
    fake = types.ModuleType("everytouch.analysis.cli")

    def run(args: argparse.Namespace) -> int:
        seen.append(args)
        return 3

    fake.add_arguments = lambda parser: parser.add_argument("path")  # type: ignore[attr-defined]
    fake.run = run  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "everytouch.analysis.cli", fake)
    assert main(["analyze", "calls.jsonl"]) == 3
    assert seen[0].path == "calls.jsonl"
    assert main(["analyze"]) == 2


def test_it_hands_analyze_train_arguments_to_the_training_cli(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[argparse.Namespace] = []
    fake = types.ModuleType("everytouch.analysis.train_cli")

    def run_train(args: argparse.Namespace) -> int:
        seen.append(args)
        return 4

    fake.add_train_arguments = lambda parser: parser.add_argument("--check")  # type: ignore[attr-defined]
    fake.run_train = run_train  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "everytouch.analysis.train_cli", fake)
    assert main(["analyze", "train", "--check", "offered_warranty"]) == 4
    assert seen[0].check == "offered_warranty"
    assert main(["analyze", "train", "extra"]) == 2


def test_it_reports_a_missing_analysis_module(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "everytouch.analysis.cli", None)
    assert main(["analyze", "x"]) == 1
    assert "not available" in capsys.readouterr().err


def test_it_builds_the_parser_without_importing_django() -> None:
    code = (
        "import sys; from everytouch import cli; cli.build_parser(); print('django' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


@pytest.mark.django_db
def test_it_refuses_the_demo_when_a_demo_username_is_taken(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    User.objects.create(username="dana")
    monkeypatch.setattr(
        "everytouch.cli.processes.child", lambda *args, env: pytest.fail("no server expected")
    )
    assert main(["demo", "--port", str(_free_port())]) == 2
    assert "demo usernames already taken: dana" in capsys.readouterr().err
    assert not Customer.objects.exists()


@pytest.mark.django_db
def test_it_passes_django_command_errors_through_as_exit_codes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["migrate", "nosuchapp"]) == 1
    assert "No installed app with label 'nosuchapp'" in capsys.readouterr().err


def test_it_runs_as_a_module_as_the_demo_starts_its_children() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "everytouch.cli", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "createuser" in result.stdout


def test_it_adds_the_commands_of_every_registered_module() -> None:
    parser = build_parser()
    subcommands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert list(subcommands.choices) == [
        "demo",
        "serve",
        "worker",
        "sweep",
        "migrate",
        "createuser",
        "users",
        "token",
        "import",
        "export",
        "analyze",
        "check",
        "backup",
        "restore",
        "customers",
        "search",
        "leads",
        "promises",
        "quality",
    ]


@pytest.mark.parametrize(
    "module", [m for m in COMMAND_MODULES if not m.startswith("everytouch.cli")]
)
def test_it_lets_app_command_modules_import_only_the_public_helpers(module: str) -> None:
    # The cli package is the top layer and imports apps; an app's commands share only the
    # public helpers of `everytouch.cli_base` with it, never the package or its private names.
    source = Path(str(importlib.import_module(module).__file__)).read_text(encoding="utf-8")
    tree = ast.parse(source)
    imported = {
        node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("everytouch.cli")
    }
    assert imported == {"everytouch.cli_base"}
