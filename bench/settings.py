"""The measurements behind gunicorn.conf.py: each candidate is gunicorn.conf.py with one change.

For every candidate: requests/s and p50/p99 of a topic page and of a QR scan at 64 connections
(median of bench/run.py's rounds, taken in turn), the workers' memory (PSS, which counts memory
shared between workers once) after the load, the seconds from start to the first answer, and how
long a page takes while silent connections hold on (a slow client, or a browser's preconnect).
Writes bench/settings.md's first table, keeping the sections after it (bench/slow_clients.py's).
Run it with `make bench-settings`.
"""

import os
import shutil
import socket
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import soak  # noqa: E402
from bench.server import free_port, machine, start_server  # noqa: E402
from bench.wrk import CONNECTIONS, DURATION, ROUNDS, load_in_rounds  # noqa: E402

# (what changes, the lines added after gunicorn.conf.py's own)
CANDIDATES = [
    (f"as configured: sync, cores + 1 = {os.cpu_count() + 1} workers, preload", ""),
    ("sync, 2 workers", "workers = 2"),
    ("sync, 2 × cores + 1 workers (gunicorn's rule)", "workers = 2 * multiprocessing.cpu_count() + 1"),
    ("sync, 8 workers", "workers = 8"),
    ("gthread, 2 workers × 4 threads", "worker_class = 'gthread'\nworkers = 2\nthreads = 4"),
    ("gthread, cores + 1 workers × 2 threads", "worker_class = 'gthread'\nthreads = 2"),
    ("no preload: each worker builds the app", "preload_app = False"),
]
TARGETS = [("topic page", "/en/consent"), ("QR scan", "/q/consent")]
# Connections opened and left silent, as Chromium's speculative preconnects or a slow client leave
# them, while one reader asks for a page; more than any candidate has workers or threads.
IDLE_CONNECTIONS = 16


def answer_with_idle_connections(port):
    """Seconds for a page while IDLE_CONNECTIONS sit open and silent (None: no answer in 30 s)."""
    idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(IDLE_CONNECTIONS)]
    try:
        started = time.monotonic()
        urllib.request.urlopen(f"http://127.0.0.1:{port}/en/consent", timeout=30).read()
        return time.monotonic() - started
    except OSError:
        return None
    finally:
        for connection in idle:
            connection.close()


def measure(extra):
    folder = Path(tempfile.mkdtemp())
    config = folder / "gunicorn.conf.py"
    config.write_text((ROOT / "gunicorn.conf.py").read_text() + "\n" + extra + "\n")
    port = free_port()
    gunicorn = [str(ROOT / ".venv" / "bin" / "gunicorn"), "--config", str(config), "app:create_app()"]
    started = time.monotonic()
    server = start_server(port, command=gunicorn, DATABASE_URL=f"sqlite:///{folder}/scans.sqlite3")
    startup = time.monotonic() - started
    try:
        results = load_in_rounds([(name, f"http://127.0.0.1:{port}{path}") for name, path in TARGETS])
        memory = sum(pss for _, pss in soak.memory(server.pid).values()) / 1024  # MiB
        stalled = answer_with_idle_connections(port)
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(folder, ignore_errors=True)
    return results, memory, startup, stalled


def main():
    rows = []
    for name, extra in CANDIDATES:
        results, memory, startup, stalled = measure(extra)
        cells = " | ".join(
            f"{r['rps']:.0f} | {r['p50']:.1f} | {r['p99']:.1f} | {r['errors']}" for r in results.values()
        )
        waited = "no answer" if stalled is None else f"{stalled:.2f}"
        rows.append(f"| {name} | {cells} | {memory:.0f} | {startup:.1f} | {waited} |")
        print(rows[-1], flush=True)
    heading = " | ".join(f"{target}: requests/s | p50 ms | p99 ms | errors" for target, _ in TARGETS)
    report = "\n".join(
        [
            "# gunicorn settings, measured",
            "",
            f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {machine()}.",
            f"wrk, {CONNECTIONS} connections, {DURATION} a run, {ROUNDS} rounds taken in turn, median run; "
            "the topic page is /en/consent, the scan /q/consent counting into SQLite. Memory: the "
            "workers' total PSS after the load. Start: seconds from launch to the first answer. "
            f"Idle: seconds for a page while {IDLE_CONNECTIONS} connections sit open and silent.",
            "",
            f"| candidate | {heading} | workers' memory MiB | start s | idle s |",
            "|---|" + "---:|" * (4 * len(TARGETS) + 3),
            *rows,
        ]
    )
    # The sections after this table (bench/slow_clients.py's) are kept as they are.
    path = ROOT / "bench" / "settings.md"
    old = path.read_text() if path.exists() else ""
    path.write_text(report + "\n" + (old[old.index("\n## ") :] if "\n## " in old else ""))
    print(report)


if __name__ == "__main__":
    main()
