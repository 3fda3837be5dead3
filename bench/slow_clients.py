"""Slow and idle clients against one reader (issue 15, item 3): which setup keeps answering pages.

A sync worker reads one connection at a time, so a client that sends its request slowly, or
connects and says nothing, holds a whole worker, and there are only cores + 1 of them. For each
candidate this opens SLOW connections that send a request's headers a byte a second (too long to
finish) and IDLE ones that send nothing, and holds them HOLD_SECONDS, opening another at once
whenever the server closes one (as an attacker would); meanwhile ONE reader asks for pages one after
another, a new connection each time, timing out after 5 s. Reported: the reader's requests,
failures (an error, a time-out or an answer other than 200) and latencies (failures counted at the
time they took), and how often the server closed a held connection. Then the same with four times
the slow connections, to show each candidate's margin; then the reader while another process holds
the SQLite file's locks as a writing worker does (a page must never wait for the database); then,
with no slow clients, wrk's rate for a topic page and for a static CSS file (bench/run.py's load, 64
connections), since `make bench` wants the page at 50% or more of the static file's rate.

Target: the reader's p99 under 100 ms with no failed request, and the page at least 50% of static.
Writes its section of bench/settings.md, keeping the rest. Run it with `make bench-slow-clients`.
"""

import fcntl
import http.client
import re
import select
import shutil
import socket
import sqlite3
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import SHARE_TARGET  # noqa: E402
from bench.server import APP, GUNICORN, free_port, machine, start_server  # noqa: E402
from bench.wrk import load_in_rounds  # noqa: E402

SLOW, IDLE = 50, 50  # from the issue
HOLD_SECONDS = 30  # from the issue
MARGIN_SLOW, MARGIN_SECONDS = 4 * SLOW, 10  # beyond the target: how far each candidate holds
LOCKED_SECONDS = 10  # the reader's time while another process holds the database's locks
READER_TIMEOUT = 5  # seconds
P99_TARGET = 100  # ms
READER_PATHS = ["/en/consent", "/en/", "/pl/consent", "/ar/get-help", "/en/services"]
# A request's headers, sent a byte a second: at 1 byte/s it would take over 4 minutes to finish.
SLOW_REQUEST = b"GET /en/consent HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: " + b"s" * 200 + b"\r\n\r\n"
BEHIND_NGINX = ROOT / "tools" / "serve-behind-nginx"  # gunicorn.conf.py's gunicorn behind deploy/nginx.conf
SYNC = ["--worker-class", "sync", "--threads", "1"]  # sync even if gunicorn.conf.py sets threads


def gthread(threads, keep_alive):
    return ["--worker-class", "gthread", "--threads", str(threads), "--keep-alive", str(keep_alive)]


# (name, gunicorn's options over gunicorn.conf.py, behind nginx); every candidate has cores + 1 workers.
CANDIDATES = [
    ("sync (gunicorn.conf.py)", SYNC, False),
    ("gthread × 32 threads, keep-alive 2 s (gunicorn's default)", gthread(32, 2), False),
    ("gthread × 64 threads, keep-alive 2 s", gthread(64, 2), False),
    ("gthread × 64 threads, no keep-alive", gthread(64, 0), False),
    (
        "gevent (1,000 connections each), keep-alive 2 s",
        ["--worker-class", "gevent", "--keep-alive", "2"],
        False,
    ),
    ("sync behind nginx (tools/serve-behind-nginx)", SYNC, True),
]
SECTION = "## Slow and idle clients"


class Attackers(threading.Thread):
    """SLOW connections sending SLOW_REQUEST a byte a second and IDLE silent ones, each replaced as
    soon as the server closes it, until stop()."""

    def __init__(self, port, slow=SLOW, idle=IDLE):
        super().__init__(daemon=True)
        self.port = port
        self.stopping = threading.Event()
        self.closed_by_server = {"slow": 0, "idle": 0}
        self.slots = [self.open("slow") for _ in range(slow)] + [self.open("idle") for _ in range(idle)]

    def open(self, kind):
        """A new connection (None if the server refused it: tried again a second later)."""
        try:
            connection = socket.create_connection(("127.0.0.1", self.port), timeout=READER_TIMEOUT)
        except OSError:
            connection = None
        return {"kind": kind, "socket": connection, "sent": 0}

    def reopen(self, slot):
        if slot["socket"]:
            self.closed_by_server[slot["kind"]] += 1
            slot["socket"].close()
        slot.update(self.open(slot["kind"]))

    def run(self):
        while not self.stopping.wait(1):
            for slot in self.slots:
                if not slot["socket"]:
                    self.reopen(slot)
            sockets = {slot["socket"]: slot for slot in self.slots if slot["socket"]}
            readable, _, _ = select.select(list(sockets), [], [], 0)
            for connection in readable:  # an answer (a 408, say) or the end: the server let it go
                self.reopen(sockets[connection])
            for slot in self.slots:
                if slot["socket"] and slot["kind"] == "slow" and slot["sent"] < len(SLOW_REQUEST):
                    try:
                        slot["socket"].send(SLOW_REQUEST[slot["sent"] : slot["sent"] + 1])
                        slot["sent"] += 1
                    except OSError:
                        self.reopen(slot)

    def stop(self):
        """Close every connection: how many were open at the end."""
        self.stopping.set()
        self.join()
        held = [slot["socket"] for slot in self.slots if slot["socket"]]
        for connection in held:
            connection.close()
        return len(held)


def read_pages(port, seconds):
    """One reader, one request after another for `seconds`: (latencies in ms, failures)."""
    latencies, failures = [], 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        path = READER_PATHS[len(latencies) % len(READER_PATHS)]
        started = time.monotonic()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=READER_TIMEOUT)
        try:
            connection.request("GET", path, headers={"Accept-Encoding": "gzip"})
            response = connection.getresponse()
            response.read()
            failures += response.status != 200
        except (OSError, http.client.HTTPException):
            failures += 1
        finally:
            connection.close()
        latencies.append((time.monotonic() - started) * 1000)
    return latencies, failures


def figures(latencies, failures):
    ordered = sorted(latencies)
    return {
        "requests": len(ordered),
        "failures": failures,
        "p50": ordered[len(ordered) // 2],
        "p99": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))],
        "max": ordered[-1],
    }


def under_attack(port, seconds=HOLD_SECONDS, slow=SLOW, idle=IDLE):
    """The reader's figures while the slow and idle connections are held."""
    attackers = Attackers(port, slow, idle)
    attackers.start()
    time.sleep(2)  # every slow connection has started its request; every idle one has been accepted
    try:
        latencies, failures = read_pages(port, seconds)
    finally:
        held = attackers.stop()
    return {**figures(latencies, failures), "closed": attackers.closed_by_server, "held": held}


def scan_now_and_then(port, stopping):
    """A scan every 0.1 s, each from another phone, so the workers' writing threads have work."""
    phone = 0
    while not stopping.wait(0.1):
        phone += 1
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=READER_TIMEOUT)
        try:
            connection.request("GET", "/q/consent", headers={"User-Agent": f"Mozilla/5.0 Phone/{phone}"})
            connection.getresponse().read()
        except (OSError, http.client.HTTPException):
            pass
        finally:
            connection.close()


def database_locked(port, database):
    """The reader's figures while another process (this one) holds the SQLite file's locks as a
    writing worker does (database.py: the lock file's flock, then SQLite's write lock) and scans keep
    coming: a page must never wait for the database (scan_counts.py)."""
    lock = database.with_name(database.name + ".lock").open("a")
    fcntl.flock(lock, fcntl.LOCK_EX)
    holder = sqlite3.connect(database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    stopping = threading.Event()
    scanner = threading.Thread(target=scan_now_and_then, args=(port, stopping))
    scanner.start()
    try:
        return figures(*read_pages(port, LOCKED_SECONDS))
    finally:
        stopping.set()
        scanner.join()
        holder.rollback()
        holder.close()
        lock.close()


def start(options, behind_nginx, folder):
    """A candidate's server on 127.0.0.1, counting scans into SQLite in folder: its port and process."""
    port = free_port()
    bind = ["--bind", f"127.0.0.1:{port}"]
    command = [BEHIND_NGINX, *bind, *options] if behind_nginx else [*GUNICORN, *bind, *options, APP]
    return port, start_server(port, command=command, DATABASE_URL=f"sqlite:///{folder}/scans.sqlite3")


def static_file(port):
    page = http.client.HTTPConnection("127.0.0.1", port, timeout=READER_TIMEOUT)
    page.request("GET", "/en/")
    css = re.search(r'href="(/static/css/[^"]+)"', page.getresponse().read().decode()).group(1)
    page.close()
    return css


def write_section(rows):
    """Replace this script's section of bench/settings.md (or add it), keeping everything else."""
    path = ROOT / "bench" / "settings.md"
    section = "\n".join(
        [
            SECTION,
            "",
            f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {machine()} by `make bench-slow-clients` "
            "(bench/slow_clients.py). Each candidate is gunicorn.conf.py with the worker settings named "
            "(cores + 1 workers, preload, as configured). Held: "
            f"{SLOW} slow connections (a request's headers at a byte a second, too long to finish) and "
            f"{IDLE} idle ones (connected, silent) for {HOLD_SECONDS} s, each opened again as soon as "
            "the server closed it, while one reader asked for pages one after another, a new connection "
            f"each, timing out at {READER_TIMEOUT} s; reader latencies count a failure at the time it "
            f"took. Margin: the same with {MARGIN_SLOW} slow connections for {MARGIN_SECONDS} s. "
            f"Locked: the reader for {LOCKED_SECONDS} s while another process holds the SQLite file's "
            "flock and write lock as a writing worker does, with a scan every 0.1 s. Rates: with no slow "
            "clients, wrk at 64 connections on /en/consent and the static CSS file, 3 rounds with every "
            "candidate taking its turn in each, median run. "
            f"Target: reader p99 under {P99_TARGET} ms with no failure while held, the page at least "
            f"{SHARE_TARGET:.0%} of the static rate.",
            "",
            "| candidate | held: reader requests | failures | p50 ms | p99 ms | max ms | closed by the "
            "server (slow / idle) | margin: failures | p99 ms | locked: failures | p99 ms | max ms "
            "| page requests/s | page p99 ms | static requests/s | share | target |",
            "|---|" + "---:|" * 16 + "---|",
            *rows,
        ]
    )
    old = path.read_text() if path.exists() else ""
    start = old.find(SECTION)
    if start < 0:
        new = old.rstrip("\n") + "\n\n" + section + "\n"
    else:
        end = old.find("\n## ", start + len(SECTION))
        new = old[:start] + section + "\n" + (old[end:] if end >= 0 else "")
    path.write_text(new)


def main():
    """Every candidate runs at once, idle but for the one measured, so wrk's rounds can take turns
    across all of them: a slow spell of this shared machine then hits every candidate alike."""
    folder = Path(tempfile.mkdtemp())
    running = {}  # name: (port, database, process)
    try:
        for index, (name, options, behind_nginx) in enumerate(CANDIDATES):
            (folder / str(index)).mkdir()
            port, process = start(options, behind_nginx, folder / str(index))
            running[name] = (port, folder / str(index) / "scans.sqlite3", process)
        css = static_file(next(iter(running.values()))[0])
        rates = load_in_rounds(
            [
                ((name, target), f"http://127.0.0.1:{port}{path}")
                for name, (port, _, _) in running.items()
                for target, path in (("page", "/en/consent"), ("static", css))
            ]
        )
        rows = []
        for name, (port, database, _) in running.items():
            reader = under_attack(port)
            margin = under_attack(port, MARGIN_SECONDS, slow=MARGIN_SLOW)
            locked = database_locked(port, database)
            page, static = rates[name, "page"], rates[name, "static"]
            share = page["rps"] / static["rps"]
            met = reader["p99"] < P99_TARGET and not reader["failures"] and share >= SHARE_TARGET
            rows.append(
                f"| {name} | {reader['requests']} | {reader['failures']} | {reader['p50']:.1f} "
                f"| {reader['p99']:.1f} | {reader['max']:.0f} "
                f"| {reader['closed']['slow']} / {reader['closed']['idle']} "
                f"| {margin['failures']} | {margin['p99']:.1f} "
                f"| {locked['failures']} | {locked['p99']:.1f} | {locked['max']:.0f} "
                f"| {page['rps']:.0f} | {page['p99']:.1f} | {static['rps']:.0f} | {share:.0%} "
                f"| {'met' if met else '**missed**'} |"
            )
            print(rows[-1], flush=True)
    finally:
        for _, _, process in running.values():
            process.terminate()
            process.wait()
        shutil.rmtree(folder, ignore_errors=True)
    write_section(rows)


if __name__ == "__main__":
    main()
