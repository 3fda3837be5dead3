"""Held scans: written off the reader's request a moment later, a flood's first scans kept apart
with it, scans kept through a database failure and written once when it is back."""

import sqlite3
from contextlib import contextmanager
from datetime import datetime

import pytest

from safernights import database, migrations, scan_counts
from safernights.opening_hours import LONDON
from safernights.scan_guard import COUNT, PER_MINUTE, SUSPECT, Guard

from .test_scan_guard import Clock, phone

SATURDAY_NIGHT = datetime(2026, 11, 28, 1, 0, tzinfo=LONDON)
DAY = SATURDAY_NIGHT.date().isoformat()


class Failing:
    """A real SQLite store that fails every write while `down` is set, as a locked or full disk does."""

    def __init__(self, store):
        self.store, self.down = store, False

    def transaction(self):
        if self.down:
            raise sqlite3.OperationalError("database is locked")
        return self.store.transaction()


@pytest.fixture
def clock():
    return Clock(SATURDAY_NIGHT.timestamp())


@pytest.fixture
def store(tmp_path):
    store = database.SQLite(tmp_path / "scans.sqlite3")
    migrations.migrate(store)
    return store


@pytest.fixture
def guard(clock):
    return Guard(clock=clock)


def writer(store, guard, clock, logger=None):
    import logging

    return scan_counts.Writer(store, guard, logger or logging.getLogger("test"), clock=clock)


def scan(guard, writer, n, code="consent", lang="pl"):
    """What the view does for phone n: judge the scan, then hold it."""
    verdict = guard.judge(phone(n), code)
    writer.hold(code, lang, suspect=verdict == SUSPECT)
    return verdict


def stored(store):
    return store.execute(scan_counts.ROWS)


def test_a_scan_is_written_only_once_it_has_been_held(store, guard, clock):
    held = writer(store, guard, clock)
    scan(guard, held, 1)
    held.write(before=clock() - scan_counts.HOLD_SECONDS)
    assert stored(store) == []  # not yet a second old
    clock.now += scan_counts.HOLD_SECONDS + scan_counts.TICK_SECONDS
    held.write(before=clock() - scan_counts.HOLD_SECONDS)
    assert stored(store) == [(DAY, "consent", "pl", 1, 0)]


def test_a_floods_first_scans_go_in_with_the_flood(store, guard, clock):
    """A script sends 1,000 scans in 6 s, the writing thread writing every TICK_SECONDS: the first
    PER_MINUTE were judged "count" before the flood showed, and are written as suspect with the rest."""
    held = writer(store, guard, clock)
    verdicts, next_tick = [], clock() + scan_counts.TICK_SECONDS
    for n in range(1000):
        verdicts.append(scan(guard, held, n))
        clock.now += 0.006
        if clock() >= next_tick:
            held.write(before=clock() - scan_counts.HOLD_SECONDS)
            next_tick += scan_counts.TICK_SECONDS
    assert verdicts.count(COUNT) == PER_MINUTE  # what the rules could tell at the time
    clock.now += scan_counts.HOLD_SECONDS + scan_counts.TICK_SECONDS
    held.write(before=clock() - scan_counts.HOLD_SECONDS)
    assert stored(store) == [(DAY, "consent", "pl", 0, 1000)]


def test_a_busy_real_poster_is_never_held_back(store, guard, clock):
    """A group of 15 scanning one poster within a minute, every ten minutes for three hours."""
    held = writer(store, guard, clock)
    for group in range(18):
        for n in range(15):
            scan(guard, held, group * 15 + n)
            clock.now += 4
        clock.now += 600 - 60
        held.write(before=clock() - scan_counts.HOLD_SECONDS)
    assert stored(store) == [(DAY, "consent", "pl", 270, 0)]


def test_scans_wait_through_a_failing_database_and_are_written_once(store, guard, clock, caplog):
    failing = Failing(store)
    held = writer(failing, guard, clock)
    failing.down = True
    for n in range(5):
        scan(guard, held, n, lang="ar")
        clock.now += 30
        held.write(before=clock() - scan_counts.HOLD_SECONDS)
    assert caplog.text.count("could not write") == 1  # one line a minute, not one a try
    assert "will try again" in caplog.text
    failing.down = False
    held.write(before=clock() - scan_counts.HOLD_SECONDS)
    held.write()
    assert stored(store) == [(DAY, "consent", "ar", 5, 0)]


def test_what_the_worker_cannot_hold_is_recorded_as_not_counted(store, guard, clock, caplog, monkeypatch):
    monkeypatch.setattr(scan_counts, "MAX_HELD", 3)
    failing = Failing(store)
    failing.down = True
    held = writer(failing, guard, clock)
    for n in range(5):
        scan(guard, held, n, code=f"code{n}")
        clock.now += 2
        held.write(before=clock() - scan_counts.HOLD_SECONDS)
    assert held.not_counted == 2
    assert "1 scans not counted" in caplog.text
    assert "2 scans not counted" not in caplog.text  # one line a minute
    assert held.state()["database"] == "failing"
    failing.down = False
    held.write()
    rows = store.execute("SELECT code, scans, not_counted FROM scans ORDER BY code")
    assert rows == [("code0", 1, 0), ("code1", 1, 0), ("code2", 1, 0), ("code3", 0, 1), ("code4", 0, 1)]
    assert held.state()["database"] == "ok"


class LostAnswer(Failing):
    """Commits, then the answer is lost, once: as a connection dropped while committing."""

    @contextmanager
    def transaction(self):
        with self.store.transaction() as run:
            yield run
        if self.down:
            self.down = False
            raise sqlite3.OperationalError("server closed the connection unexpectedly")


def test_a_write_whose_answer_was_lost_is_never_added_twice(store, guard, clock):
    lost = LostAnswer(store)
    lost.down = True
    held = writer(lost, guard, clock)
    for n in range(3):
        scan(guard, held, n)
    held.write()  # committed, but the writer was told it failed
    assert held.state()["database"] == "failing"
    scan(guard, held, 3)
    held.write()  # the same batch again, then the new scan
    assert stored(store) == [(DAY, "consent", "pl", 4, 0)]


def test_the_day_is_the_uk_day_the_scan_was_made(store, guard, clock):
    clock.now = datetime(2026, 11, 28, 23, 59, 59, 500_000, tzinfo=LONDON).timestamp()
    held = writer(store, guard, clock)
    scan(guard, held, 1)
    clock.now += 5  # written after midnight
    held.write()
    assert stored(store) == [("2026-11-28", "consent", "pl", 1, 0)]
