"""A real CRM stand-in for the webhook tests: an HTTP server on 127.0.0.1 that checks signatures.

It verifies ``X-Everytouch-Signature`` over the raw body exactly as docs/leads.md tells a
receiver to, answers 401 to a bad signature, and records what it accepted. It can be created
"down" (the port is reserved but nothing listens) and brought up later.
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
from everytouch.testing import free_port


@dataclass
class Received:
    delivery_id: str
    event: str
    body: dict[str, Any]
    idempotency_key: str = ""


@dataclass
class Receiver:
    secret: str
    port: int = field(default_factory=free_port)
    accepted: list[Received] = field(default_factory=list)
    rejected: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None

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

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                self.send_response(receiver.handle(self.headers, raw))
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def delivery_ids(self) -> list[str]:
        with self.lock:
            return [r.delivery_id for r in self.accepted]
