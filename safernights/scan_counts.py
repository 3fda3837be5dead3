"""Anonymous scan counts: one row per (day, code, language served) and a number. Nothing else.

No time finer than a day, no IP address, no user agent, no referrer is ever stored. Counting is
one atomic statement (INSERT … ON CONFLICT DO UPDATE SET scans = scans + 1), so gunicorn workers
and several instances never lose or double a scan. SQLite by default (a file in the instance
folder); PostgreSQL when DATABASE_URL says postgresql:// (several instances, or a disk that does
not survive a restart). If the database fails, the reader is still redirected: the error is
logged, the scan is not counted.
"""

import fcntl
import sqlite3
import threading
from contextlib import closing
from datetime import datetime
from pathlib import Path

from flask import current_app

from safernights.opening_hours import LONDON

SCHEMA = """CREATE TABLE IF NOT EXISTS scans (
    day DATE NOT NULL, code TEXT NOT NULL, lang TEXT NOT NULL, scans INTEGER NOT NULL,
    PRIMARY KEY (day, code, lang))"""
COUNT = "INSERT INTO scans (day, code, lang, scans) VALUES ({0}, {0}, {0}, 1) ON CONFLICT (day, code, lang) DO UPDATE SET scans = scans.scans + 1"  # noqa: E501
SCHEMA_LOCK = 7_261_843  # any fixed number: the advisory lock that creating the table takes
ROWS = "SELECT day, code, lang, scans FROM scans ORDER BY day, code, lang"


class SQLite:
    placeholder = "?"

    def __init__(self, path):
        self.path = Path(path)
        self.local = threading.local()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with closing(sqlite3.connect(self.path)) as connection, connection:
                connection.execute("PRAGMA journal_mode=WAL")  # readers never block the counting
                connection.execute(SCHEMA)
        except (OSError, sqlite3.Error) as error:
            raise RuntimeError(f"DATABASE_URL: cannot keep scan counts in {self.path}: {error}") from error

    def execute(self, statement, values=()):
        # One connection (and lock file) per worker thread, opened after gunicorn has forked: opening
        # one per scan cost more than the scan itself.
        local = self.local
        if getattr(local, "connection", None) is None:
            local.connection = sqlite3.connect(self.path, timeout=10)
            # In WAL mode a count survives any crash of the app; only a power cut or kernel crash in
            # the last moments could lose it. Waiting for the disk on every scan cost 0.7 ms each.
            local.connection.execute("PRAGMA synchronous=NORMAL")
            local.lock = self.path.with_name(self.path.name + ".lock").open("a")
        # Workers take turns through the lock file: flock wakes the next one the moment the write is
        # done, where SQLite's own busy wait sleeps up to 100 ms between tries. With these changes
        # a scan at 64 connections on 2 cores went from 560–1,150 to about 2,300 requests/s and its
        # p99 from 90–180 ms to 36 ms (wrk; bench/results.md, measured on every `make bench`).
        fcntl.flock(local.lock, fcntl.LOCK_EX)
        try:
            with local.connection:
                return list(local.connection.execute(statement, values))
        finally:
            fcntl.flock(local.lock, fcntl.LOCK_UN)


class PostgreSQL:
    placeholder = "%s"

    def __init__(self, url):
        # Nothing connects yet: a server that is down at start-up does not stop the site, and each
        # worker thread makes its own connection after gunicorn has forked.
        self.url = url
        self.local = threading.local()

    def execute(self, statement, values=()):
        import psycopg  # only deployments that use PostgreSQL need it loaded

        connection = getattr(self.local, "connection", None)
        if connection is None or connection.closed:
            connection = self.local.connection = psycopg.connect(self.url, autocommit=True, connect_timeout=2)
            # Workers (and instances) connecting at once to a new database all try to create the
            # table, and PostgreSQL's CREATE TABLE IF NOT EXISTS is not safe against itself: the
            # losers fail on its catalogue (pg_type) and their scans went uncounted. Creating it
            # under one advisory lock makes them take turns.
            with connection.transaction():
                connection.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
                connection.execute(SCHEMA)
        try:
            with connection.cursor() as cursor:
                cursor.execute(statement, values)
                return cursor.fetchall() if cursor.description else []
        except psycopg.OperationalError:
            connection.close()  # the next scan reconnects
            raise


def open_store(url, instance_path):
    """The store DATABASE_URL names; SQLite in the instance folder when it is not set."""
    if not url:
        return SQLite(Path(instance_path) / "scans.sqlite3")
    if url.startswith("sqlite:///"):
        return SQLite(url.removeprefix("sqlite:///"))
    if url.startswith(("postgresql://", "postgres://")):
        return PostgreSQL(url)
    raise ValueError("DATABASE_URL must start with sqlite:/// or postgresql://")


def count_after(response, code, lang, suspect=False):
    """Count one scan today once the redirect has been sent, so a slow or broken database never
    delays or stops it; a failure is logged. A suspect scan (a flood) is never counted."""
    if suspect:
        return response
    store, logger = current_app.extensions["scans"], current_app.logger

    def count():
        try:
            today = datetime.now(LONDON).date()  # the day in the UK, where the posters are
            store.execute(COUNT.format(store.placeholder), (today.isoformat(), code, lang))
        except Exception:  # any database failure: the reader already has their page
            logger.exception("could not count a scan of %s", code)

    response.call_on_close(count)
    return response


def rows():
    """(day, code, lang, scans) for the dashboard and the CSV."""
    store = current_app.extensions["scans"]
    return [(str(day), code, lang, int(scans)) for day, code, lang, scans in store.execute(ROWS)]


def init_app(app):
    # SQLite is set up here, once, before gunicorn forks its workers, so that they never race to
    # create the table or switch the journal mode; PostgreSQL connects on first use.
    app.extensions["scans"] = open_store(app.config["DATABASE_URL"], app.instance_path)
