"""The dashboard's and the CSV's figures, from the stored rows, with no count a person could be in.

The finest figure published is a cell: one code's scans in one language in one week (weeks start
on Monday, UK dates). A cell from 1 to 4 is shown only as "fewer than 5". Every other figure (a
placement's week, a poster, a language, a month, a total) is added up from the cells as they are
published, never from the stored rows: a cell shown as "fewer than 5" adds 1 to 4, so the figure
becomes a range ("12–18"). No subtraction of one figure from another can then give back a hidden
cell. A month is the weeks whose Thursday falls in it (most of their days, as ISO 8601 has it), so
months, too, are sums of whole weeks. Pure functions over rows; the view only renders them.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

SMALL = 5  # counts from 1 to SMALL - 1 are never shown


@dataclass(frozen=True)
class Figure:
    """A published number: the cells shown exactly, added up, and how many hidden cells it holds."""

    known: int = 0  # the sum of the cells shown exactly (each 0, or SMALL or more)
    hidden: int = 0  # cells from 1 to SMALL - 1, shown as "fewer than 5"

    def __add__(self, other):
        return Figure(self.known + other.known, self.hidden + other.hidden)

    @property
    def low(self):
        return self.known + self.hidden

    @property
    def high(self):
        return self.known + (SMALL - 1) * self.hidden

    def __str__(self):
        if not self.hidden:
            return str(self.known)
        if not self.known:
            return f"fewer than {self.high + 1}"
        return f"{self.low}–{self.high}"

    @property
    def short(self):
        """For the small print on a chart."""
        return str(self).replace("fewer than ", "<")


def cell(count):
    """One stored count as published."""
    return Figure(count) if count == 0 or count >= SMALL else Figure(hidden=1)


@dataclass(frozen=True)
class Tally:
    scans: Figure = Figure()
    suspect: Figure = Figure()  # scans the counting rules called a flood: never in `scans`

    def __add__(self, other):
        return Tally(self.scans + other.scans, self.suspect + other.suspect)


@dataclass(frozen=True)
class About:
    """What the dashboard says about a code."""

    venue: str  # the placement's venue, or the code's label
    poster: str  # the poster's name
    poster_lang: str = ""  # the poster's language; empty for a code printed in every language
    placement: bool = False


def week_of(day):
    start = date.fromisoformat(day) if isinstance(day, str) else day
    return start - timedelta(days=start.weekday())


def month_of(week):
    """The month a week counts in: the one holding its Thursday."""
    return (week + timedelta(days=3)).strftime("%Y-%m")


def cells(rows):
    """{(week, code, lang): Tally} from (day, code, lang, scans, suspect) rows: the published cells."""
    counts = defaultdict(lambda: [0, 0])
    for day, code, lang, scans, suspect in rows:
        key = (week_of(day), code, lang)
        counts[key][0] += scans
        counts[key][1] += suspect
    return {key: Tally(cell(scans), cell(suspect)) for key, (scans, suspect) in sorted(counts.items())}


def group(published, key, keep=lambda week, code, lang: True):
    """Add the published cells up by key(week, code, lang), keeping only the cells keep() wants."""
    totals = defaultdict(Tally)
    for (week, code, lang), tally in published.items():
        if keep(week, code, lang):
            totals[key(week, code, lang)] += tally
    return dict(totals)


def ranked(totals):
    """(key, Tally) with the most scans first; a range counts by its lowest, then its highest."""
    return sorted(totals.items(), key=lambda item: (-item[1].scans.low, -item[1].scans.high, str(item[0])))


def describe(codes, placements):
    """{code: About} for the built-in and qr.toml codes and the placements."""
    about = {
        name: About(code.label or name, "Contact card" if name == "card" else f"Topic: {code.target}")
        for name, code in codes.items()
    }
    for placement in placements:
        about[placement.code] = About(placement.venue, placement.poster_name, placement.lang, placement=True)
    return about


def about_of(about, code):
    return about.get(code) or About("(a code no longer known)", "")


@dataclass(frozen=True)
class Report:
    weeks: list  # every week with a cell, oldest first
    last_week: date  # the last whole week before today's
    by_code: list  # (code, About, Tally since the start, Tally last week, [Figure per week])
    by_venue: list
    by_poster: list
    by_lang: list
    by_week: list
    by_month: list
    top_last_week: list  # ((poster, poster language), Tally), most scanned first
    top_since_start: list
    total: Tally


def report(rows, about, today):
    """Every figure of the dashboard from the stored rows, as published."""
    published = cells(rows)
    found = sorted({week for week, _, _ in published})
    # Every week from the first scan on, quiet ones too, so a trend shows its gaps.
    span = (found[-1] - found[0]).days // 7 + 1 if found else 0
    weeks = [found[0] + timedelta(weeks=n) for n in range(span)]
    last_week = week_of(today) - timedelta(days=7)

    def by(key, keep=lambda week, code, lang: True):
        return ranked(group(published, key, keep))

    def in_last_week(week, code, lang):
        return week == last_week

    per_week = group(published, lambda week, code, lang: week)
    code_weeks = group(published, lambda week, code, lang: (code, week))
    last = dict(by(lambda week, code, lang: code, in_last_week))
    by_code = [
        (code, about_of(about, code), tally, last.get(code, Tally()),
         [code_weeks.get((code, week), Tally()).scans for week in weeks])
        for code, tally in by(lambda week, code, lang: code)
    ]  # fmt: skip

    def poster_in(week, code, lang):
        return (about_of(about, code).poster, about_of(about, code).poster_lang)

    return Report(
        weeks=weeks,
        last_week=last_week,
        by_code=by_code,
        by_venue=by(lambda week, code, lang: about_of(about, code).venue),
        by_poster=by(lambda week, code, lang: about_of(about, code).poster),
        by_lang=by(lambda week, code, lang: lang),
        by_week=[(week, per_week.get(week, Tally())) for week in weeks],
        by_month=sorted(group(published, lambda week, code, lang: month_of(week)).items()),
        top_last_week=by(poster_in, in_last_week),
        top_since_start=by(poster_in),
        total=sum(published.values(), Tally()),
    )


def csv_rows(rows, about):
    """The CSV: one row per published cell, the same figures as the dashboard."""
    yield ["week", "code", "placement", "poster", "poster_lang", "lang", "scans", "suspect"]
    for (week, code, lang), tally in cells(rows).items():
        described = about_of(about, code)
        yield [week.isoformat(), code, described.venue, described.poster, described.poster_lang, lang,
               str(tally.scans), str(tally.suspect)]  # fmt: skip
