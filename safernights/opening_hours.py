"""Opening hours: weekly periods in UK local time, and whether a service is open at an instant.

Hours are written the way a poster would: "24/7", "mon-thu 10:00-20:30", "fri 10:00-16:30",
"sat,sun 22:00-03:00" (a period that closes at or before it opens runs past midnight into the
next day). Times are wall-clock times in Europe/London, so British Summer Time is handled by the
time zone database, including the clock-change Sundays.
"""

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEK = 7 * 24 * 60  # minutes
ALWAYS = "24/7"
PERIOD = re.compile(r"(?P<days>[a-z,-]+) (?P<opens>\d\d:\d\d)-(?P<closes>\d\d:\d\d)")


@dataclass(frozen=True)
class Period:
    day: int  # 0 is Monday
    opens: time
    closes: time  # at or before `opens`: the next day

    @property
    def overnight(self):
        return self.closes <= self.opens

    def minutes(self):
        """(start, end) in minutes from Monday 00:00; the end may pass the end of the week."""
        start = self.day * 24 * 60 + self.opens.hour * 60 + self.opens.minute
        end = self.day * 24 * 60 + self.closes.hour * 60 + self.closes.minute
        return start, end + (24 * 60 if self.overnight else 0)


@dataclass(frozen=True)
class Hours:
    always: bool = False
    periods: tuple = ()

    @property
    def known(self):
        return self.always or bool(self.periods)

    @property
    def spans(self):
        """For site.js: "always", or the periods in minutes from Monday 00:00 ("600-1230 2040-2670")."""
        if self.always:
            return "always"
        return " ".join("{}-{}".format(*period.minutes()) for period in self.periods)


NOT_KNOWN = Hours()


def _days(text):
    """ "mon-thu" -> [0, 1, 2, 3]; "sat,sun" -> [5, 6]."""
    days = []
    for part in text.split(","):
        first, _, last = part.partition("-")
        if first not in DAYS or (last and last not in DAYS):
            raise ValueError(f"unknown day in {text!r}: use {', '.join(DAYS)}")
        start, end = DAYS.index(first), DAYS.index(last or first)
        if end < start:
            raise ValueError(f"{part!r} runs backwards")
        days += range(start, end + 1)
    return days


def _time(text):
    hour, minute = map(int, text.split(":"))
    if hour > 23 or minute > 59:
        raise ValueError(f"{text} is not a time of day")
    return time(hour, minute)


def parse(lines):
    """Hours from their written form; raises ValueError for impossible or overlapping hours."""
    if list(lines) == [ALWAYS]:
        return Hours(always=True)
    periods = []
    for line in lines:
        match = PERIOD.fullmatch(line.strip().lower())
        if not match:
            raise ValueError(f"{line!r} is not like '24/7' or 'mon-fri 09:00-17:00'")
        opens, closes = _time(match["opens"]), _time(match["closes"])
        if opens == closes:
            raise ValueError(f"{line!r} opens and closes at the same time (for all day, write 24/7)")
        periods += [Period(day, opens, closes) for day in _days(match["days"])]
    _check_overlaps(periods)
    return Hours(periods=tuple(sorted(periods, key=Period.minutes)))


def _check_overlaps(periods):
    spans = sorted(period.minutes() for period in periods)
    # An overnight period on Sunday runs into Monday: compare it with next week's first period too.
    spans += [(start + WEEK, end + WEEK) for start, end in spans[:1]]
    for (_, end), (start, _) in pairwise(spans):
        if start < end:
            raise ValueError("periods overlap")


def is_open(hours, at):
    """Whether the service is open at an aware datetime; None when the hours are not known."""
    if not hours.known:
        return None
    if hours.always:
        return True
    local = at.astimezone(LONDON)
    now = local.weekday() * 24 * 60 + local.hour * 60 + local.minute
    return any(
        start <= minute < end
        for start, end in map(Period.minutes, hours.periods)
        for minute in (now, now + WEEK)
    )


def next_opening(hours, at):
    """The next time (Europe/London) a closed service opens, or None."""
    if not hours.periods or is_open(hours, at):
        return None
    local = at.astimezone(LONDON)
    candidates = []
    for ahead in range(8):
        day = local.date() + timedelta(days=ahead)
        for period in hours.periods:
            if period.day == day.weekday():
                opening = datetime.combine(day, period.opens, tzinfo=LONDON)
                if opening > local:
                    candidates.append(opening)
    return min(candidates, default=None)
