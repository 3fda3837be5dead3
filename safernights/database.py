"""The site's one database: SQLite in the instance folder, or PostgreSQL when DATABASE_URL says so.

It holds the anonymous scan counts and the campaign team's placements. Statements are written
once, with `?` placeholders; PostgreSQL's `%s` is put in for them. Each worker thread keeps its own
connection, opened after gunicorn has forked. The tables are made and migrated by migrations.py.
"""

import fcntl
import logging
import os
import sqlite3
import threading
from contextlib import closing, contextmanager
from pathlib import Path

log = logging.getLogger(__name__)
# Short limits: only the background thread and the dashboard wait on the database (scan_counts.py),
# and no wait may outlast gunicorn's 10 s worker time-out.
SQLITE_BUSY_SECONDS = 0.5
POSTGRES_OPTIONS = {
    "connect_timeout": 2,  # seconds
    "options": "-c statement_timeout=2000 -c lock_timeout=1000 -c idle_in_transaction_session_timeout=5000",
    "keepalives": 1,  # a server that vanished is noticed in about 10 s, not the kernel's 2 hours
    "keepalives_idle": 5,
    "keepalives_interval": 2,
    "keepalives_count": 2,
}


class SQLite:
    def __init__(self, path):
        self.path = Path(path)
        self.local = threading.local()
        self.on_reopen = None  # called with the store when a deleted file had to be made again
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with closing(sqlite3.connect(self.path)) as connection, connection:
                connection.execute("PRAGMA journal_mode=WAL")  # readers never block the counting
        except (OSError, sqlite3.Error) as error:
            raise RuntimeError(f"DATABASE_URL: cannot keep scan counts in {self.path}: {error}") from error

    def connection(self):
        # One connection (and lock file) per worker thread, opened after gunicorn has forked: opening
        # one per scan cost more than the scan itself.
        local = self.local
        if getattr(local, "connection", None) is not None and self.identity() != local.identity:
            # Writes to a deleted file vanish with it: say so, and make the file again.
            log.error("the SQLite file %s was deleted or replaced while in use: making it again", self.path)
            self.close()
            self.path.parent.mkdir(parents=True, exist_ok=True)
            reopened = True
        else:
            reopened = False
        if getattr(local, "connection", None) is None:
            # Kept only once all of it worked: a half-made connection would fail every later write.
            lock = self.path.with_name(self.path.name + ".lock").open("a")
            try:
                connection = sqlite3.connect(self.path, timeout=SQLITE_BUSY_SECONDS)
            except sqlite3.Error:
                lock.close()
                raise
            try:
                connection.execute("PRAGMA journal_mode=WAL")  # kept in the file; a new one needs it
                # In WAL mode a count survives any crash of the app; only a power cut or kernel
                # crash in the last moments could lose it. Waiting for the disk cost 0.7 ms a scan.
                connection.execute("PRAGMA synchronous=NORMAL")
            except sqlite3.Error:
                connection.close()
                lock.close()
                raise
            local.connection, local.lock, local.identity = connection, lock, self.identity()
            if reopened and self.on_reopen:
                self.on_reopen(self)
        return local.connection, local.lock

    def identity(self):
        """The file's device and inode, None when it is gone: a new file is another database."""
        try:
            found = os.stat(self.path)
        except FileNotFoundError:
            return None
        return found.st_dev, found.st_ino

    def close(self):
        """Close this thread's connection: start-up calls it so no worker inherits one across fork."""
        connection = getattr(self.local, "connection", None)
        if connection is not None:
            connection.close()
            self.local.lock.close()
            self.local.connection = None

    def execute(self, statement, values=()):
        connection, lock = self.connection()
        # Workers take turns through the lock file: flock wakes the next one the moment the write is
        # done, where SQLite's own busy wait sleeps up to 100 ms between tries. With these changes
        # a scan at 64 connections on 2 cores went from 560–1,150 to about 2,300 requests/s and its
        # p99 from 90–180 ms to 36 ms (wrk; bench/results.md, measured on every `make bench`).
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            with connection:
                return list(connection.execute(statement, values))
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)

    @contextmanager
    def transaction(self):
        """Several statements as one: `run(statement, values)` inside; other writers wait."""
        connection, lock = self.connection()
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            # IMMEDIATE takes SQLite's write lock now, so a second instance on the same file (which
            # the flock already stops) could not read an old schema version either.
            connection.execute("BEGIN IMMEDIATE")
            with connection:  # commits, or rolls back on an exception
                yield lambda statement, values=(): list(connection.execute(statement, values))
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


class PostgreSQL:
    def __init__(self, url):
        # Nothing connects yet: a server that is down at start-up does not stop the site.
        self.url = url
        self.local = threading.local()
        self.on_connect = None  # called with each new connection, while the tables may be missing

    def connection(self):
        import psycopg  # only deployments that use PostgreSQL need it loaded

        connection = getattr(self.local, "connection", None)
        if connection is None or connection.closed:
            connection = psycopg.connect(self.url, autocommit=True, **POSTGRES_OPTIONS)
            self.local.connection = connection
            if self.on_connect:
                try:
                    self.on_connect(self)
                except Exception:
                    connection.close()  # so the next statement connects and tries again
                    raise
        return connection

    def close(self):
        """Close this thread's connection: start-up calls it so no worker inherits one across fork."""
        connection = getattr(self.local, "connection", None)
        if connection is not None:
            connection.close()
            self.local.connection = None

    def execute(self, statement, values=()):
        import psycopg

        connection = self.connection()
        try:
            return run(connection, statement, values)
        except psycopg.OperationalError:
            connection.close()  # the next statement reconnects
            raise

    @contextmanager
    def transaction(self):
        """Several statements as one: `run(statement, values)` inside."""
        import psycopg

        connection = self.connection()
        try:
            with connection.transaction():
                yield lambda statement, values=(): run(connection, statement, values)
        except psycopg.OperationalError:
            connection.close()
            raise


def run(connection, statement, values):
    """One statement on a PostgreSQL connection; its rows, if it has any."""
    with connection.cursor() as cursor:
        cursor.execute(statement.replace("?", "%s"), values)
        return cursor.fetchall() if cursor.description else []


def open_store(url, instance_path):
    """The database DATABASE_URL names; SQLite in the instance folder when it is not set."""
    if not url:
        return SQLite(Path(instance_path) / "scans.sqlite3")
    if url.startswith("sqlite:///"):
        return SQLite(url.removeprefix("sqlite:///"))
    if url.startswith(("postgresql://", "postgres://")):
        return PostgreSQL(url)
    raise ValueError("DATABASE_URL must start with sqlite:/// or postgresql://")
