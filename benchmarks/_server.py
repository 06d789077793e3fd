"""Start the real server for a benchmark and watch its memory.

The server is ``everytouch serve`` (gunicorn on everytouch.wsgi) on 127.0.0.1 and a free port;
memory is the sum over gunicorn's master and workers, sampled in a background thread.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psutil  # type: ignore[import-untyped]

HOST = "127.0.0.1"
STARTUP_TIMEOUT_S = 60.0
MIB = 1024 * 1024


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def serve_argv(port: int, workers: int, extra: Sequence[str] = ()) -> list[str]:
    """``everytouch serve`` on the loopback; ``extra`` are more of its options (``--threads 8``)."""
    script = Path(sys.executable).with_name("everytouch")
    if script.exists():
        return [
            str(script),
            "serve",
            "--host",
            HOST,
            "--port",
            str(port),
            "--workers",
            str(workers),
            *extra,
        ]
    # Before the CLI existed: the same server, started by hand.
    bind = f"{HOST}:{port}"
    return [sys.executable, "-m", "gunicorn", "everytouch.wsgi", "-b", bind, "-w", str(workers)]


def _wait_listening(proc: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}; see {log}")
        try:
            with socket.create_connection((HOST, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server did not listen on {port} within {STARTUP_TIMEOUT_S:.0f}s")


@contextmanager
def running_server(
    env: dict[str, str], port: int, workers: int, log: Path, extra: Sequence[str] = ()
) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        argv = serve_argv(port, workers, extra)
        proc = subprocess.Popen(argv, env=env, stdout=out, stderr=out)
        try:
            _wait_listening(proc, port, log)
            yield proc
        finally:
            _stop(proc)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@dataclass
class MemoryPeak:
    rss_mib: float = 0.0
    pss_mib: float = 0.0
    processes: int = 0


def tree_cpu_seconds(pid: int) -> float:
    """User plus system CPU time used so far by a process and its live descendants."""
    root = psutil.Process(pid)
    total = 0.0
    for proc in [root, *root.children(recursive=True)]:
        try:
            times = proc.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def tree_memory(pid: int) -> tuple[float, float, int]:
    """RSS and PSS (MiB) summed over a process and its descendants.

    RSS counts pages shared by the forked workers once per worker, so it overstates; PSS
    splits shared pages between their users and is the honest total.
    """
    root = psutil.Process(pid)
    rss = pss = 0
    procs = [root, *root.children(recursive=True)]
    for proc in procs:
        try:
            info = proc.memory_full_info()
        except psutil.NoSuchProcess:
            continue
        rss += info.rss
        pss += getattr(info, "pss", info.rss)
    return rss / MIB, pss / MIB, len(procs)


class MemorySampler:
    """Samples the server's memory every ``interval`` seconds while in a ``with`` block."""

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        self.pid = pid
        self.interval = interval
        self.peak = MemoryPeak()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def sample(self) -> None:
        try:
            rss, pss, count = tree_memory(self.pid)
        except psutil.NoSuchProcess:
            return
        self.peak.rss_mib = max(self.peak.rss_mib, rss)
        self.peak.pss_mib = max(self.peak.pss_mib, pss)
        self.peak.processes = max(self.peak.processes, count)
