"""The site as the Procfile runs it, for the benchmarks and the tests that need a real gunicorn."""

import base64
import csv
import io
import os
import platform
import re
import shlex
import socket
import subprocess
import time
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_TOKEN = "benchmark-dashboard-token"  # the ADMIN_TOKEN of the benchmark's servers (20+ characters)
BENCH_AUTH = base64.b64encode(f"bench:{BENCH_TOKEN}".encode()).decode()


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def procfile_command():
    return shlex.split(re.search(r"^web:\s*(.+)$", (ROOT / "Procfile").read_text(), re.M).group(1))


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
    for _ in range(100):
        if server.poll() is not None:
            raise SystemExit(f"the server stopped at start-up (exit status {server.returncode})")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("the server did not start")


def scan_counts(port):
    """Scans counted per code, read from the dashboard's CSV."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/admin/scans.csv", headers={"Authorization": "Basic " + BENCH_AUTH}
    )
    with urllib.request.urlopen(request) as response:
        counts = Counter()
        for row in csv.DictReader(io.StringIO(response.read().decode())):
            counts[row["code"]] += int(row["scans"])
        return counts


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
