"""Open now, at fixed instants: weekdays, weekends, overnight periods, 24/7, the clock changes."""

from datetime import datetime

import pytest

from safernights import opening_hours

GALOP = opening_hours.parse(["mon-thu 10:00-20:30", "fri 10:00-16:30"])
NIGHTS = opening_hours.parse(["fri,sat 22:00-03:00"])
SUNDAY_NIGHT = opening_hours.parse(["sun 23:00-01:00"])
DAYTIME = opening_hours.parse(["mon-sun 09:00-17:00"])
EARLY_SUNDAY = opening_hours.parse(["sun 00:30-02:30"])
ONE_AM = opening_hours.parse(["sun 01:00-02:00"])
ALWAYS = opening_hours.parse(["24/7"])


def utc(text):
    return datetime.fromisoformat(text + "+00:00")


CASES = [
    # Winter (GMT = UTC). 2026-11-23 is a Monday.
    (GALOP, "2026-11-23T09:59", False, "2026-11-23T10:00"),
    (GALOP, "2026-11-23T10:00", True, None),
    (GALOP, "2026-11-26T20:29", True, None),
    (GALOP, "2026-11-26T20:30", False, "2026-11-27T10:00"),
    (GALOP, "2026-11-27T16:30", False, "2026-11-30T10:00"),  # Friday close, opens Monday
    (GALOP, "2026-11-28T12:00", False, "2026-11-30T10:00"),  # a Saturday
    # Summer (BST = UTC+1): 09:30 UTC is 10:30 in the UK.
    (GALOP, "2026-07-06T08:59", False, "2026-07-06T09:00"),
    (GALOP, "2026-07-06T09:00", True, None),
    # Overnight periods, either side of midnight.
    (NIGHTS, "2026-11-27T21:59", False, "2026-11-27T22:00"),
    (NIGHTS, "2026-11-27T22:00", True, None),
    (NIGHTS, "2026-11-28T02:59", True, None),
    (NIGHTS, "2026-11-28T03:00", False, "2026-11-28T22:00"),
    (NIGHTS, "2026-11-29T01:00", True, None),  # Saturday night, early Sunday
    (NIGHTS, "2026-11-29T03:00", False, "2026-12-04T22:00"),
    (SUNDAY_NIGHT, "2026-11-30T00:30", True, None),  # Sunday night runs into Monday
    (SUNDAY_NIGHT, "2026-11-30T01:00", False, "2026-12-06T23:00"),
    # 24/7 is open at any instant, clock changes included.
    (ALWAYS, "2026-03-29T01:30", True, None),
    (ALWAYS, "2026-10-25T01:30", True, None),
    # 29 March 2026: clocks go forward at 01:00 UTC (01:00 GMT becomes 02:00 BST).
    (DAYTIME, "2026-03-29T08:30", True, None),  # 09:30 BST
    (DAYTIME, "2026-03-28T08:30", False, "2026-03-28T09:00"),  # 08:30 GMT the day before
    (EARLY_SUNDAY, "2026-03-29T00:45", True, None),  # 00:45 GMT
    (EARLY_SUNDAY, "2026-03-29T01:15", True, None),  # 02:15 BST
    (EARLY_SUNDAY, "2026-03-29T01:31", False, "2026-04-04T23:30"),  # 02:31 BST; next Sunday 00:30 BST
    (opening_hours.parse(["sun 10:00-12:00"]), "2026-03-28T12:00", False, "2026-03-29T09:00"),  # 10:00 BST
    # 25 October 2026: clocks go back at 01:00 UTC (02:00 BST becomes 01:00 GMT): 01:30 happens twice.
    (DAYTIME, "2026-10-25T08:30", False, "2026-10-25T09:00"),  # 08:30 GMT
    (DAYTIME, "2026-10-24T08:30", True, None),  # 09:30 BST the day before
    (ONE_AM, "2026-10-25T00:30", True, None),  # 01:30 BST
    (ONE_AM, "2026-10-25T01:30", True, None),  # 01:30 GMT
    (ONE_AM, "2026-10-25T02:00", False, "2026-11-01T01:00"),
]


@pytest.mark.parametrize(("week", "at", "is_open", "opens"), CASES)
def test_open_now_and_next_opening(week, at, is_open, opens):
    assert opening_hours.is_open(week, utc(at)) is is_open
    expected = utc(opens) if opens else None
    assert opening_hours.next_opening(week, utc(at)) == expected


def test_unknown_hours_are_neither_open_nor_closed():
    assert opening_hours.is_open(opening_hours.parse([]), utc("2026-11-23T12:00")) is None
    assert opening_hours.next_opening(opening_hours.parse([]), utc("2026-11-23T12:00")) is None


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (["mon 25:00-26:00"], "not a time of day"),
        (["mon 10:00-12:00", "mon 11:00-13:00"], "overlap"),
        (["sun 22:00-03:00", "mon 02:00-05:00"], "overlap"),  # across the end of the week
        (["funday 10:00-11:00"], "unknown day"),
        (["fri-mon 10:00-11:00"], "runs backwards"),
        (["mon 10:00-10:00"], "same time"),
        (["weekdays nine to five"], "is not like"),
    ],
)
def test_impossible_hours_are_refused(lines, message):
    with pytest.raises(ValueError, match=message):
        opening_hours.parse(lines)
