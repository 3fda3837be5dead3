"""Which real scans count: a phone's repeat within minutes counts once; a flood is kept apart.

A repeat is the same phone opening the same code again within REPEAT_SECONDS. A phone is known
only by a keyed hash of its address, User-Agent and Accept-Language: the key is made at random,
kept in memory, replaced every UK day and never written anywhere; each hash is kept for at most
REPEAT_SECONDS (a sweep clears older ones each minute), then forgotten. A repeat is not counted.

A flood is more scans of one code than a printed poster can get. Judging by what a poster can get
at most: a queue walking past it, one person stopping to scan every three seconds, is 20 a minute;
for a whole hour that is 1,200, where a well-placed poster gets a handful a night. So a code whose
rate over the last minute is over PER_MINUTE, or over the last hour over PER_HOUR (one scan every
18 s for an hour), is flooded: its scans are counted as "suspect", apart, while the rate stays over.

Both tables live in one anonymous shared memory map made before gunicorn forks (preload_app), so a
repeat that reaches another worker is still a repeat and a flood spread over workers is one flood.
One lock (a semaphore, shared the same way) keeps each judgement whole: about 5 µs.
"""

import hashlib
import hmac
import mmap
import multiprocessing
import secrets
import time
from datetime import datetime

from flask import current_app

from safernights import real_scans
from safernights.opening_hours import LONDON

NOT_A_SCAN, REPEAT, SUSPECT, COUNT = "not a scan", "repeat", "suspect", "count"
REPEAT_SECONDS = 5 * 60  # "within a few minutes": a phone reopening the page after looking away
PER_MINUTE = 20  # scans of one code; see above
PER_HOUR = 200
PHONES = 16_384  # hash slots; a collision forgets a phone early, it never merges two
CODES = 4_096  # rate slots, one per code in use (codes are few: topics, qr.toml, placements)
KEY_BYTES = 32


PHONE_COLUMNS = [("hash", "Q"), ("seen", "I")]
CODE_COLUMNS = [("code", "Q")] + [
    (f"{window}_{column}", "I") for window in ("minute", "hour") for column in ("period", "count", "previous")
]


def width(columns):
    """Bytes a row of these columns takes: Q is 8, I is 4."""
    return sum(8 if kind == "Q" else 4 for _, kind in columns)


class Table:
    """Fixed-width columns of unsigned integers over one region of a shared memory map."""

    def __init__(self, memory, offset, rows, columns):
        for name, kind in columns:
            size = rows * width([(name, kind)])
            setattr(self, name, memoryview(memory)[offset : offset + size].cast(kind))
            offset += size
        self.end = offset


def zero(column):
    """Set every cell of a column to 0."""
    column.cast("B")[:] = bytes(column.nbytes)


class Window:
    """A sliding count per code over `seconds`, estimated from this period's and the last one's
    counts (the last one weighted by how much of it still falls inside the window)."""

    def __init__(self, table, prefix, seconds, limit):
        self.period, self.counts, self.previous = (
            getattr(table, f"{prefix}_period"),
            getattr(table, f"{prefix}_count"),
            getattr(table, f"{prefix}_previous"),
        )
        self.seconds, self.limit = seconds, limit

    def add(self, slot, now):
        """Count one scan in slot; whether the window's rate is now over the limit."""
        period = int(now // self.seconds)
        if self.period[slot] != period:
            self.previous[slot] = self.counts[slot] if self.period[slot] == period - 1 else 0
            self.counts[slot], self.period[slot] = 0, period
        self.counts[slot] += 1
        return self.over(slot, now)

    def over(self, slot, now):
        """Whether the rate in slot over the window ending now is over the limit."""
        period = int(now // self.seconds)
        counts = self.counts[slot] if self.period[slot] == period else 0
        previous = {period: self.previous[slot], period - 1: self.counts[slot]}.get(self.period[slot], 0)
        still_inside = 1 - (now % self.seconds) / self.seconds
        return counts + previous * still_inside > self.limit


class Guard:
    """The shared tables and the one judgement made on every real scan."""

    def __init__(self, clock=time.time):
        self.clock = clock
        self.lock = multiprocessing.Lock()
        header = KEY_BYTES + 8
        size = header + PHONES * width(PHONE_COLUMNS) + CODES * width(CODE_COLUMNS)
        self.memory = mmap.mmap(-1, size)  # MAP_SHARED | MAP_ANONYMOUS: shared with forked workers
        self.key = memoryview(self.memory)[:KEY_BYTES]
        self.marks = memoryview(self.memory)[KEY_BYTES:header].cast("I")  # [key's UK day, swept minute]
        self.phones = Table(self.memory, header, PHONES, PHONE_COLUMNS)
        self.codes = Table(self.memory, self.phones.end, CODES, CODE_COLUMNS)
        self.windows = (
            Window(self.codes, "minute", 60, PER_MINUTE),
            Window(self.codes, "hour", 3600, PER_HOUR),
        )

    def _new_day(self, now):
        """Replace the key at the start of each UK day, and forget every phone with the old one."""
        today = datetime.fromtimestamp(now, LONDON).toordinal()
        if self.marks[0] != today:
            self.key[:] = secrets.token_bytes(KEY_BYTES)
            zero(self.phones.hash)
            zero(self.phones.seen)
            self.marks[0] = today

    def _sweep(self, now):
        """Once a minute, forget every phone not seen for REPEAT_SECONDS."""
        minute = int(now // 60)
        if self.marks[1] == minute:
            return
        self.marks[1] = minute
        seen, hashes = self.phones.seen, self.phones.hash
        for slot, at in enumerate(seen):
            if at and now - at >= REPEAT_SECONDS:
                hashes[slot], seen[slot] = 0, 0

    def _repeat(self, phone, now):
        """Whether this phone opened this code within REPEAT_SECONDS; remember it either way."""
        digest = int.from_bytes(hmac.digest(self.key, phone, hashlib.sha256)[:8], "little") or 1
        slot = digest % PHONES
        repeat = self.phones.hash[slot] == digest and now - self.phones.seen[slot] < REPEAT_SECONDS
        self.phones.hash[slot], self.phones.seen[slot] = digest, int(now)
        return repeat

    def _code_slot(self, code):
        """The rate slot of a code: open addressing, so two codes never share one."""
        name = int.from_bytes(hashlib.blake2b(code.encode(), digest_size=8).digest(), "little") or 1
        slot = name % CODES
        for _ in range(CODES):
            if self.codes.code[slot] in (0, name):
                self.codes.code[slot] = name
                return slot
            slot = (slot + 1) % CODES
        return name % CODES  # every slot taken by other codes: share one rather than fail a scan

    def judge(self, phone, code):
        """REPEAT, SUSPECT or COUNT for one real scan of code by phone (bytes naming the phone)."""
        now = self.clock()
        with self.lock:
            self._new_day(now)
            self._sweep(now)
            if self._repeat(phone + b"\0" + code.encode(), now):
                return REPEAT
            slot = self._code_slot(code)
            flooded = [window.add(slot, now) for window in self.windows]
            return SUSPECT if any(flooded) else COUNT

    def flooded(self, code):
        """Whether code is flooded now: asked again when a held scan is written (scan_counts.py)."""
        now = self.clock()
        with self.lock:
            slot = self._code_slot(code)
            return any(window.over(slot, now) for window in self.windows)


def phone_of(request):
    """What tells one phone from another for a few minutes: never stored, only hashed with the key."""
    environ = request.environ
    parts = (
        request.remote_addr or "",
        environ.get("HTTP_USER_AGENT", ""),
        environ.get("HTTP_ACCEPT_LANGUAGE", ""),
    )
    return "\0".join(part[:500] for part in parts).encode(errors="replace")


def judge(request, code):
    """NOT_A_SCAN, REPEAT, SUSPECT or COUNT for this request of /q/<code>."""
    if not real_scans.is_real(request):
        return NOT_A_SCAN
    return current_app.extensions["scan_guard"].judge(phone_of(request), code)


def init_app(app):
    # Made here, before gunicorn forks its workers, so they all share the same tables.
    app.extensions["scan_guard"] = Guard()
