"""The scale-out recipe in docs/deploy.md, run for real: its commands, read from the document,
bring up two web processes and two RQ workers on PostgreSQL and Redis; a call logged through one
web process is scored by a worker and its scorecard is read through both.

PostgreSQL only (the recipe is for it): the test makes a database of its own beside the test
database and drops it afterwards. Redis is the tests' own database (EVERYTOUCH_TEST_REDIS_URL),
flushed before and after. The deploy/systemd units must run the same commands.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from everytouch.testing.workers import TEST_REDIS_URL, _redis_or_skip

ROOT = Path(__file__).resolve().parents[3]
DOC = ROOT / "docs" / "deploy.md"
UNITS = ROOT / "deploy" / "systemd"
HEADING = "## Scale-out: PostgreSQL, several web processes, RQ workers"
HOST = "127.0.0.1"
# Generous: on a loaded 2-core machine six Django processes start at once.
START_S = 90.0
SCORED_S = 60.0
CALL = {
    "phone": "+13125550142",
    "customer_name": "Ada Recipe",
    "channel": "call",
    "started_at": "2026-11-30T15:00:00Z",
    "turns": [
        {"speaker": "agent", "text": "Brightline, this is Dana. May I have your name?", "start": 0},
        {"speaker": "customer", "text": "Ada. I need toner for a LaserJet.", "start": 3},
        {"speaker": "agent", "text": "I'll send a quote by Friday. Best number?", "start": 7},
        {"speaker": "customer", "text": "This one is fine, thanks.", "start": 11},
    ],
}


@dataclass(frozen=True, slots=True)
class Recipe:
    exported: dict[str, str]  # what the block exports, by name
    commands: dict[str, list[str]]  # `everytouch SUBCOMMAND ...` by subcommand, in order


def read_recipe(text: str) -> Recipe:
    """The first ```sh block under the scale-out heading."""
    after = text.split(HEADING, 1)[1]
    block = re.search(r"```sh\n(.*?)```", after, re.S)
    assert block is not None, "no ```sh block under the scale-out heading"
    exported: dict[str, str] = {}
    commands: dict[str, list[str]] = {}
    for line in block.group(1).splitlines():
        words = shlex.split(line, comments=True)
        if words[:1] == ["export"]:
            exported |= dict(word.split("=", 1) for word in words[1:])
        elif words[:1] == ["everytouch"]:
            commands[words[1]] = words[1:]
    return Recipe(exported, commands)


def without_address(argv: list[str]) -> list[str]:
    """A command with its --host and --port options (and their values) left out."""
    out: list[str] = []
    skip = False
    for word in argv:
        if skip:
            skip = False
        elif word in ("--host", "--port"):
            skip = True
        else:
            out.append(word)
    return out


def _recipe() -> Recipe:
    return read_recipe(DOC.read_text())


def test_the_recipe_block_has_every_step() -> None:
    recipe = _recipe()
    assert list(recipe.commands) == ["migrate", "check", "serve", "worker", "sweep"]
    assert recipe.exported["EVERYTOUCH_TASK_BACKEND"] == settings.RQ_TASK_BACKEND
    assert {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "ALLOWED_HOSTS", "SITE_URL"} <= set(
        recipe.exported
    )


def test_the_systemd_units_run_the_recipe_s_commands() -> None:
    recipe = _recipe()
    units = sorted(UNITS.glob("everytouch-*.service"))
    assert [u.name for u in units] == [
        "everytouch-sweep.service",
        "everytouch-web@.service",
        "everytouch-worker@.service",
    ]
    for unit in units:
        start = re.search(r"^ExecStart=(.*)$", unit.read_text(), re.M)
        assert start is not None, unit
        binary, *argv = shlex.split(start.group(1))
        assert binary.endswith("/.venv/bin/everytouch"), unit
        assert without_address(argv) == without_address(recipe.commands[argv[0]]), unit


# --- the recipe, running ---------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def _server_url(name: str) -> str:
    db = settings.DATABASES["default"]
    user, password = db.get("USER") or "postgres", db.get("PASSWORD") or ""
    auth = f"{user}:{password}" if password else user
    return f"postgres://{auth}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{name}"


def _admin(sql: str) -> None:
    with psycopg.connect(_server_url("postgres"), autocommit=True) as con:
        con.execute(sql.encode())


@pytest.fixture
def recipe_database() -> Iterator[str]:
    if connection.vendor != "postgresql":
        pytest.skip("the scale-out recipe is for PostgreSQL: run with DATABASE_URL=postgres://...")
    # Beside this run's test database, named after it, so parallel runs do not collide.
    name = f"{settings.DATABASES['default']['NAME']}_recipe"
    _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    _admin(f"CREATE DATABASE {name}")
    try:
        yield _server_url(name)
    finally:
        _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def redis_db() -> Iterator[Any]:
    client = _redis_or_skip()
    client.flushdb()
    try:
        yield client
    finally:
        client.flushdb()


class Processes:
    """`everytouch` commands started as the recipe says, each logging to a file, all stopped."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env = env
        self.logs = logs
        self.running: dict[str, subprocess.Popen[bytes]] = {}

    def argv(self, words: list[str]) -> list[str]:
        return [str(Path(sys.executable).with_name("everytouch")), *words]

    def run(self, words: list[str]) -> str:
        done = subprocess.run(
            self.argv(words), env=self.env, capture_output=True, text=True, timeout=START_S
        )
        assert done.returncode == 0, f"{words}: {done.stdout}{done.stderr}"
        return done.stdout

    def start(self, name: str, words: list[str]) -> None:
        log = (self.logs / f"{name}.log").open("wb")
        self.running[name] = subprocess.Popen(
            self.argv(words), env=self.env, stdout=log, stderr=subprocess.STDOUT, cwd=self.logs
        )

    def wait(self, name: str) -> int:
        return self.running.pop(name).wait(timeout=START_S)

    def alive_or_fail(self) -> None:
        for name, proc in self.running.items():
            if name != "check" and proc.poll() is not None:
                pytest.fail(f"{name} exited {proc.returncode}:\n{self.log(name)}")

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")[-3000:]

    def stop(self) -> None:
        for proc in self.running.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.running.values():
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _recipe_env(recipe: Recipe, database_url: str, var: Path) -> dict[str, str]:
    """The recipe's settings with this machine's addresses; nothing else of the test's own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_"))}
    env |= recipe.exported
    env |= {
        "DATABASE_URL": database_url,
        "REDIS_URL": TEST_REDIS_URL,
        "SECRET_KEY": "recipe-" + "k" * 50,
        "ALLOWED_HOSTS": HOST,
        "SITE_URL": f"http://{HOST}",
        "EVERYTOUCH_VAR_DIR": str(var),
        "EMAIL_BACKEND": "everytouch.ops.mailfiles.EmailBackend",
    }
    return env


def _get(port: int, path: str, token: str) -> tuple[int, Any]:
    con = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        con.request("GET", path, headers={"Authorization": f"Bearer {token}"})
        answer = con.getresponse()
        return answer.status, json.loads(answer.read() or b"null")
    finally:
        con.close()


def _post(port: int, path: str, token: str, body: dict[str, Any]) -> tuple[int, Any]:
    con = http.client.HTTPConnection(HOST, port, timeout=30)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    try:
        con.request("POST", path, body=json.dumps(body), headers=headers)
        answer = con.getresponse()
        return answer.status, json.loads(answer.read() or b"null")
    finally:
        con.close()


def _wait_listening(procs: Processes, ports: list[int]) -> None:
    deadline = time.monotonic() + START_S
    waiting = set(ports)
    while waiting and time.monotonic() < deadline:
        procs.alive_or_fail()
        for port in list(waiting):
            try:
                with socket.create_connection((HOST, port), timeout=0.5):
                    waiting.discard(port)
            except OSError:
                pass
        time.sleep(0.2)
    assert not waiting, f"web servers on {sorted(waiting)} did not listen"


def _wait_workers(procs: Processes, redis: Any, count: int) -> None:
    from rq import Worker

    deadline = time.monotonic() + START_S
    while time.monotonic() < deadline:
        procs.alive_or_fail()
        if Worker.count(connection=redis) >= count:
            return
        time.sleep(0.2)
    pytest.fail(f"fewer than {count} RQ workers registered in Redis")


def _jobs_done(redis: Any) -> int:
    from rq import Worker

    return sum(int(w.successful_job_count) for w in Worker.all(connection=redis))


def _scorecard(procs: Processes, port: int, token: str, interaction: int) -> dict[str, Any]:
    deadline = time.monotonic() + SCORED_S
    while time.monotonic() < deadline:
        procs.alive_or_fail()
        status, page = _get(port, "/api/v1/scorecards", token)
        assert status == 200, page
        for card in page["items"]:
            if card["interaction_id"] == interaction:
                return dict(card)
        time.sleep(0.25)
    pytest.fail(f"interaction {interaction} was not scored within {SCORED_S:.0f}s")


def test_the_recipe_serves_from_two_web_processes_and_scores_on_two_rq_workers(
    recipe_database: str, redis_db: Any, tmp_path: Path
) -> None:
    recipe = _recipe()
    procs = Processes(_recipe_env(recipe, recipe_database, tmp_path / "var"), tmp_path)
    ports = [_free_port(), _free_port()]
    try:
        procs.run(recipe.commands["migrate"])
        # Beside the servers' start rather than before it, to keep the test short; it must
        # still pass (the database is migrated and Redis answers).
        procs.start("check", recipe.commands["check"])
        for i, port in enumerate(ports):
            # The recipe's command; the address is this machine's, and one process each keeps
            # six Django processes from starting at once on a small test machine.
            address = ["--host", HOST, "--port", str(port), "--workers", "1"]
            procs.start(f"web{i}", [*recipe.commands["serve"], *address])
        for i in range(2):
            procs.start(f"worker{i}", recipe.commands["worker"])
        procs.start("sweep", recipe.commands["sweep"])
        procs.run(["createuser", "pbx", "--role", "rep", "--password", "x" * 16])
        token = procs.run(["token", "create", "pbx", "phone system"]).splitlines()[0].strip()
        _wait_listening(procs, ports)
        _wait_workers(procs, redis_db, 2)

        status, touch = _post(ports[0], "/api/v1/interactions", token, CALL)
        assert status == 201, touch
        card = _scorecard(procs, ports[1], token, touch["id"])
        assert card["state"] == "scored"
        status, same = _get(ports[0], f"/api/v1/scorecards/{card['id']}", token)
        assert status == 200 and same["interaction_id"] == touch["id"]
        # Through Redis, by the RQ workers: lead capture and scoring, two jobs for the call.
        assert _jobs_done(redis_db) >= 2
        assert procs.wait("check") == 0, procs.log("check")
    finally:
        procs.stop()
