"""The site as the Procfile runs it, for the benchmarks and the tests that need a real gunicorn."""

import os
import platform
import re
import shlex
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

from safernights import database, scan_counts

ROOT = Path(__file__).resolve().parent.parent
BENCH_TOKEN = "benchmark-dashboard-token"  # the ADMIN_TOKEN of the benchmark's servers (20+ characters)
# A scan is written by its worker's background thread once it has been held this long (scan_counts.py).
WRITTEN_WITHIN = scan_counts.HOLD_SECONDS + scan_counts.TICK_SECONDS + 0.5  # seconds
# gunicorn alone, as the Procfile's tools/serve-behind-nginx runs it behind nginx: GUNICORN, then
# any options, then APP.
GUNICORN = [str(ROOT / ".venv" / "bin" / "gunicorn"), "--config", "gunicorn.conf.py"]
APP = "app:create_app()"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def procfile_command():
    return shlex.split(re.search(r"^web:\s*(.+)$", (ROOT / "Procfile").read_text(), re.M).group(1))


STARTING = 30  # s


def start_server(port, log=subprocess.DEVNULL, command=None, **settings):
    """Run the Procfile's web command (or another) with PORT and any settings set, and wait until it
    answers."""
    env = {
        **os.environ,
        **settings,
        "PORT": str(port),
        "PATH": f"{ROOT / '.venv' / 'bin'}:{os.environ['PATH']}",
    }
    server = subprocess.Popen(command or procfile_command(), cwd=ROOT, env=env, stderr=log)
    # gunicorn builds every page before it listens: 2 s, or about 5 s with new content (a fresh clone).
    deadline = time.monotonic() + STARTING
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server stopped at start-up (exit status {server.returncode})")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("the server did not start")


def stored_scans(database_url):
    """{code: (counted, suspect)} as the database holds them, over every day and language. Read from
    the database itself: the dashboard and its CSV show no cell finer than a week and no count under
    5, so they cannot be checked against what was sent. Call it once the server has stopped (each
    worker writes what it holds as it stops) or WRITTEN_WITHIN seconds after the last scan."""
    store = database.open_store(database_url, ROOT / "instance")
    totals = {}
    try:
        for _, code, _, scans, suspect in store.execute(scan_counts.ROWS):
            counted, flood = totals.get(code, (0, 0))
            totals[code] = (counted + int(scans), flood + int(suspect))
    finally:
        store.close()
    return totals


def stored(totals, code):
    """Every scan of code the database holds, counted or suspect."""
    return sum(totals.get(code, (0, 0)))


def machine():
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    system = f"{platform.system()} {platform.release()}"
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {system}"
