"""Anonymous scan counts: one row per (day, code, language served) and two numbers. Nothing else.

No time finer than a day, no IP address, no user agent, no referrer is ever stored. Counting is
one atomic statement (INSERT … ON CONFLICT DO UPDATE SET scans = scans + 1), so gunicorn workers
and several instances never lose or double a scan. Scans the counting rules call suspect (a flood)
go in their own column and never into `scans`. The database is database.py's; if it fails, the
reader is still redirected: the error is logged, the scan is not counted.
"""

from datetime import datetime

from flask import current_app

from safernights.opening_hours import LONDON

COUNT = (
    "INSERT INTO scans (day, code, lang, scans, suspect) VALUES (?, ?, ?, 1, 0) "
    "ON CONFLICT (day, code, lang) DO UPDATE SET scans = scans.scans + 1"
)
COUNT_SUSPECT = (
    "INSERT INTO scans (day, code, lang, scans, suspect) VALUES (?, ?, ?, 0, 1) "
    "ON CONFLICT (day, code, lang) DO UPDATE SET suspect = scans.suspect + 1"
)
ROWS = "SELECT day, code, lang, scans, suspect FROM scans ORDER BY day, code, lang"


def count_after(response, code, lang, suspect=False):
    """Count one scan today (a suspect one apart) once the redirect has been sent, so a slow or
    broken database never delays or stops it; a failure is logged."""
    store, logger = current_app.extensions["database"], current_app.logger

    def count():
        try:
            today = datetime.now(LONDON).date()  # the day in the UK, where the posters are
            store.execute(COUNT_SUSPECT if suspect else COUNT, (today.isoformat(), code, lang))
        except Exception:  # any database failure: the reader already has their page
            logger.exception("could not count a scan of %s", code)

    response.call_on_close(count)
    return response


def rows():
    """(day, code, lang, scans, suspect) for the report (scan_report.py), never shown as they are."""
    store = current_app.extensions["database"]
    return [(str(day), code, lang, int(n), int(s)) for day, code, lang, n, s in store.execute(ROWS)]
