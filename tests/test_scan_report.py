"""The report: weeks from Monday, months of whole weeks, rankings, no count from 1 to 4 anywhere
(dashboard and CSV), totals that cannot be subtracted back to a hidden cell, suspect scans apart."""

import re
from datetime import date

from safernights import scan_report
from safernights.scan_report import About, Figure

ABOUT = {
    "abcde": About("The Bar", "Consent", "pl", placement=True),
    "fghjk": About("The Club", "Get help", "en", placement=True),
    "card": About("Contact card", "Contact card"),
}
TODAY = date(2026, 11, 18)  # a Wednesday: last week is the week of Monday 9 November
ROWS = [
    # day, code, lang, scans, suspect
    ("2026-11-02", "abcde", "pl", 6, 0),  # Monday
    ("2026-11-08", "abcde", "pl", 2, 0),  # Sunday: the same week, 8 in all
    ("2026-11-08", "abcde", "en", 3, 0),
    ("2026-11-09", "abcde", "pl", 5, 40),  # the next week, and a flood
    ("2026-11-10", "fghjk", "en", 9, 0),
    ("2026-11-11", "fghjk", "ro", 1, 0),
    ("2026-11-30", "card", "en", 5, 0),  # a week whose Thursday is 3 December
]


def build():
    return scan_report.report(ROWS, ABOUT, TODAY)


def test_weeks_start_on_monday_and_months_are_whole_weeks():
    assert scan_report.week_of("2026-11-08") == date(2026, 11, 2)
    assert scan_report.week_of("2026-11-09") == date(2026, 11, 9)
    assert scan_report.month_of(date(2026, 11, 30)) == "2026-12"  # its Thursday is in December
    report = build()
    assert report.weeks == [date(2026, 11, d) for d in (2, 9, 16, 23, 30)]  # quiet weeks too
    assert [(week.day, str(tally.scans)) for week, tally in report.by_week] == [
        (2, "9–12"),  # 8 for pl, fewer than 5 for en
        (9, "15–18"),
        (16, "0"),
        (23, "0"),
        (30, "5"),
    ]
    assert [(month, str(tally.scans)) for month, tally in report.by_month] == [
        ("2026-11", "24–30"),
        ("2026-12", "5"),
    ]


def test_the_ranking_answers_which_posters_in_which_languages_last_week_and_since_the_start():
    report = build()
    assert report.last_week == date(2026, 11, 9)
    assert [(key, str(tally.scans)) for key, tally in report.top_last_week] == [
        (("Get help", "en"), "10–13"),
        (("Consent", "pl"), "5"),
    ]
    assert [key for key, _ in report.top_since_start] == [
        ("Consent", "pl"),
        ("Get help", "en"),
        ("Contact card", ""),
    ]


def test_suspect_scans_are_apart_and_never_in_the_scans():
    report = build()
    abcde = next(row for row in report.by_code if row[0] == "abcde")
    _, _, since_start, last_week, weekly = abcde
    assert (str(since_start.scans), str(since_start.suspect)) == ("14–17", "40")
    assert (str(last_week.scans), str(last_week.suspect)) == ("5", "40")
    assert [str(figure) for figure in weekly] == ["9–12", "5", "0", "0", "0"]
    assert str(report.total.suspect) == "40"


def test_a_figure_that_holds_a_hidden_cell_is_a_range_that_no_subtraction_opens():
    assert str(scan_report.cell(0)) == "0"
    assert [str(scan_report.cell(n)) for n in (1, 2, 3, 4)] == ["fewer than 5"] * 4
    assert str(scan_report.cell(5)) == "5"
    assert str(Figure(hidden=2)) == "fewer than 9"
    assert str(Figure(12, 1)) == "13–16"
    # The week of 2 November: 8 Polish and 3 English scans. The English cell is shown only as
    # "fewer than 5", so the week is not 11 but a range that holds every value it could be.
    english = scan_report.cell(3)
    week = scan_report.cell(8) + english
    assert str(week) == "9–12"
    assert (week.low - 8, week.high - 8) == (english.low, english.high)  # subtracting gives 1–4 back


NUMBER = re.compile(r"(?<![\d–-])[1-4](?![\d–-])")  # a lone 1, 2, 3 or 4, not part of a range or date


def test_no_count_from_1_to_4_is_shown_anywhere_in_the_report_or_the_csv():
    report = build()
    shown = [str(f) for _, tally in report.by_week + report.by_month for f in (tally.scans, tally.suspect)]
    for table in (
        report.by_venue,
        report.by_poster,
        report.by_lang,
        report.top_last_week,
        report.top_since_start,
    ):
        shown += [str(f) for _, tally in table for f in (tally.scans, tally.suspect)]
    for _, _, since_start, last_week, weekly in report.by_code:
        shown += [str(since_start.scans), str(last_week.scans), *map(str, weekly)]
    assert not [text for text in shown if NUMBER.fullmatch(text)]
    assert "fewer than 5" in shown
    header, *rows = scan_report.csv_rows(ROWS, ABOUT)
    rows = [dict(zip(header, row, strict=True)) for row in rows]
    figures = {row["scans"] for row in rows} | {row["suspect"] for row in rows}
    assert figures == {"0", "5", "8", "9", "40", "fewer than 5"}
    assert {row["week"] for row in rows} == {"2026-11-02", "2026-11-09", "2026-11-30"}  # weeks, never days


def test_the_csv_has_one_row_per_week_code_and_language_with_what_the_code_is():
    rows = list(scan_report.csv_rows(ROWS, ABOUT))
    assert rows[0] == ["week", "code", "placement", "poster", "poster_lang", "lang", "scans", "suspect"]
    assert rows[1] == ["2026-11-02", "abcde", "The Bar", "Consent", "pl", "en", "fewer than 5", "0"]
    assert rows[2] == ["2026-11-02", "abcde", "The Bar", "Consent", "pl", "pl", "8", "0"]
    assert rows[3] == ["2026-11-09", "abcde", "The Bar", "Consent", "pl", "pl", "5", "40"]
    assert len(rows) == 7
