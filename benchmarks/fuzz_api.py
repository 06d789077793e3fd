"""Fuzz the whole API with schemathesis, as several roles, against the real server.

    .venv/bin/python -m benchmarks.fuzz_api [--roles owner,manager,rep,trainer,outsider]
                                            [--max-examples 25] [--seed 1] [--keep DIR]

Builds a fresh SQLite database in a temp dir (migrations, a small demo business, and the cast:
one login per role and one without, each with a token of every scope), starts the real server
(``everytouch serve``, 2 workers) on 127.0.0.1, and runs ``schemathesis run`` over every
operation of /api/v1/openapi.json once per role, with every phase (coverage, fuzzing,
stateful) and the checks that hold a response to the schema: no 5xx, documented status code,
documented content type and headers, body valid against the documented schema (errors
included). Prints per operation the requests sent, the 5xx answers and the schema violations
found, then the totals; exits 1 if any 5xx or violation was found. Issue 12 asks for at least
5,000 requests: the defaults send about 2,300 per role.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import subprocess
import sys
import tempfile
import urllib.request
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from benchmarks._server import HOST, free_port, running_server

REPO = Path(__file__).resolve().parent.parent
ROLES = ("owner", "manager", "rep", "trainer", "outsider")
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
)
TARGET_REQUESTS = 5_000
WORKERS = 2
FAILURE_CODE = re.compile(r"^- (ST\d+) (.+?)(?: \(\d+ violations?\))?$", re.MULTILINE)
CURL = re.compile(r"curl -X (\w+) .*?'?(https?://[^\s']+)'?$", re.MULTILINE)
# Input issue 12 gives to its own piece of work ("edges"): numbers at or past 64 bits (an id,
# or a page whose offset, page x page_size, is), dates at the calendar's edge, NaN and Infinity.
# Findings made with such input are counted apart, so the rest can be judged on its own until
# that work is merged.
LARGEST_INT = 2**63 - 1
LARGEST_PAGE_SIZE = 100
EDGE_NUMBER = re.compile(r"(?<![\w.])-?(\d{16,})")
EDGE_DATE = re.compile(r"\b(0001|9999)-\d\d-\d\d")
EDGE_FLOAT = re.compile(r"\b(NaN|-?Infinity)\b")


@dataclass
class OperationFigures:
    requests: int = 0
    server_errors: int = 0
    violations: Counter[str] = field(default_factory=Counter)


@dataclass
class RoleRun:
    role: str
    figures: dict[str, OperationFigures]
    findings: list[str]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.fuzz_api", description=__doc__)
    parser.add_argument("--roles", default=",".join(ROLES), help="comma-separated cast members")
    parser.add_argument("--max-examples", type=int, default=25, help="per operation and phase")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="keep the database and reports here")
    args = parser.parse_args(argv)
    unknown = set(args.roles.split(",")) - set(ROLES)
    if unknown:
        parser.error(f"unknown roles: {', '.join(sorted(unknown))}")
    return args


def server_env(var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        EVERYTOUCH_VAR_DIR=str(var_dir),
        SECRET_KEY=secrets.token_urlsafe(32),
        DJANGO_SETTINGS_MODULE="everytouch.settings",
        PYTHONPATH=str(REPO),
    )
    return env


def make_cast(env: dict[str, str]) -> dict[str, str]:
    """Migrate, load the data, and return a token per cast member."""
    argv = [sys.executable, "-m", "benchmarks._fuzz_cast"]
    out = subprocess.run(argv, env=env, cwd=REPO, check=True, capture_output=True, text=True)
    tokens: dict[str, str] = json.loads(out.stdout.strip().splitlines()[-1])
    return tokens


def operation_patterns(schema_url: str) -> list[tuple[str, re.Pattern[str]]]:
    """``("GET /api/v1/customers/{customer_id}", regex)`` for every operation of the schema."""
    with urllib.request.urlopen(schema_url, timeout=30) as answer:
        schema = json.load(answer)
    patterns = []
    for path, methods in schema["paths"].items():
        regex = re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$")
        patterns += [(f"{method.upper()} {path}", regex) for method in methods]
    return patterns


def operation_of(method: str, url: str, patterns: list[tuple[str, re.Pattern[str]]]) -> str:
    path = urlsplit(url).path
    matching = [name for name, regex in patterns if regex.match(path)]
    for name in matching:
        if name.split(" ", 1)[0] == method.upper():
            return name
    # Schemathesis also tries the methods a path does not take (the answer must be 405).
    template = matching[0].split(" ", 1)[1] if matching else path[:60]
    return f"other methods {template}"


def run_schemathesis(schema_url: str, token: str, args: argparse.Namespace, reports: Path) -> int:
    script = Path(sys.executable).with_name("schemathesis")
    argv = [
        str(script),
        "run",
        schema_url,
        "--header",
        f"Authorization: Bearer {token}",
        "--checks",
        ",".join(CHECKS),
        "--max-examples",
        str(args.max_examples),
        "--seed",
        str(args.seed),
        "--workers",
        "1",
        "--report",
        "junit,har",
        "--report-dir",
        str(reports),
        "--report-junit-path",
        str(reports / "junit.xml"),
        "--report-har-path",
        str(reports / "requests.har"),
    ]
    with (reports / "schemathesis.log").open("w") as log:
        return subprocess.run(argv, stdout=log, stderr=subprocess.STDOUT, check=False).returncode


def count_requests(
    har: Path, patterns: list[tuple[str, re.Pattern[str]]]
) -> dict[str, OperationFigures]:
    figures: dict[str, OperationFigures] = defaultdict(OperationFigures)
    for entry in json.loads(har.read_text())["log"]["entries"]:
        request, status = entry["request"], entry["response"]["status"]
        op = figures[operation_of(request["method"], request["url"], patterns)]
        op.requests += 1
        op.server_errors += status >= 500
    return figures


def count_violations(
    junit: Path, patterns: list[tuple[str, re.Pattern[str]]], figures: dict[str, OperationFigures]
) -> list[str]:
    """Add each unique failure to its operation's figures; return them as one line each."""
    findings = []
    # Our own run's report, written by schemathesis a moment ago: trusted input.
    for failure in ET.parse(junit).iter("failure"):  # noqa: S314
        for case in re.split(r"^\d+\. Test Case ID: ", failure.text or "", flags=re.MULTILINE):
            curls = CURL.findall(case)
            if not curls:
                continue
            # A stateful case lists every call of its scenario; the last one failed.
            method, url = curls[-1]
            name = operation_of(method, url, patterns)
            edge = " (edge input)" if is_edge_input(case.split("Reproduce with:")[-1]) else ""
            for code, title in FAILURE_CODE.findall(case):
                figures[name].violations[f"{code} {title}{edge}"] += 1
                findings.append(f"{name}: {code} {title}{edge}: {_received(case)} {url[:160]}")
    return findings


def is_edge_input(text: str) -> bool:
    numbers = (int(m) for m in EDGE_NUMBER.findall(text) if len(m) < 4000)
    too_long = any(len(m) >= 4000 for m in EDGE_NUMBER.findall(text))
    return (
        too_long
        or any(n * LARGEST_PAGE_SIZE > LARGEST_INT for n in numbers)
        or bool(EDGE_DATE.search(text) or EDGE_FLOAT.search(text))
    )


def _received(case: str) -> str:
    match = re.search(r"Received: (\d+)|^\[(\d+)\]", case, re.MULTILINE)
    return f"[{match.group(1) or match.group(2)}]" if match else ""


def fuzz_role(
    role: str, token: str, schema_url: str, args: argparse.Namespace, out: Path
) -> RoleRun:
    reports = out / role
    reports.mkdir(parents=True, exist_ok=True)
    patterns = operation_patterns(schema_url)
    print(f"fuzzing as {role} ...", file=sys.stderr, flush=True)
    run_schemathesis(schema_url, token, args, reports)
    figures = count_requests(reports / "requests.har", patterns)
    findings = count_violations(reports / "junit.xml", patterns, figures)
    return RoleRun(role, dict(figures), findings)


def report(runs: list[RoleRun]) -> bool:
    """Print the figures; True when the run is clean."""
    total: dict[str, OperationFigures] = defaultdict(OperationFigures)
    for run in runs:
        for name, figures in run.figures.items():
            total[name].requests += figures.requests
            total[name].server_errors += figures.server_errors
            total[name].violations.update(figures.violations)
    width = max(len(name) for name in total)
    print(f"{'operation':{width}}  requests  5xx  violations")
    for name in sorted(total, key=lambda n: n.split(" ", 1)[::-1]):
        f = total[name]
        kinds = ", ".join(f"{k} x{n}" for k, n in sorted(f.violations.items())) or "-"
        print(f"{name:{width}}  {f.requests:8}  {f.server_errors:3}  {kinds}")
    requests = sum(f.requests for f in total.values())
    errors = sum(f.server_errors for f in total.values())
    violations = sum(sum(f.violations.values()) for f in total.values())
    edge = sum(n for f in total.values() for k, n in f.violations.items() if "(edge input)" in k)
    roles = ", ".join(f"{r.role} {sum(f.requests for f in r.figures.values())}" for r in runs)
    print(f"\nrequests: {requests} ({roles}); target at least {TARGET_REQUESTS}")
    print(f"5xx answers: {errors}; unique failures (5xx or schema violation): {violations}")
    print(f"of these, with edge input (64-bit numbers, calendar edges, NaN): {edge}")
    for run in runs:
        for finding in run.findings:
            print(f"  as {run.role}: {finding}")
    return errors == 0 and violations == 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="everytouch-fuzz-") as tmp:
        out = args.keep or Path(tmp)
        out.mkdir(parents=True, exist_ok=True)
        env = server_env(out / "var")
        tokens = make_cast(env)
        port = free_port()
        schema_url = f"http://{HOST}:{port}/api/v1/openapi.json"
        with running_server(env, port, WORKERS, out / "server.log"):
            runs = [
                fuzz_role(role, tokens[role], schema_url, args, out)
                for role in args.roles.split(",")
            ]
        return 0 if report(runs) else 1


if __name__ == "__main__":
    sys.exit(main())
