"""The production switches: `check --deploy` is clean with them on, plain http keeps working with
the defaults, every response carries the strict Content-Security-Policy, and `everytouch check`
reports the app's own problems with exit codes 0, 1 and 2."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, override_settings

from everytouch.cli import main
from everytouch.env import env_proxy_header
from everytouch.ops import checks
from everytouch.testing.workers import TEST_REDIS_URL, _redis_or_skip

ROOT = Path(__file__).resolve().parents[3]
PRODUCTION = {
    "EVERYTOUCH_HTTPS": "on",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "on",
    "SECURE_HSTS_PRELOAD": "on",
    "EVERYTOUCH_PROXY_SSL_HEADER": "X-Forwarded-Proto",
    "SECRET_KEY": "k" * 20 + "a-long-random-production-key-0123456789-abcdefghij",
    "DEBUG": "off",
    "ALLOWED_HOSTS": "desk.example.com",
    "SITE_URL": "https://desk.example.com",
    "EMAIL_HOST": "smtp.example.com",
    "EMAIL_PORT": "587",
    "EMAIL_USE_TLS": "on",
    "EMAIL_HOST_PASSWORD": "mail-secret",
}
POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
)


def _run(argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300, cwd=ROOT)


def test_it_passes_django_s_deployment_checks_with_the_production_switches_on(
    tmp_path: Path,
) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY"}}
    env |= PRODUCTION | {"EVERYTOUCH_VAR_DIR": str(tmp_path / "var")}
    cli = [sys.executable, "-m", "everytouch.cli"]
    assert _run([*cli, "migrate", "--verbosity", "0"], env).returncode == 0

    django = _run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "INFO"], env)
    assert django.returncode == 0, django.stderr
    assert "System check identified no issues" in django.stdout
    ours = _run([*cli, "check", "--fail-level", "INFO"], env)
    assert ours.returncode == 0, ours.stdout
    assert "All checks passed" in ours.stdout


def test_it_keeps_plain_http_working_with_the_defaults(client: Client) -> None:
    assert not settings.SECURE_SSL_REDIRECT
    assert not settings.SESSION_COOKIE_SECURE and not settings.CSRF_COOKIE_SECURE
    assert settings.SECURE_HSTS_SECONDS == 0
    assert client.get("/login/").status_code == 200


def test_it_sends_the_strict_policy_and_the_safe_headers_on_every_page(client: Client) -> None:
    response = client.get("/login/")
    # The same directives; django-csp orders them its own way.
    directives = response.headers["Content-Security-Policy"].split("; ")
    assert sorted(directives) == sorted(POLICY.split("; "))
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert settings.SESSION_COOKIE_HTTPONLY


def test_it_reads_the_proxy_header_by_name_and_refuses_a_bad_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("EVERYTOUCH_PROXY_SSL_HEADER", "X-Forwarded-Proto")
    assert env_proxy_header("EVERYTOUCH_PROXY_SSL_HEADER") == ("HTTP_X_FORWARDED_PROTO", "https")
    monkeypatch.setenv("EVERYTOUCH_PROXY_SSL_HEADER", "X-Forwarded-Proto: https")
    with pytest.raises(ImproperlyConfigured, match="an HTTP header name"):
        env_proxy_header("EVERYTOUCH_PROXY_SSL_HEADER")
    monkeypatch.delenv("EVERYTOUCH_PROXY_SSL_HEADER")
    assert env_proxy_header("EVERYTOUCH_PROXY_SSL_HEADER") is None


def _ids(found: Sequence[object]) -> list[str]:
    return [str(getattr(message, "id", "")) for message in found]


def test_it_refuses_https_with_an_http_site_url() -> None:
    with override_settings(EVERYTOUCH_HTTPS=True, SITE_URL="http://desk.example.com"):
        assert _ids(checks.check_https_site_url()) == ["everytouch.E003"]
    with override_settings(EVERYTOUCH_HTTPS=True, SITE_URL="https://desk.example.com"):
        assert checks.check_https_site_url() == []


def test_it_warns_of_a_redirect_loop_without_the_proxy_header() -> None:
    with override_settings(SECURE_SSL_REDIRECT=True, SECURE_PROXY_SSL_HEADER=None):
        assert _ids(checks.check_proxy_header()) == ["everytouch.W004"]
    header = ("HTTP_X_FORWARDED_PROTO", "https")
    with override_settings(SECURE_SSL_REDIRECT=True, SECURE_PROXY_SSL_HEADER=header):
        assert checks.check_proxy_header() == []


def test_it_warns_of_smtp_to_this_machine_and_a_password_sent_in_clear() -> None:
    smtp = checks.SMTP_BACKEND
    with override_settings(EMAIL_BACKEND=smtp, EMAIL_HOST="localhost"):
        assert _ids(checks.check_email()) == ["everytouch.W005"]
    with override_settings(
        EMAIL_BACKEND=smtp, EMAIL_HOST="smtp.example.com", EMAIL_HOST_PASSWORD="x"
    ):
        assert _ids(checks.check_email()) == ["everytouch.W006"]


def test_it_reports_an_unreachable_redis_for_the_rq_backend() -> None:
    rq = {"default": {"BACKEND": settings.RQ_TASK_BACKEND}}
    queues = {"default": {"URL": "redis://127.0.0.1:1/0"}}
    with override_settings(TASKS=rq, RQ_QUEUES=queues):
        assert _ids(checks.check_task_backend()) == ["everytouch.E008"]
    _redis_or_skip()
    with override_settings(TASKS=rq, RQ_QUEUES={"default": {"URL": TEST_REDIS_URL}}):
        assert checks.check_task_backend() == []


@pytest.mark.django_db
def test_it_finds_the_test_database_migrated() -> None:
    assert checks.check_migrations() == []


@pytest.mark.django_db
def test_it_exits_1_only_at_the_fail_level_and_2_for_a_bad_level(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Plain http in the test settings: Django's HTTPS warnings, no error.
    assert main(["check"]) == 0
    assert "security.W008" in capsys.readouterr().out
    assert main(["check", "--fail-level", "warning"]) == 1
    assert main(["check", "--fail-level", "loud"]) == 2
    with override_settings(EVERYTOUCH_HTTPS=True):
        assert main(["check"]) == 1
    assert "everytouch.E003" in capsys.readouterr().out


def test_it_asks_many_machines_for_one_secret_key_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "secret_key").write_text("generated-here")
    monkeypatch.setattr(checks, "one_machine", lambda: False)
    with override_settings(VAR_DIR=tmp_path, SECRET_KEY="generated-here"):
        assert _ids(checks.check_secret_key_source()) == ["everytouch.W002"]
    with override_settings(VAR_DIR=tmp_path, SECRET_KEY="from-the-env"):
        assert checks.check_secret_key_source() == []


def _pg_settings(
    tmp_path: Path, name: str, value: str | None, url_query: str = ""
) -> subprocess.CompletedProcess[str]:
    """Settings loaded in a fresh process for PostgreSQL (they never connect), with the
    variable ``name`` set to ``value`` or unset; prints the database OPTIONS."""
    env = {k: v for k, v in os.environ.items() if k != name}
    env |= {
        "DATABASE_URL": f"postgres://someone@127.0.0.1:5432/nowhere{url_query}",
        "EVERYTOUCH_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "everytouch.settings",
    }
    if value is not None:
        env[name] = value
    code = "from django.conf import settings; print(settings.DATABASES['default']['OPTIONS'])"
    return _run([sys.executable, "-c", code], env)


@pytest.mark.parametrize(("value", "expected"), [(None, "False"), ("on", "True"), ("off", "False")])
def test_it_binds_parameters_on_the_postgresql_server_only_when_asked(
    tmp_path: Path, value: str | None, expected: str
) -> None:
    shown = _pg_settings(tmp_path, "EVERYTOUCH_PG_SERVER_SIDE_BINDING", value)
    assert shown.returncode == 0, shown.stderr
    assert f"'server_side_binding': {expected}" in shown.stdout


@pytest.mark.parametrize(
    ("url_query", "value", "expected"),
    [
        ("", None, "-c max_parallel_workers_per_gather=0"),
        ("", "2", "-c max_parallel_workers_per_gather=2"),
        (
            "?options=-c%20statement_timeout%3D5000",
            None,
            "-c statement_timeout=5000 -c max_parallel_workers_per_gather=0",
        ),
    ],
)
def test_it_starts_no_parallel_workers_on_postgresql_unless_asked(
    tmp_path: Path, url_query: str, value: str | None, expected: str
) -> None:
    shown = _pg_settings(tmp_path, "EVERYTOUCH_PG_PARALLEL_WORKERS", value, url_query)
    assert shown.returncode == 0, shown.stderr
    assert f"'options': '{expected}'" in shown.stdout


def test_it_refuses_a_parallel_worker_count_that_is_not_a_number(tmp_path: Path) -> None:
    shown = _pg_settings(tmp_path, "EVERYTOUCH_PG_PARALLEL_WORKERS", "many")
    assert shown.returncode != 0
    assert "EVERYTOUCH_PG_PARALLEL_WORKERS" in shown.stderr


@pytest.mark.django_db
def test_the_app_connection_to_postgresql_starts_no_parallel_workers() -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite has no parallel workers")
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_parallel_workers_per_gather")
        assert cursor.fetchone() == ("0",)
