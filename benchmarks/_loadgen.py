"""A loopback HTTP load generator for the identify endpoint, run in its own process.

Reads a JSON job on stdin, writes a JSON result on stdout. Open loop: request ``i`` is due at
``start + i / rate`` whatever happened to earlier ones, and its latency is measured from that
due time, so a stalled server shows up as latency instead of quietly lowering the send rate
(no coordinated omission). Closed loop: a few connections send back to back, for the ceiling.

It only ever talks to 127.0.0.1, sends a bounded number of requests and stops by itself.
"""

from __future__ import annotations

import asyncio
import json
import sys
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

LOOPBACK = "127.0.0.1"
MAX_BODY = 1_000_000


@dataclass(frozen=True, slots=True)
class Target:
    q: str
    found: bool
    customer_id: int | None = None


@dataclass(frozen=True, slots=True)
class Job:
    port: int
    token: str
    targets: list[Target]
    mode: str = "open"
    rate: float = 200.0
    duration: float = 20.0
    connections: int = 32
    timeout: float = 5.0
    # Sent as ?fields= (the screen pop's extras, e.g. last_interactions); empty: the default.
    fields: str = ""


@dataclass
class Tally:
    latencies_ms: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    sent: int = 0
    elapsed_s: float = 0.0

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1


class ConnectionLost(Exception):
    """The server closed a connection before answering (a stale keep-alive connection)."""


class Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def open(cls, port: int) -> Connection:
        reader, writer = await asyncio.open_connection(LOOPBACK, port)
        return cls(reader, writer)

    async def roundtrip(self, request: bytes) -> tuple[int, bytes, bool]:
        """Status, body, and whether the connection may be reused."""
        self.writer.write(request)
        await self.writer.drain()
        try:
            head = await self.reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionResetError) as exc:
            raise ConnectionLost(str(exc)) from exc
        status, headers = _parse_head(head)
        body = await self._body(headers)
        keep = headers.get("connection", "").lower() != "close" and head.startswith(b"HTTP/1.1")
        return status, body, keep

    async def _body(self, headers: dict[str, str]) -> bytes:
        if headers.get("transfer-encoding", "").lower() == "chunked":
            return await self._chunked()
        length = int(headers.get("content-length", "0"))
        if length > MAX_BODY:
            raise ValueError(f"response of {length} bytes")
        return await self.reader.readexactly(length)

    async def _chunked(self) -> bytes:
        parts: list[bytes] = []
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await self.reader.readuntil(b"\r\n")
                return b"".join(parts)
            parts.append(await self.reader.readexactly(size))
            await self.reader.readexactly(2)

    def close(self) -> None:
        self.writer.close()


def _parse_head(head: bytes) -> tuple[int, dict[str, str]]:
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    return status, headers


class Pool:
    """At most ``size`` keep-alive connections; a request waits for one when all are busy."""

    def __init__(self, port: int, size: int) -> None:
        self.port = port
        self._idle: list[Connection] = []
        self._slots = asyncio.Semaphore(size)

    async def fetch(self, request: bytes) -> tuple[int, bytes]:
        async with self._slots:
            reused = bool(self._idle)
            conn = self._idle.pop() if reused else await Connection.open(self.port)
            try:
                status, body, keep = await conn.roundtrip(request)
            except ConnectionLost:
                conn.close()
                if not reused:
                    raise
                # The server dropped an idle connection; any HTTP client retries on a fresh one.
                conn = await Connection.open(self.port)
                status, body, keep = await conn.roundtrip(request)
            except BaseException:
                conn.close()
                raise
            (self._idle.append if keep else _close)(conn)
            return status, body

    def close(self) -> None:
        while self._idle:
            self._idle.pop().close()


def _close(conn: Connection) -> None:
    conn.close()


def request_bytes(job: Job, target: Target) -> bytes:
    return (
        f"GET /api/v1/identify?q={quote(target.q)}{_fields(job)} HTTP/1.1\r\n"
        f"Host: {LOOPBACK}:{job.port}\r\n"
        f"Authorization: Bearer {job.token}\r\n"
        "Accept: application/json\r\n\r\n"
    ).encode()


def _fields(job: Job) -> str:
    return f"&fields={quote(job.fields)}" if job.fields else ""


def check(target: Target, status: int, body: bytes) -> str | None:
    """Why this answer is wrong, or None when it is the right customer (or rightly nobody)."""
    if status != 200:
        return f"status {status}"
    data = json.loads(body)
    if data.get("found") is not target.found:
        return "wrong found"
    if (
        target.customer_id is not None
        and (data.get("customer") or {}).get("id") != target.customer_id
    ):
        return "wrong customer"
    return None


async def _one(pool: Pool, job: Job, i: int, due: float, tally: Tally) -> None:
    target = job.targets[i % len(job.targets)]
    loop = asyncio.get_running_loop()
    try:
        status, body = await asyncio.wait_for(pool.fetch(request_bytes(job, target)), job.timeout)
    except TimeoutError:
        tally.error("timeout")
        return
    except (OSError, ValueError, ConnectionLost, asyncio.IncompleteReadError) as exc:
        tally.error(type(exc).__name__)
        return
    tally.latencies_ms.append((loop.time() - due) * 1000)
    if (problem := check(target, status, body)) is not None:
        tally.error(problem)


async def open_loop(job: Job) -> Tally:
    loop = asyncio.get_running_loop()
    pool, tally = Pool(job.port, job.connections), Tally()
    total = int(job.rate * job.duration)
    start = loop.time() + 0.1
    tasks: list[asyncio.Task[None]] = []
    for i in range(total):
        due = start + i / job.rate
        if (delay := due - loop.time()) > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(_one(pool, job, i, due, tally)))
        tally.sent += 1
    await asyncio.gather(*tasks)
    tally.elapsed_s = loop.time() - start
    pool.close()
    return tally


async def closed_loop(job: Job) -> Tally:
    loop = asyncio.get_running_loop()
    pool, tally = Pool(job.port, job.connections), Tally()
    start = loop.time()
    stop = start + job.duration

    async def worker(offset: int) -> None:
        i = offset
        while loop.time() < stop:
            tally.sent += 1
            await _one(pool, job, i, loop.time(), tally)
            i += job.connections

    await asyncio.gather(*(worker(n) for n in range(job.connections)))
    tally.elapsed_s = loop.time() - start
    pool.close()
    return tally


def parse_job(raw: dict[str, Any]) -> Job:
    targets = [Target(**t) for t in raw.pop("targets")]
    return Job(targets=targets, **raw)


def run(job: Job) -> Tally:
    if not job.targets:
        raise ValueError("no targets")
    return asyncio.run(open_loop(job) if job.mode == "open" else closed_loop(job))


def main() -> None:
    tally = run(parse_job(json.load(sys.stdin)))
    json.dump(
        {
            "latencies_ms": tally.latencies_ms,
            "errors": tally.errors,
            "sent": tally.sent,
            "elapsed_s": tally.elapsed_s,
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
