"""A real CRM stand-in for the webhook tests: an HTTP server on 127.0.0.1 that checks signatures.

It verifies ``X-Everytouch-Signature`` over the raw body exactly as docs/leads.md tells a
receiver to, answers 401 to a bad signature, and records what it accepted. It is created
"down" and brought up later: its socket is bound from the start but listens only once started.
A port merely probed free and left unbound could be picked as a connection's own ephemeral
port, and a connection to it from that very port connects to itself (TCP simultaneous open).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from everytouch.leads.webhooks import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    IDEMPOTENCY_HEADER,
    SIGNATURE_HEADER,
    verify,
)


@dataclass
class Received:
    delivery_id: str
    event: str
    body: dict[str, Any]
    idempotency_key: str = ""


@dataclass
class Receiver:
    secret: str
    accepted: list[Received] = field(default_factory=list)
    rejected: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer = field(init=False)
    up: bool = False

    def __post_init__(self) -> None:
        self.server = ThreadingHTTPServer(
            ("127.0.0.1", 0), self._handler(), bind_and_activate=False
        )
        self.server.server_bind()

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/everytouch"

    def handle(self, headers: Any, raw: bytes) -> int:
        if not verify(self.secret, raw, headers.get(SIGNATURE_HEADER, "")):
            with self.lock:
                self.rejected += 1
            return 401
        item = Received(
            headers[DELIVERY_HEADER],
            headers[EVENT_HEADER],
            json.loads(raw),
            headers.get(IDEMPOTENCY_HEADER, ""),
        )
        with self.lock:
            self.accepted.append(item)
        return 200

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                self.send_response(receiver.handle(self.headers, raw))
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return

        return Handler

    def start(self) -> Receiver:
        self.server.server_activate()
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.up = True
        return self

    def stop(self) -> None:
        if self.up:
            self.server.shutdown()
        self.server.server_close()
        self.up = False

    def delivery_ids(self) -> list[str]:
        with self.lock:
            return [r.delivery_id for r in self.accepted]
