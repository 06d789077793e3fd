"""The typed environment readers: the value when valid, the default when unset, and a refusal
that names the variable, the bad value and what is accepted."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from everytouch.env import (
    env_bool,
    env_choice,
    env_float,
    env_hours,
    env_int,
    env_list,
    env_str,
    env_timezone,
    env_url,
    env_weekdays,
)

NAME = "EVERYTOUCH_TEST_VARIABLE"


@pytest.fixture
def setenv(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.delenv(NAME, raising=False)
    return monkeypatch


def _refusal(exc: pytest.ExceptionInfo[ImproperlyConfigured], value: str) -> str:
    message = str(exc.value)
    assert NAME in message
    assert repr(value) in message
    return message


def test_str_is_the_value_as_given_or_the_default(setenv: pytest.MonkeyPatch) -> None:
    assert env_str(NAME, "fallback") == "fallback"
    setenv.setenv(NAME, " kept as is ")
    assert env_str(NAME, "fallback") == " kept as is "
    setenv.setenv(NAME, "")
    assert env_str(NAME, "fallback") == ""


def test_int_reads_a_whole_number_within_bounds(setenv: pytest.MonkeyPatch) -> None:
    assert env_int(NAME, 7) == 7
    setenv.setenv(NAME, " 42 ")
    assert env_int(NAME, 7, low=1, high=42) == 42
    setenv.setenv(NAME, "")
    assert env_int(NAME, 7) == 7


@pytest.mark.parametrize(
    ("value", "accepted"),
    [("4.5", "a whole number"), ("ten", "a whole number"), ("0", "from 1 to 9"), ("10", "to 9")],
)
def test_int_refuses_a_bad_value(setenv: pytest.MonkeyPatch, value: str, accepted: str) -> None:
    setenv.setenv(NAME, value)
    with pytest.raises(ImproperlyConfigured) as exc:
        env_int(NAME, 5, low=1, high=9)
    assert accepted in _refusal(exc, value)


def test_float_reads_a_number(setenv: pytest.MonkeyPatch) -> None:
    assert env_float(NAME, 4.0) == 4.0
    setenv.setenv(NAME, "1.5")
    assert env_float(NAME, 4.0, low=0) == 1.5
    setenv.setenv(NAME, "2")
    assert env_float(NAME, 4.0) == 2.0


@pytest.mark.parametrize("value", ["four", "nan", "inf", "-1"])
def test_float_refuses_a_bad_value(setenv: pytest.MonkeyPatch, value: str) -> None:
    setenv.setenv(NAME, value)
    with pytest.raises(ImproperlyConfigured) as exc:
        env_float(NAME, 4.0, low=0)
    assert "0 or more" in _refusal(exc, value)


@pytest.mark.parametrize("value", ["1", "true", "TRUE", "Yes", "on", " On "])
def test_bool_reads_every_spelling_of_on(setenv: pytest.MonkeyPatch, value: str) -> None:
    setenv.setenv(NAME, value)
    assert env_bool(NAME, False) is True


@pytest.mark.parametrize("value", ["0", "false", "False", "NO", "off"])
def test_bool_reads_every_spelling_of_off(setenv: pytest.MonkeyPatch, value: str) -> None:
    setenv.setenv(NAME, value)
    assert env_bool(NAME, True) is False


def test_bool_defaults_when_unset_or_blank(setenv: pytest.MonkeyPatch) -> None:
    assert env_bool(NAME, True) is True
    setenv.setenv(NAME, " ")
    assert env_bool(NAME, False) is False


def test_bool_refuses_anything_else(setenv: pytest.MonkeyPatch) -> None:
    setenv.setenv(NAME, "enabled")
    with pytest.raises(ImproperlyConfigured) as exc:
        env_bool(NAME, False)
    message = _refusal(exc, "enabled")
    assert "true" in message
    assert "off" in message


def test_list_splits_on_commas_and_strips(setenv: pytest.MonkeyPatch) -> None:
    assert env_list(NAME, ["a", "b"]) == ["a", "b"]
    setenv.setenv(NAME, "desk.example.com, .example.org,,")
    assert env_list(NAME, ["a"]) == ["desk.example.com", ".example.org"]
    setenv.setenv(NAME, "")
    assert env_list(NAME, ["a"]) == []


def test_choice_matches_in_any_case(setenv: pytest.MonkeyPatch) -> None:
    assert env_choice(NAME, "INFO", ("DEBUG", "INFO")) == "INFO"
    setenv.setenv(NAME, "debug")
    assert env_choice(NAME, "INFO", ("DEBUG", "INFO")) == "DEBUG"


def test_choice_refuses_another_value(setenv: pytest.MonkeyPatch) -> None:
    setenv.setenv(NAME, "LOUD")
    with pytest.raises(ImproperlyConfigured) as exc:
        env_choice(NAME, "INFO", ("DEBUG", "INFO"))
    assert "DEBUG, INFO" in _refusal(exc, "LOUD")


def test_url_reads_a_url_of_an_accepted_scheme(setenv: pytest.MonkeyPatch) -> None:
    assert env_url(NAME, "http://127.0.0.1:8000", ("http", "https")) == "http://127.0.0.1:8000"
    setenv.setenv(NAME, "https://desk.example.com")
    assert env_url(NAME, "", ("http", "https")) == "https://desk.example.com"
    setenv.setenv(NAME, "unix:///run/redis.sock")
    assert env_url(NAME, "", ("redis", "unix")) == "unix:///run/redis.sock"


@pytest.mark.parametrize("value", ["desk.example.com", "ftp://desk.example.com", "https://"])
def test_url_refuses_another_scheme_or_no_host(setenv: pytest.MonkeyPatch, value: str) -> None:
    setenv.setenv(NAME, value)
    with pytest.raises(ImproperlyConfigured) as exc:
        env_url(NAME, "", ("http", "https"))
    assert "http://" in _refusal(exc, value)


def test_url_refusal_hides_the_password(setenv: pytest.MonkeyPatch) -> None:
    setenv.setenv(NAME, "ftp://user:hunter2@host/")
    with pytest.raises(ImproperlyConfigured) as exc:
        env_url(NAME, "", ("redis",))
    assert "hunter2" not in str(exc.value)
    assert "ftp://user:***@host/" in str(exc.value)


def test_timezone_reads_an_iana_name(setenv: pytest.MonkeyPatch) -> None:
    assert env_timezone(NAME, "UTC") == "UTC"
    setenv.setenv(NAME, "America/Chicago")
    assert env_timezone(NAME, "UTC") == "America/Chicago"


@pytest.mark.parametrize("value", ["Mars/Olympus", "../etc/passwd"])
def test_timezone_refuses_an_unknown_zone(setenv: pytest.MonkeyPatch, value: str) -> None:
    setenv.setenv(NAME, value)
    with pytest.raises(ImproperlyConfigured) as exc:
        env_timezone(NAME, "UTC")
    assert "Europe/Berlin" in _refusal(exc, value)


def _load_settings(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    # A fresh interpreter (this process's settings are loaded already) with only the variables
    # given, so the developer's own environment cannot change the result.
    base = {"PATH": os.environ.get("PATH", "")}
    return subprocess.run(
        [sys.executable, "-c", "import everytouch.settings"],
        env={**base, "EVERYTOUCH_VAR_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_settings_refuse_a_bad_value_at_start(tmp_path: Path) -> None:
    result = _load_settings(tmp_path, EMAIL_PORT="smtp")
    assert result.returncode != 0
    assert "ImproperlyConfigured: EMAIL_PORT='smtp' is not valid" in result.stderr


def test_settings_load_with_no_environment(tmp_path: Path) -> None:
    assert _load_settings(tmp_path).returncode == 0


def test_hours_read_an_opening_before_a_closing(setenv: pytest.MonkeyPatch) -> None:
    assert env_hours(NAME, "09:00-17:00") == "09:00-17:00"
    setenv.setenv(NAME, "08:30 - 18:00")
    assert env_hours(NAME, "09:00-17:00") == "08:30 - 18:00"


@pytest.mark.parametrize("value", ["9-5", "17:00-09:00", "09:00", "nine to five", "09:00-25:00"])
def test_hours_refuse_what_is_no_day_of_opening(setenv: pytest.MonkeyPatch, value: str) -> None:
    setenv.setenv(NAME, value)
    with pytest.raises(ImproperlyConfigured) as exc:
        env_hours(NAME, "09:00-17:00")
    assert "HH:MM-HH:MM" in _refusal(exc, value)


def test_weekdays_read_monday_to_sunday_numbers(setenv: pytest.MonkeyPatch) -> None:
    assert env_weekdays(NAME, "0,1,2,3,4") == "0,1,2,3,4"
    setenv.setenv(NAME, "0, 2,5")
    assert env_weekdays(NAME, "0,1,2,3,4") == "0, 2,5"


@pytest.mark.parametrize("value", ["7", "mon,tue", ",", "1;2"])
def test_weekdays_refuse_anything_else(setenv: pytest.MonkeyPatch, value: str) -> None:
    setenv.setenv(NAME, value)
    with pytest.raises(ImproperlyConfigured) as exc:
        env_weekdays(NAME, "0,1,2,3,4")
    assert "0 (Monday) to 6 (Sunday)" in _refusal(exc, value)
