"""Anonymous scan counts: one row per (day, code, language served) and three numbers. Nothing else.

No time finer than a day, no IP address, no user agent, no referrer is ever stored. A scan is never
written on the reader's request: it is held in this worker's memory for HOLD_SECONDS, then written
by a background thread, so a slow or broken database never delays a page. Holding it lets the
counting rules look again: a flood is only recognised after its first PER_MINUTE scans
(scan_guard.py), and a scan that was judged "count" but whose code is flooded by the time it is
written goes in with the flood, as "suspect", never into `scans`. A scan is held between
HOLD_SECONDS and HOLD_SECONDS + TICK_SECONDS.

Each write adds this worker's held scans in one transaction (INSERT … ON CONFLICT DO UPDATE SET
scans = scans + n), with the write's id in the `writes` table, so workers and instances never lose
a scan and a write retried after a lost answer never doubles one. If the database fails, the scans
stay held and are tried again; past MAX_HELD the newest are "not counted": logged, and recorded in
their own column once the database answers. A worker that stops writes what it holds first
(gunicorn's worker_exit hook); one that is killed loses at most its last HOLD_SECONDS + TICK_SECONDS
of scans.
"""

import collections
import threading
import time
import uuid
from datetime import UTC, datetime

from flask import current_app

from safernights import background
from safernights.opening_hours import LONDON

HOLD_SECONDS = 1.0  # long enough for a scripted flood to show itself, short enough to lose little
TICK_SECONDS = background.TICK_SECONDS
MAX_HELD = 10_000  # scans per worker; at 1 ms a scan a worker cannot take more than 1,000 a second
LOG_EVERY_SECONDS = 60  # one line a minute about a failing database, not one per scan
STALLED_SECONDS = 2  # a write this long in progress is waiting on a database that does not answer

ADD = (
    "INSERT INTO scans (day, code, lang, scans, suspect, not_counted) VALUES (?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (day, code, lang) DO UPDATE SET scans = scans.scans + excluded.scans, "
    "suspect = scans.suspect + excluded.suspect, not_counted = scans.not_counted + excluded.not_counted"
)
ROWS = "SELECT day, code, lang, scans, suspect FROM scans ORDER BY day, code, lang"
NOT_COUNTED = "SELECT COALESCE(SUM(not_counted), 0) FROM scans"
# A write's id starts with its UTC minute: ids older than KEEP_WRITES are deleted by range.
MARK_WRITE = "INSERT INTO writes (id) VALUES (?) ON CONFLICT (id) DO NOTHING RETURNING id"
FORGET_WRITES = "DELETE FROM writes WHERE id < ?"
KEEP_WRITES = 3600  # seconds: a write retried after a lost answer is retried within minutes


def minute(at):
    """The UTC minute a write's id starts with: ids sort, and are forgotten, by time."""
    return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%dT%H:%M")


class Writer:
    """This worker's held scans, written by the process's background thread (or by a flush).

    Scans are held added up in buckets of TICK_SECONDS, one counter each, so holding one is an
    addition (about a microsecond) and writing them does not go through them one by one. Each
    write is a batch with an id stored in the same transaction: a batch whose commit may or may
    not have happened (the connection dropped as it committed) is tried again with the same id,
    and the database, finding the id, adds nothing. So no scan is ever counted twice."""

    def __init__(self, store, guard, logger, clock=time.time):
        self.store, self.guard, self.logger, self.clock = store, guard, logger, clock
        self.buckets = collections.deque()  # (tick, UK day, Counter of (code, lang, suspect)), oldest first
        self.batches = collections.deque()  # (id, {(day, code, lang): [scans, suspect, not counted]})
        self.held = 0  # scans in the buckets and the batches
        self.lost = collections.Counter()  # (day, code, lang): scans dropped past MAX_HELD, to record
        self.holding = threading.Lock()  # the buckets, for a moment; never held while writing
        self.writing = threading.Lock()  # one write at a time: the thread's, or a flush
        self.last_logged = {}  # message: when it was last logged
        self.not_counted = 0  # by this worker since it started, for the log
        self.written_at = self.failing_since = self.forgot_at = self.writing_since = None
        background.jobs.add(self)

    def hold(self, code, lang, suspect):
        """Keep one scan to be written in HOLD_SECONDS; never waits for the database."""
        background.jobs.start()
        now = self.clock()
        tick = int(now // TICK_SECONDS)
        with self.holding:
            if not self.buckets or self.buckets[-1][0] != tick:
                # A bucket starts on a multiple of TICK_SECONDS, so it never spans UK midnight.
                day = datetime.fromtimestamp(now, LONDON).date().isoformat()
                self.buckets.append((tick, day, collections.Counter()))
            if self.held >= MAX_HELD:
                self.lost[self.buckets[-1][1], code, lang] += 1
                self.not_counted += 1
                self._log("%d scans not counted: the database has not taken them", self.not_counted)
                return
            self.buckets[-1][2][code, lang, suspect] += 1
            self.held += 1

    def tick(self):
        """The background thread's call: write what has been held HOLD_SECONDS."""
        self.write(before=self.clock() - HOLD_SECONDS)

    def write(self, before=float("inf"), wait=True):
        """Write the scans held since before `before` (all of them by default), judging each code's
        flood again now; what the database refuses stays held for the next try. With wait=False,
        nothing is done while another write is under way (it may be stuck on the database)."""
        if not self.writing.acquire(blocking=wait):
            return
        try:
            self.writing_since = self.clock()
            self._write(before)
        finally:
            self.writing_since = None
            self.writing.release()

    def _write(self, before):
        self._batch(before)
        while self.batches:
            batch_id, rows = self.batches[0]
            try:
                self._commit(batch_id, rows)
            except Exception:  # any database failure: keep them, try again at the next tick
                self.failing_since = self.failing_since or self.clock()
                self._log("could not write %d held scans, will try again", self.held, error=True)
                return
            self.batches.popleft()
            self.written_at, self.failing_since = self.clock(), None
            with self.holding:
                self.held -= sum(scans + suspect for scans, suspect, _ in rows.values())

    def _batch(self, before):
        """The buckets held long enough, and the scans dropped so far, as one new batch."""
        with self.holding:
            ready = []
            while self.buckets and (self.buckets[0][0] + 1) * TICK_SECONDS <= before:
                ready.append(self.buckets.popleft())
            lost, self.lost = self.lost, collections.Counter()
        rows, flooded = {}, {}
        for _, day, counts in ready:
            for (code, lang, suspect), n in counts.items():
                if code not in flooded:
                    flooded[code] = self.guard.flooded(code)
                rows.setdefault((day, code, lang), [0, 0, 0])[suspect or flooded[code]] += n
        for key, n in lost.items():
            rows.setdefault(key, [0, 0, 0])[2] += n
        if rows and len(self.batches) >= 2:  # the last one has never been sent: add to it
            for key, counts in rows.items():
                kept = self.batches[-1][1].setdefault(key, [0, 0, 0])
                kept[:] = [a + b for a, b in zip(kept, counts, strict=True)]
        elif rows:
            self.batches.append((f"{minute(self.clock())}/{uuid.uuid4().hex}", rows))

    def _commit(self, batch_id, rows):
        with self.store.transaction() as run:
            if not run(MARK_WRITE, (batch_id,)):
                return  # this batch was committed already, its answer lost: add nothing again
            # In one order in every worker: two workers adding to the same rows in opposite orders
            # would each wait for the other's row lock until PostgreSQL's lock time-out.
            for (day, code, lang), counts in sorted(rows.items()):
                run(ADD, (day, code, lang, *counts))
            if self.forgot_at is None or self.clock() - self.forgot_at >= 60:
                self.forgot_at = self.clock()
                run(FORGET_WRITES, (minute(self.clock() - KEEP_WRITES),))

    def state(self):
        """How this worker's writing goes, for /healthz: never asks the database."""
        now = self.clock()
        oldest = self.buckets[0][0] * TICK_SECONDS if self.buckets else now
        if (self.writing_since is not None and now - self.writing_since > STALLED_SECONDS) or (
            now - oldest > HOLD_SECONDS + TICK_SECONDS + STALLED_SECONDS
        ):
            # A write, or the background thread, is waiting on a database that does not answer.
            writing = "stalled"
        else:
            writing = "failing" if self.failing_since else "ok"
        return {
            "scans_held": self.held,
            "not_counted_held": self.lost.total(),
            "last_written_seconds_ago": None if self.written_at is None else round(now - self.written_at, 1),
            "failing_for_seconds": None if self.failing_since is None else round(now - self.failing_since, 1),
            "database": writing,
        }

    def _log(self, message, *values, error=False):
        now, last = time.monotonic(), self.last_logged.get(message)
        if last is None or now - last >= LOG_EVERY_SECONDS:
            self.last_logged[message] = now
            (self.logger.exception if error else self.logger.error)(message, *values)


def hold(code, lang, suspect=False):
    """Count one scan of code, opened in lang (a suspect one apart), a moment from now."""
    current_app.extensions["scan_writer"].hold(code, lang, suspect)


def rows():
    """(day, code, lang, scans, suspect) for the report (scan_report.py), never shown as they are;
    this worker's held scans are written first, unless a write is under way already."""
    current_app.extensions["scan_writer"].write(wait=False)
    store = current_app.extensions["database"]
    return [(str(day), code, lang, int(n), int(s)) for day, code, lang, n, s in store.execute(ROWS)]


def not_counted():
    """Scans known to have happened that no worker could hold while the database was down."""
    return int(current_app.extensions["database"].execute(NOT_COUNTED)[0][0])


def state():
    """This worker's writing, for /healthz."""
    return current_app.extensions["scan_writer"].state()


def write_held(app, tries=10):
    """Write what this worker holds now: gunicorn calls it as a worker stops (worker_exit). A
    database that fails gets a few more tries, a fifth of a second apart, within gunicorn's
    graceful time-out: whatever is still held after them is lost with the worker."""
    writer = app.extensions["scan_writer"]
    for _ in range(tries):
        writer.write()
        if not writer.batches and not writer.buckets:
            return
        time.sleep(0.2)


def init_app(app):
    store, guard = app.extensions["database"], app.extensions["scan_guard"]
    app.extensions["scan_writer"] = Writer(store, guard, app.logger)
