"""Anonymous scan counts: one row per (day, code, language served) and two numbers. Nothing else.

No time finer than a day, no IP address, no user agent, no referrer is ever stored. A scan is never
written on the reader's request: it is held in this worker's memory for HOLD_SECONDS, then written
by a background thread, so a slow or broken database never delays a page. Holding it lets the
counting rules look again: a flood is only recognised after its first PER_MINUTE scans
(scan_guard.py), and a scan that was judged "count" but whose code is flooded by the time it is
written goes in with the flood, as "suspect", never into `scans`. A scan is held between
HOLD_SECONDS and HOLD_SECONDS + TICK_SECONDS.

Each write adds this worker's held scans in one statement per row (INSERT … ON CONFLICT DO UPDATE
SET scans = scans + n), in one transaction, so workers and instances never lose or double one. If
the database fails, the scans stay held and are tried again; past MAX_HELD the newest are dropped
and said to be "not counted" in the log. A worker that stops writes what it holds first (gunicorn's
worker_exit hook); one that is killed loses at most its last HOLD_SECONDS + TICK_SECONDS of scans.
"""

import collections
import os
import threading
import time
import weakref
from datetime import datetime

from flask import current_app

from safernights.opening_hours import LONDON

HOLD_SECONDS = 1.0  # long enough for a scripted flood to show itself, short enough to lose little
TICK_SECONDS = 0.25
MAX_HELD = 10_000  # scans per worker; at 1 ms a scan a worker cannot take more than 1,000 a second
LOG_EVERY_SECONDS = 60  # one line a minute about a failing database, not one per scan

ADD = (
    "INSERT INTO scans (day, code, lang, scans, suspect) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT (day, code, lang) DO UPDATE "
    "SET scans = scans.scans + excluded.scans, suspect = scans.suspect + excluded.suspect"
)
ROWS = "SELECT day, code, lang, scans, suspect FROM scans ORDER BY day, code, lang"


class Writer:
    """This worker's held scans, written by the process's one writing thread (or by a flush).

    Scans are held added up in buckets of TICK_SECONDS, one counter each, so holding one is an
    addition (about a microsecond) and writing them does not go through them one by one."""

    def __init__(self, store, guard, logger, clock=time.time):
        self.store, self.guard, self.logger, self.clock = store, guard, logger, clock
        self.buckets = collections.deque()  # (tick, UK day, Counter of (code, lang, suspect)), oldest first
        self.held = 0  # scans in the buckets or unwritten
        self.unwritten = {}  # (day, code, lang): [scans, suspect] taken from the buckets, not yet written
        self.holding = threading.Lock()  # the buckets, for a moment; never held while writing
        self.writing = threading.Lock()  # one write at a time: the thread's, or a flush
        self.not_counted = 0
        self.last_logged = {}  # message: when it was last logged
        thread.writers.add(self)

    def hold(self, code, lang, suspect):
        """Keep one scan to be written in HOLD_SECONDS; never waits for the database."""
        thread.start()
        now = self.clock()
        tick = int(now // TICK_SECONDS)
        with self.holding:
            if self.held >= MAX_HELD:
                self.not_counted += 1
                self._log("%d scans not counted: the database has not taken them", self.not_counted)
                return
            if not self.buckets or self.buckets[-1][0] != tick:
                # A bucket starts on a multiple of TICK_SECONDS, so it never spans UK midnight.
                day = datetime.fromtimestamp(now, LONDON).date().isoformat()
                self.buckets.append((tick, day, collections.Counter()))
            self.buckets[-1][2][code, lang, suspect] += 1
            self.held += 1

    def write(self, before=float("inf")):
        """Write the scans held since before `before` (all of them by default), judging each code's
        flood again now; what the database refuses stays held for the next try."""
        with self.writing:
            with self.holding:
                ready = []
                while self.buckets and (self.buckets[0][0] + 1) * TICK_SECONDS <= before:
                    ready.append(self.buckets.popleft())
            flooded = {}
            for _, day, counts in ready:
                for (code, lang, suspect), n in counts.items():
                    if code not in flooded:
                        flooded[code] = self.guard.flooded(code)
                    self.unwritten.setdefault((day, code, lang), [0, 0])[suspect or flooded[code]] += n
            if not self.unwritten:
                return
            written = sum(map(sum, self.unwritten.values()))
            try:
                with self.store.transaction() as run:
                    for (day, code, lang), (scans, suspect) in self.unwritten.items():
                        run(ADD, (day, code, lang, scans, suspect))
            except Exception:  # any database failure: keep them, try again at the next tick
                self._log("could not write %d held scans, will try again", written, error=True)
                return
            self.unwritten.clear()
            with self.holding:
                self.held -= written

    def _log(self, message, *values, error=False):
        now, last = time.monotonic(), self.last_logged.get(message)
        if last is None or now - last >= LOG_EVERY_SECONDS:
            self.last_logged[message] = now
            (self.logger.exception if error else self.logger.error)(message, *values)


class Thread:
    """One thread per process writes every Writer's held scans: started by the first scan after
    gunicorn has forked (threads do not survive a fork), holding no Writer alive."""

    def __init__(self):
        self.writers = weakref.WeakSet()
        self._forked()
        os.register_at_fork(after_in_child=self._forked)

    def _forked(self):
        self.running, self.lock = False, threading.Lock()

    def start(self):
        if self.running:
            return
        with self.lock:
            if not self.running:
                self.running = True
                threading.Thread(target=self._run, name="scan-writer", daemon=True).start()

    def _run(self):
        while True:
            time.sleep(TICK_SECONDS)
            for writer in list(self.writers):
                writer.write(before=writer.clock() - HOLD_SECONDS)


thread = Thread()


def hold(code, lang, suspect=False):
    """Count one scan of code, opened in lang (a suspect one apart), a moment from now."""
    current_app.extensions["scan_writer"].hold(code, lang, suspect)


def rows():
    """(day, code, lang, scans, suspect) for the report (scan_report.py), never shown as they are;
    this worker's held scans are written first."""
    current_app.extensions["scan_writer"].write()
    store = current_app.extensions["database"]
    return [(str(day), code, lang, int(n), int(s)) for day, code, lang, n, s in store.execute(ROWS)]


def write_held(app):
    """Write what this worker holds now: gunicorn calls it as a worker stops (worker_exit)."""
    app.extensions["scan_writer"].write()


def init_app(app):
    store, guard = app.extensions["database"], app.extensions["scan_guard"]
    app.extensions["scan_writer"] = Writer(store, guard, app.logger)
