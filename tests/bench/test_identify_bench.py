"""The identify benchmark's own parts: its data must be what the app would store, its load
generator must count wrong answers as errors. A benchmark with bad data measures nothing."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from psycopg.conninfo import make_conninfo

from benchmarks._dataset import Numbers, check_sample, fill_sqlite, load_postgres, person
from benchmarks._loadgen import Job, Target, run
from benchmarks.identify import make_targets, percentile, phone_formats
from everytouch.customers.actions import identify
from everytouch.customers.contacts import normalise

SMALL = 25_000


@pytest.fixture(scope="module")
def numbers() -> Numbers:
    return Numbers(SMALL)


def test_it_generates_distinct_valid_numbers_and_unknowns_nobody_has(numbers: Numbers) -> None:
    known = {numbers.phone(i) for i in range(SMALL)}
    unknown = {numbers.unknown_phone(j) for j in range(1_000)}
    assert len(known) == SMALL
    assert len(unknown) == 1_000
    assert not known & unknown
    assert check_sample(numbers, size=500) == 0


def test_it_stores_people_in_the_form_the_app_normalises_to(numbers: Numbers) -> None:
    for i in (0, 1, 9_999, 10_000, SMALL - 1):
        p = person(numbers, i)
        assert normalise(p.phone).value == p.phone
        assert normalise(p.email).value == p.email


def test_it_asks_in_formats_that_identify_the_same_number(numbers: Numbers) -> None:
    e164 = numbers.phone(1_234)
    variants = phone_formats(e164)
    assert len(set(variants)) == len(variants)
    assert {normalise(v).value for v in variants} == {e164}


def test_it_mixes_known_phones_emails_and_unknown_numbers(numbers: Numbers) -> None:
    targets = make_targets(numbers, count=1_000)
    emails = [t for t in targets if "@" in t.q]
    unknown = [t for t in targets if not t.found]
    assert 200 < len(emails) < 400
    assert 100 < len(unknown) < 300
    assert all(t.customer_id is None for t in unknown)
    hit = next(t for t in targets if t.found and "@" not in t.q)
    assert hit.customer_id is not None
    assert normalise(hit.q).value == numbers.phone(hit.customer_id - 1)


@pytest.mark.django_db(transaction=True)
def test_it_bulk_loads_rows_that_identify_finds(numbers: Numbers) -> None:
    small = Numbers(300)
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        fill_sqlite(connection.connection, small)
    else:
        s = connection.settings_dict
        conninfo = make_conninfo(
            dbname=s["NAME"], user=s["USER"], password=s["PASSWORD"], host=s["HOST"], port=s["PORT"]
        )
        load_postgres(conninfo, small)
    jane = person(small, 123)
    found = identify(phone_formats(jane.phone)[1])
    assert found is not None
    assert (found.pk, found.name) == (jane.pk, jane.name)
    by_email = identify(jane.email.upper())
    assert by_email is not None and by_email.pk == jane.pk
    assert identify(small.unknown_phone(5)) is None


def test_it_takes_the_nearest_rank_percentile() -> None:
    ordered = [float(x) for x in range(1, 101)]
    assert percentile(ordered, 0.50) == 50.0
    assert percentile(ordered, 0.99) == 99.0
    assert percentile(ordered, 1.0) == 100.0
    assert percentile([7.0], 0.99) == 7.0


class _FakeIdentify(BaseHTTPRequestHandler):
    """Answers like /api/v1/identify: customer 1 for "known", nobody else, 500 for "boom"."""

    protocol_version = "HTTP/1.1"
    peers: set[int] = set()

    def do_GET(self) -> None:
        self.peers.add(self.client_address[1])
        q = parse_qs(urlsplit(self.path).query)["q"][0]
        status = 500 if q == "boom" else 200
        found = q == "known"
        body = json.dumps({"found": found, "customer": {"id": 1} if found else None}).encode()
        head = f"HTTP/1.1 {status} X\r\nContent-Length: {len(body)}\r\n\r\n".encode()
        self.wfile.write(head + body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def fake_server() -> Iterator[ThreadingHTTPServer]:
    _FakeIdentify.peers = set()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeIdentify)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_it_counts_wrong_answers_and_server_errors_and_reuses_connections(
    fake_server: ThreadingHTTPServer,
) -> None:
    targets = [
        Target("known", True, 1),
        Target("known", True, 2),
        Target("nobody", False),
        Target("boom", True, 1),
    ]
    job = Job(
        port=fake_server.server_address[1], token="t", targets=targets, rate=400, duration=0.1
    )
    tally = run(job)
    assert tally.sent == 40
    assert len(tally.latencies_ms) == 40
    assert tally.errors == {"wrong customer": 10, "status 500": 10}
    assert len(_FakeIdentify.peers) <= job.connections


def test_it_runs_flat_out_on_a_fixed_number_of_connections(
    fake_server: ThreadingHTTPServer,
) -> None:
    port = fake_server.server_address[1]
    job = Job(port, "t", [Target("known", True, 1)], mode="closed", duration=0.2, connections=3)
    tally = run(job)
    assert tally.sent > 0
    assert tally.errors == {}
    assert len(tally.latencies_ms) == tally.sent
    assert len(_FakeIdentify.peers) <= 3
