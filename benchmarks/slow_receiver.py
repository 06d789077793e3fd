"""Does a slow webhook receiver slow down ordinary writes? (issue 12: it used to stall them all.)

    .venv/bin/python -m benchmarks.slow_receiver [--rate 4] [--duration 30] [--delay 10]

One run, on SQLite (the default deployment, where one writer at a time holds the database's
write lock): the real server (``everytouch serve``, 2 processes) and the real worker
(``everytouch worker``, database task backend) on 127.0.0.1, and two webhook receivers in this
process: one answers at once, the other after ``--delay`` seconds. The same open-loop load runs
three times: with no webhook endpoint; with an endpoint for ``lead.created`` at the instant
receiver (webhooks cost what they cost, with nothing slow); and with the only endpoint at the
slow receiver, so the worker spends the whole phase in the middle of POSTs. The load is
``POST /api/v1/customers`` and ``POST /api/v1/leads`` (every third request; each new lead
queues a delivery), sent at a fixed rate whatever the server does (latency counts from each
request's due time, so a stall cannot hide by slowing the sender). Prints p50/p90/p99 of the
writes in each phase, the ratios of the slow phase to the other two, the 5xx answers, the
unanswered requests (60 s) and every "database is locked" in the answers and in the server's
and worker's logs. Target: p99 ratio about 1, no 5xx, no lock errors.

It only ever talks to 127.0.0.1, sends a bounded number of requests and stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from benchmarks._server import HOST, free_port, running_server
from benchmarks._server import _stop as stop

REPO = Path(__file__).resolve().parent.parent
console = Console(stderr=True, width=130)
LOCKED = "database is locked"
REQUEST_TIMEOUT_S = 60.0
TIMED_OUT = 599  # no answer within REQUEST_TIMEOUT_S
SERVER_WORKERS = 2
CUSTOMERS = "POST /api/v1/customers"
LEADS = "POST /api/v1/leads"
SHORT = {CUSTOMERS: "customers", LEADS: "leads"}
SELF = [sys.executable, "-m", "benchmarks.slow_receiver"]


# --- the slow receiver -----------------------------------------------------------------------


@dataclass
class SlowReceiver:
    """An HTTP server on loopback that answers every POST 200 after ``delay`` seconds."""

    delay: float
    port: int = field(default_factory=free_port)
    started: int = 0
    answered: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    stopping: threading.Event = field(default_factory=threading.Event)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/hooks"

    def counts(self) -> tuple[int, int]:
        with self.lock:
            return self.started, self.answered

    @contextmanager
    def running(self) -> Iterator[SlowReceiver]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver.lock:
                    receiver.started += 1
                receiver.stopping.wait(receiver.delay)
                self.send_response(200)
                self.end_headers()
                with receiver.lock:
                    receiver.answered += 1

            def log_message(self, format: str, *args: Any) -> None:
                return

        server = ThreadingHTTPServer((HOST, self.port), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            yield self
        finally:
            self.stopping.set()
            server.shutdown()
            server.server_close()


# --- the server's environment ----------------------------------------------------------------


def server_env(var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        EVERYTOUCH_VAR_DIR=str(var_dir),
        DJANGO_SETTINGS_MODULE="everytouch.settings",
        DEBUG="false",
        EVERYTOUCH_TASK_BACKEND="django_tasks_db.DatabaseBackend",
        # The receiver is on 127.0.0.1, which webhooks refuse unless the operator allows it.
        EVERYTOUCH_WEBHOOK_ALLOW_PRIVATE="on",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        LOG_LEVEL="WARNING",
    )
    return env


def run_checked(argv: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(argv, env=env, cwd=REPO, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed:\n{done.stderr[-4000:]}")
    return done.stdout


def everytouch(*args: str) -> list[str]:
    return [sys.executable, "-m", "everytouch.cli", *args]


def make_rep() -> None:
    """Run in the server's environment (``rep``): print a rep's id and API token as JSON."""
    import django

    django.setup()
    from everytouch.accounts.actions import create_user, issue_token
    from everytouch.accounts.models import Role

    user = create_user("bench-rep", secrets.token_urlsafe(16), Role.REP)
    _, raw = issue_token(user, "slow receiver benchmark")
    print(json.dumps({"id": user.pk, "token": raw}))


def add_endpoint(url: str) -> None:
    """Run in the server's environment (``endpoint URL``): ``url`` the only endpoint for leads."""
    import django

    django.setup()
    from everytouch.leads import webhooks
    from everytouch.leads.models import WebhookEndpoint

    WebhookEndpoint.objects.update(is_active=False)
    webhooks.create_endpoint(url, [webhooks.LEAD_CREATED])


@contextmanager
def running_worker(env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    argv = everytouch("worker", "--no-reload", "--interval", "0.2", "--no-startup-delay")
    with log.open("wb") as out:
        proc = subprocess.Popen(argv, env=env, cwd=REPO, stdout=out, stderr=out)
        try:
            yield proc
        finally:
            stop(proc)


# --- the load --------------------------------------------------------------------------------


@dataclass
class Answer:
    path: str
    status: int
    latency_ms: float
    locked: bool
    body: str


async def _post(port: int, token: str, request: str, body: dict[str, Any]) -> tuple[int, bytes]:
    path = request.split(" ", 1)[1]
    data = json.dumps(body).encode()
    reader, writer = await asyncio.open_connection(HOST, port)
    try:
        writer.write(
            (
                f"POST {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
                f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(data)}\r\nConnection: close\r\n\r\n"
            ).encode()
            + data
        )
        await writer.drain()
        raw = await reader.read()
    finally:
        writer.close()
    head, _, rest = raw.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), rest


@dataclass(frozen=True)
class Rep:
    id: int
    token: str


def _request(i: int, phase: int, rep: Rep, customers: list[int]) -> tuple[str, dict[str, Any]]:
    """Every third request captures a lead (a webhook when an endpoint listens)."""
    if i % 3 == 2:
        body = {"customer_id": customers[i % len(customers)], "need": f"phase {phase} need {i}"}
        return LEADS, {**body, "owner_id": rep.id}
    # 555-3xxx in the first phase, 555-4xxx in the second...: new customers every time.
    body = {"name": f"Phase {phase} customer {i}", "phones": [f"+1201555{3 + phase}{i:03d}"]}
    return CUSTOMERS, body


async def _one(port: int, rep: Rep, i: int, phase: int, customers: list[int], due: float) -> Answer:
    path, body = _request(i, phase, rep, customers)
    loop = asyncio.get_running_loop()
    try:
        posting = _post(port, rep.token, path, body)
        status, answer = await asyncio.wait_for(posting, REQUEST_TIMEOUT_S)
    except (TimeoutError, OSError, IndexError, ValueError) as exc:
        return Answer(path, TIMED_OUT, (loop.time() - due) * 1000, False, repr(exc))
    latency = (loop.time() - due) * 1000
    return Answer(path, status, latency, LOCKED.encode() in answer, answer[:200].decode("latin-1"))


async def _open_loop(
    port: int, rep: Rep, phase: int, customers: list[int], rate: float, duration: float
) -> list[Answer]:
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.1
    pending: list[asyncio.Task[Answer]] = []
    for i in range(int(rate * duration)):
        due = start + i / rate
        if (delay := due - loop.time()) > 0:
            await asyncio.sleep(delay)
        pending.append(asyncio.create_task(_one(port, rep, i, phase, customers, due)))
    return list(await asyncio.gather(*pending))


def make_customers(port: int, token: str, count: int) -> list[int]:
    async def make(i: int) -> int:
        body = {"name": f"Lead customer {i}", "emails": [f"lead{i}@example.com"]}
        status, answer = await _post(port, token, CUSTOMERS, body)
        if status != 201:
            raise RuntimeError(f"could not make a customer: {status} {answer[:300]!r}")
        return int(json.loads(answer)["id"])

    async def make_all() -> list[int]:
        return [await make(i) for i in range(count)]

    return asyncio.run(make_all())


# --- the report ------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


@dataclass
class Phase:
    name: str
    answers: list[Answer]
    deliveries_started: int = 0

    def only(self, path: str) -> Phase:
        return Phase(self.name, [a for a in self.answers if a.path == path])

    def latencies(self) -> list[float]:
        return [a.latency_ms for a in self.answers]

    def p(self, q: float) -> float:
        return percentile(self.latencies(), q)

    def errors(self) -> int:
        return sum(500 <= a.status < TIMED_OUT for a in self.answers)

    def timeouts(self) -> int:
        return sum(a.status == TIMED_OUT for a in self.answers)

    def locked(self) -> int:
        return sum(a.locked for a in self.answers)


def report(phases: list[Phase], log_locks: dict[str, int]) -> None:
    table = Table(title="Writes while the worker delivers webhooks", title_justify="left")
    columns = (
        "phase",
        "requests",
        "count",
        "p50 ms",
        "p90 ms",
        "p99 ms",
        "max ms",
        "5xx",
        "timeouts",
        "locked",
    )
    for column in columns:
        table.add_column(column, justify="left" if column in {"phase", "requests"} else "right")
    rows = [(p.name, "all", p) for p in phases]
    for path in (CUSTOMERS, LEADS):
        rows += [(p.name, SHORT[path], p.only(path)) for p in phases]
    for name, what, phase in rows:
        table.add_row(
            name,
            what,
            str(len(phase.answers)),
            f"{phase.p(50):.0f}",
            f"{phase.p(90):.0f}",
            f"{phase.p(99):.0f}",
            f"{max(phase.latencies()):.0f}",
            str(phase.errors()),
            str(phase.timeouts()),
            str(phase.locked()),
        )
    console.print(table)
    none, instant, slow = phases
    for label, path in (("all writes", ""), ("customers", CUSTOMERS), ("leads", LEADS)):
        for other in (none, instant):
            base, then = (other.only(path), slow.only(path)) if path else (other, slow)
            console.print(
                f"{label}: slow receiver / {other.name}: p50 {then.p(50) / base.p(50):.2f}, "
                f"p99 {then.p(99) / base.p(99):.2f}"
            )
    console.print(f"deliveries the slow receiver was working on: {slow.deliveries_started}")
    for name, count in log_locks.items():
        console.print(f'"{LOCKED}" in the {name} log: {count}')
    wrong = [a for p in phases for a in p.answers if a.status not in {200, 201}]
    console.print(f"answers other than 200/201: {len(wrong)}")
    for answer in wrong[:5]:
        console.print(f"  {answer.path} {answer.status}: {answer.body}")


def count_locked(log: Path) -> int:
    return log.read_text(errors="replace").count(LOCKED) if log.exists() else 0


# --- the run ---------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> None:
    var_dir = Path(tempfile.mkdtemp(prefix="everytouch-slow-receiver-"))
    env = server_env(var_dir)
    console.print(f"SQLite under {var_dir}; migrating...")
    run_checked(everytouch("migrate", "-v", "0"), env)
    made = json.loads(run_checked([*SELF, "rep"], env))
    rep = Rep(int(made["id"]), str(made["token"]))
    port = free_port()
    server_log, worker_log = var_dir / "server.log", var_dir / "worker.log"
    instant, slow = SlowReceiver(delay=0), SlowReceiver(delay=args.delay)
    with (
        instant.running(),
        slow.running(),
        running_server(env, port, SERVER_WORKERS, server_log),
        running_worker(env, worker_log),
    ):
        leads = int(args.rate * args.duration / 3) + 1
        customers = make_customers(port, rep.token, leads)
        plan = [
            ("no endpoint", None),
            ("receiver answers at once", instant),
            (f"receiver takes {args.delay:.0f} s", slow),
        ]
        phases = []
        for number, (name, receiver) in enumerate(plan):
            if receiver is not None:
                run_checked([*SELF, "endpoint", receiver.url], env)
            console.print(f"phase {number + 1}: {name}, {args.rate}/s for {args.duration:.0f} s")
            load = _open_loop(port, rep, number, customers, args.rate, args.duration)
            phases.append(Phase(name, asyncio.run(load)))
        phases[-1].deliveries_started = slow.counts()[0]
    report(phases, {"server": count_locked(server_log), "worker": count_locked(worker_log)})


def main() -> None:
    if sys.argv[1:2] == ["rep"]:
        make_rep()
        return
    if sys.argv[1:2] == ["endpoint"]:
        add_endpoint(sys.argv[2])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=4.0, help="writes per second (default 4)")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds per phase")
    parser.add_argument("--delay", type=float, default=10.0, help="the receiver's answer time")
    started = time.monotonic()
    run(parser.parse_args())
    console.print(f"done in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
