"""What one large Accept-Language costs the server against a normal page request (issue 15, item 2).

For each server setup, ROUNDS rounds of REQUESTS requests for /en/consent, one after another on new
connections: with a normal Accept-Language, with one 8 KB line, and with 45 lines of 8 KB (360 KB,
which gunicorn joins into one value; bench/huge_headers.py). The cost is the CPU time the server's
processes (gunicorn's master and workers, and nginx) spent on them, read from /proc before and
after, divided by the requests (the median round): the client's own work is not in it. Target:
each large header at most twice a normal request. Writes bench/headers.md; `make bench-headers`.
"""

import signal
import socket
import statistics
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.huge_headers import LINE  # noqa: E402
from bench.server import APP, GUNICORN, free_port, machine, start_server  # noqa: E402
from bench.slow_clients import BEHIND_NGINX  # noqa: E402

ROUNDS, REQUESTS, WARM_UP = 5, 200, 50  # REQUESTS of each header a round
TARGET = 2  # times a normal request's cost
HEADERS = {
    "normal (pl-PL,pl;q=0.9)": b"Accept-Language: pl-PL,pl;q=0.9\r\n",
    "8 KB": LINE,
    "360 KB (45 × 8 KB)": LINE * 45,
}
SETUPS = {
    "gunicorn, Python parser": lambda bind: [*GUNICORN, "--http-parser", "python", *bind, APP],
    "gunicorn (gunicorn.conf.py: C parser)": lambda bind: [*GUNICORN, *bind, APP],
    "behind nginx (tools/serve-behind-nginx)": lambda bind: [str(BEHIND_NGINX), *bind],
}


def processes(root):
    """root and every process below it."""
    found, waiting = [], [root]
    while waiting:
        pid = waiting.pop()
        found.append(pid)
        for task in Path(f"/proc/{pid}/task").glob("*"):
            try:
                waiting += map(int, (task / "children").read_text().split())
            except OSError:
                continue
    return found


def cpu_seconds(pids):
    """CPU time the processes' threads have run, in seconds: the first field of each thread's
    schedstat, in nanoseconds (utime and stime in /proc/<pid>/stat count whole 10 ms ticks)."""
    total = 0
    for pid in pids:
        for task in Path(f"/proc/{pid}/task").glob("*"):
            try:
                total += int((task / "schedstat").read_text().split()[0])
            except OSError:
                continue
    return total / 1e9


def request(port, header):
    """One request on a new connection, read to the end; its status line."""
    head = b"GET /en/consent HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + header + b"\r\n"
    answer = b""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(head)
        while chunk := connection.recv(65536):
            answer += chunk
    return answer.split(b"\r\n", 1)[0].decode()


def measure(command):
    """{header: (ms of server CPU a request, status lines)} for one setup: the median of ROUNDS,
    each of which sends every header in turn, so a slow moment of the machine falls on all."""
    port, costs, statuses = free_port(), {name: [] for name in HEADERS}, {name: set() for name in HEADERS}
    with tempfile.TemporaryDirectory() as folder:
        bind = ["--bind", f"127.0.0.1:{port}"]
        server = start_server(port, command=command(bind), DATABASE_URL=f"sqlite:///{folder}/s.sqlite3")
        try:
            pids = processes(server.pid)
            for header in HEADERS.values():
                for _ in range(WARM_UP):
                    request(port, header)
            for _ in range(ROUNDS):
                for name, header in HEADERS.items():
                    before = cpu_seconds(pids)
                    statuses[name] |= {request(port, header) for _ in range(REQUESTS)}
                    costs[name].append((cpu_seconds(pids) - before) / REQUESTS * 1000)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    return {name: (statistics.median(costs[name]), " / ".join(statuses[name])) for name in HEADERS}


def table(results):
    lines = [
        "| setup | header | server CPU a request (ms) | × normal | answer | target met |",
        "|---|---|---:|---:|---|---|",
    ]
    for setup, figures in results.items():
        normal = next(iter(figures.values()))[0]
        for name, (ms, status) in figures.items():
            ratio = ms / normal
            met = "—" if name.startswith("normal") else ("yes" if ratio <= TARGET else "**no**")
            lines.append(f"| {setup} | {name} | {ms:.2f} | {ratio:.1f} | {status} | {met} |")
    return "\n".join(lines)


def main():
    results = {setup: measure(command) for setup, command in SETUPS.items()}
    text = (
        "# What a large Accept-Language costs (`make bench-headers`)\n\n"
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {machine()}. {ROUNDS} rounds of {REQUESTS} requests for "
        "/en/consent with each header, "
        "one at a time on new connections; the cost is the server's own CPU time (gunicorn's "
        "processes, and nginx's), per request. Target: at most "
        f"{TARGET}× a normal request.\n\n{table(results)}\n"
    )
    (ROOT / "bench" / "headers.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
