"""The counting rules on their own: a repeat by the same phone counts once, a flood is kept apart."""

from datetime import datetime

import pytest

from safernights import scan_guard
from safernights.opening_hours import LONDON
from safernights.scan_guard import COUNT, PER_HOUR, PER_MINUTE, REPEAT, REPEAT_SECONDS, SUSPECT, Guard

SATURDAY_NIGHT = datetime(2026, 11, 28, 1, 0, tzinfo=LONDON).timestamp()


class Clock:
    def __init__(self, at=SATURDAY_NIGHT):
        self.now = at

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def guard(clock):
    return Guard(clock=clock)


def phone(n):
    return f"10.0.0.{n}\0Phone/{n}\0pl".encode()


def test_a_phone_scanning_again_within_minutes_counts_once(guard, clock):
    assert guard.judge(phone(1), "consent") == COUNT
    clock.now += REPEAT_SECONDS - 1
    assert guard.judge(phone(1), "consent") == REPEAT
    assert guard.judge(phone(1), "staff") == COUNT  # another poster is another scan
    assert guard.judge(phone(2), "consent") == COUNT  # another phone
    clock.now += REPEAT_SECONDS + 1  # each sighting restarts the minutes: now long enough
    assert guard.judge(phone(1), "consent") == COUNT


def test_the_key_changes_with_the_uk_day_and_forgets_every_phone(guard, clock):
    clock.now = datetime(2026, 11, 28, 23, 58, tzinfo=LONDON).timestamp()
    guard.judge(phone(1), "consent")
    key = bytes(guard.key)
    clock.now += 3 * 60  # 00:01 the next day: within REPEAT_SECONDS, but a new day
    assert guard.judge(phone(1), "consent") == COUNT
    assert bytes(guard.key) != key
    assert len(set(bytes(guard.key))) > 1


def test_hashes_older_than_the_repeat_window_are_swept_from_memory(guard, clock):
    guard.judge(phone(1), "consent")
    assert sum(1 for value in guard.phones.hash if value) == 1
    clock.now += REPEAT_SECONDS + 60
    guard.judge(phone(2), "staff")
    assert sum(1 for value in guard.phones.hash if value) == 1  # only phone 2 is remembered


def test_nothing_readable_about_a_phone_is_kept(guard):
    guard.judge(b"203.0.113.9\0Secret/1.0\0pl", "consent")
    assert b"203.0.113.9" not in guard.memory[:]
    assert b"Secret" not in guard.memory[:]


def test_a_flood_of_one_code_is_suspect_and_a_poster_next_to_it_is_not(guard, clock):
    verdicts = []
    for n in range(1000):  # 1,000 "phones" in 6 seconds, as a script would
        clock.now += 0.006
        verdicts.append(guard.judge(phone(n), "consent"))
    assert verdicts[:PER_MINUTE] == [COUNT] * PER_MINUTE
    assert verdicts[PER_MINUTE:] == [SUSPECT] * (1000 - PER_MINUTE)
    assert guard.judge(phone(5000), "staff") == COUNT


def test_a_busy_poster_is_never_suspect(guard, clock):
    """A poster by a club's door on a busy night: every ten minutes for three hours a group of 15
    scans it within 15 seconds (270 scans, far more than a poster gets)."""
    verdicts = []
    for group in range(18):
        clock.now += 10 * 60
        for n in range(15):
            clock.now += 1
            verdicts.append(guard.judge(phone(group * 100 + n), "card"))
    assert verdicts == [COUNT] * 270


def test_a_flood_ends_when_the_rate_falls(guard, clock):
    for n in range(200):
        guard.judge(phone(n), "consent")
    assert guard.judge(phone(999), "consent") == SUSPECT
    clock.now += 2 * 60 * 60  # two hours later the rate is back to nothing
    assert guard.judge(phone(1000), "consent") == COUNT


def test_a_slow_steady_flood_is_caught_within_the_hour(guard, clock):
    """Just under the minute's limit, all hour long: more than a poster can get in an hour."""
    verdicts = []
    for n in range(PER_HOUR + 100):
        clock.now += 60 / (PER_MINUTE - 1)
        verdicts.append(guard.judge(phone(n), "look-out"))
    assert SUSPECT in verdicts
    assert verdicts.index(SUSPECT) <= PER_HOUR + 1


def test_every_code_gets_its_own_rate(guard):
    for n in range(scan_guard.CODES // 2):
        guard.judge(phone(n), f"code-{n}")
    names = [value for value in guard.codes.code if value]
    assert len(names) == len(set(names)) == scan_guard.CODES // 2
