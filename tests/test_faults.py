"""Faults, on the real gunicorn as the Procfile starts it: while the database is locked, deleted,
hung or restarting, and while huge headers come in, a reader keeps getting pages at their normal
speed, and every scan answered is stored once (counted, suspect or "not counted"), never twice.

Each run: a reader requests pages one after another and phones scan (each from another phone) for
NORMAL seconds, then FAULT seconds with the fault on, then RECOVER seconds after it. The server is
then stopped (each worker writes what it holds) and the database read. `make faults` runs this file
alone and prints the table (also written to bench/faults.md).
"""

import http.client
import itertools
import os
import signal
import sqlite3
import statistics
import subprocess
import threading
import time
from pathlib import Path

import pytest

from bench.postgres import TemporaryPostgres
from bench.server import ROOT, free_port, start_server, stored_scans

NORMAL, FAULT, RECOVER = 3, 5, 3  # seconds
PAGES = ["/en/consent", "/pl/get-help", "/ar/", "/en/services", "/uk/report"]
CODES = ["consent", "get-help", "card", "staff"]
SCAN_EVERY = 0.05  # seconds between scans: 20 a second, every one from another phone
P99_LIMIT = 100  # ms, from the issue, and at most twice the same run's p99 before the fault
RESULTS = []


def get(port, path, headers=()):
    """(status, milliseconds) of one request on a new connection; status None if it failed.
    headers: (name, value) pairs, a name may repeat."""
    started = time.monotonic()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        connection.putrequest("GET", path)
        for name, value in headers:
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        response.read()
        status = response.status
        connection.close()
    except (OSError, http.client.HTTPException):
        status = None
    return status, (time.monotonic() - started) * 1000


class Load:
    """The reader and the phones, each in its own thread, until stopped."""

    def __init__(self, port, reader_headers):
        self.port, self.reader_headers, self.stopped = port, reader_headers, threading.Event()
        self.pages, self.scans = [], []  # (when, status, ms)
        self.threads = [threading.Thread(target=self.read), threading.Thread(target=self.scan)]

    def read(self):
        for path in itertools.cycle(PAGES):
            if self.stopped.is_set():
                return
            self.pages.append((time.monotonic(), *get(self.port, path, list(self.reader_headers))))

    def scan(self):
        for n in itertools.count():
            if self.stopped.wait(SCAN_EVERY):
                return
            phone = [("User-Agent", f"Mozilla/5.0 Fault-Phone/{os.getpid()}-{n}"), ("Accept-Language", "pl")]
            self.scans.append((time.monotonic(), *get(self.port, f"/q/{CODES[n % len(CODES)]}", phone)))

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *_):
        self.stopped.set()
        for thread in self.threads:
            thread.join()


def p(latencies, share):
    return statistics.quantiles(latencies, n=100)[share - 1] if len(latencies) > 1 else float("nan")


def run(name, database_url, fault_on, fault_off, reader_headers=()):
    """Serve, load, fault, recover, stop; return the figures and keep them for the table. The
    server's error log goes to /tmp/safernights-fault-<name>.log."""
    port = free_port()
    log = Path("/tmp") / f"safernights-fault-{name.replace(' ', '-')}.log"
    with log.open("w") as errors:
        server = start_server(port, log=errors, DATABASE_URL=database_url)
    try:
        with Load(port, reader_headers) as load:
            time.sleep(NORMAL)
            started = time.monotonic()
            fault_on()
            time.sleep(FAULT)
            fault_off()
            ended = time.monotonic()
            time.sleep(RECOVER)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    figures_log = log.read_text()
    before = [ms for at, status, ms in load.pages if at < started and status == 200]
    during = [ms for at, status, ms in load.pages if started <= at < ended and status == 200]
    stored = stored_scans(database_url)
    figures = {
        "fault": name,
        "pages failed": sum(1 for _, status, _ in load.pages if status != 200),
        "p50 before": p(before, 50),
        "p99 before": p(before, 99),
        "p50 during": p(during, 50),
        "p99 during": p(during, 99),
        "scans answered": sum(1 for _, status, _ in load.scans if status == 302),
        "scans failed": sum(1 for _, status, _ in load.scans if status != 302),
        "counted": sum(counted for counted, _ in stored.values()),
        "suspect": sum(suspect for _, suspect in stored.values()),
        "not counted": not_counted(database_url),
        "log": figures_log,
    }
    RESULTS.append({column: value for column, value in figures.items() if column != "log"})
    return figures


def not_counted(database_url):
    from safernights import database

    store = database.open_store(database_url, ROOT / "instance")
    try:
        return int(store.execute("SELECT COALESCE(SUM(not_counted), 0) FROM scans")[0][0])
    finally:
        store.close()


def assert_readers_unaffected(figures):
    assert figures["pages failed"] == 0
    assert figures["scans failed"] == 0
    assert figures["p99 during"] < P99_LIMIT
    assert figures["p99 during"] <= 2 * max(figures["p99 before"], 1.0)


def stored_once(figures):
    return figures["counted"] + figures["suspect"] + figures["not counted"]


def test_sqlite_locked_by_another_process(tmp_path):
    """Another program holds SQLite's write lock for the whole fault (as a backup tool might)."""
    url = f"sqlite:///{tmp_path / 'scans.sqlite3'}"
    holder = {}

    def lock():
        holder["connection"] = sqlite3.connect(tmp_path / "scans.sqlite3", isolation_level=None)
        holder["connection"].execute("BEGIN EXCLUSIVE")

    def unlock():
        holder["connection"].execute("ROLLBACK")
        holder["connection"].close()

    figures = run("SQLite locked", url, lock, unlock)
    assert_readers_unaffected(figures)
    assert stored_once(figures) == figures["scans answered"]  # waited, then written once


def test_sqlite_file_deleted(tmp_path):
    """The database folder is deleted while the site runs: noticed, logged, made again."""
    folder = tmp_path / "data"
    url = f"sqlite:///{folder / 'scans.sqlite3'}"

    def delete():
        subprocess.run(["rm", "-rf", str(folder)], check=True)

    figures = run("SQLite deleted", url, delete, lambda: None)
    assert_readers_unaffected(figures)
    assert "was deleted or replaced while in use" in figures["log"]
    # What was written to the deleted file went with it; every scan since is in the new one.
    assert 0 < stored_once(figures) <= figures["scans answered"]


@pytest.fixture
def postgres():
    server = TemporaryPostgres()
    yield server
    server.stop()


def postgres_processes(server):
    found = subprocess.run(["pgrep", "-f", server.data], capture_output=True, text=True).stdout.split()
    return [int(pid) for pid in found]


def test_postgresql_hung(postgres):
    """Every PostgreSQL process stopped (SIGSTOP) for the whole fault, then let go."""

    def signal_all(number):
        for pid in postgres_processes(postgres):
            os.kill(pid, number)

    figures = run(
        "PostgreSQL hung",
        postgres.url,
        lambda: signal_all(signal.SIGSTOP),
        lambda: signal_all(signal.SIGCONT),
    )
    assert_readers_unaffected(figures)
    assert stored_once(figures) == figures["scans answered"]


def test_postgresql_stopped_and_restarted(postgres):
    figures = run(
        "PostgreSQL restarted",
        postgres.url,
        lambda: postgres._run("pg_ctl", "-D", postgres.data, "-m", "fast", "-w", "stop"),
        postgres.start,
    )
    assert_readers_unaffected(figures)
    assert stored_once(figures) == figures["scans answered"]


class Senders:
    """Six connections sending requests with 360 KB of Accept-Language, one after another: 45 lines
    of 8 KB, which gunicorn joins into one value (one line over 8,190 bytes is refused by gunicorn)."""

    HUGE = [("Accept-Language", "pl-PL,pl;q=0.9," + "en;q=0.1," * 900)] * 45

    def __init__(self, port):
        self.port, self.stopped, self.answers, self.threads = port, threading.Event(), [], []

    def send(self):
        while not self.stopped.is_set():
            self.answers.append(get(self.port, "/en/consent", self.HUGE))

    def start(self):
        self.threads = [threading.Thread(target=self.send) for _ in range(6)]
        for thread in self.threads:
            thread.start()

    def stop(self):
        self.stopped.set()
        for thread in self.threads:
            thread.join()


def test_huge_accept_language_from_six_connections(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'scans.sqlite3'}"
    port = free_port()
    monkeypatch.setattr("tests.test_faults.free_port", lambda: port)
    senders = Senders(port)
    figures = run("360 KB Accept-Language ×6", url, senders.start, senders.stop)
    assert_readers_unaffected(figures)
    assert stored_once(figures) == figures["scans answered"]
    served = [ms for status, ms in senders.answers if status == 200]
    assert served  # each huge request still gets the page, in its first language
    figures["huge header p50"] = p(served, 50)


@pytest.fixture(scope="module", autouse=True)
def table():
    """After the runs: the table, printed past pytest's capture and kept in bench/faults.md."""
    yield
    columns = list(RESULTS[0]) if RESULTS else []
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for figures in RESULTS:
        cells = [f"{value:.1f}" if isinstance(value, float) else str(value) for value in figures.values()]
        lines.append("| " + " | ".join(cells) + " |")
    text = "\n".join(lines) + "\n"
    os.write(1, ("\n" + text).encode())
    Path(ROOT / "bench" / "faults.md").write_text("# Fault runs (`make faults`)\n\n" + text)
