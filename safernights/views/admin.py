"""The campaign team's dashboard: scans per code per week and per language, behind admin_door.py.

Without ADMIN_TOKEN the routes do not exist (404), so a deployment cannot expose them by accident.
"""

import csv
import io
from collections import Counter, defaultdict
from datetime import date, timedelta

from flask import Blueprint, render_template

from safernights import admin_door, qr_codes, scan_counts

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.before_request(admin_door.check)


@bp.after_request
def never_stored(response):
    response.headers["Cache-Control"] = "no-store"
    return response


def week_of(day):
    start = date.fromisoformat(day)
    return (start - timedelta(days=start.weekday())).isoformat()


@bp.get("/scans")
def dashboard():
    """Scans per code per week, per language, and a chart of weekly totals; no JavaScript."""
    rows = scan_counts.rows()
    weeks = sorted({week_of(day) for day, *_ in rows})
    by_code = defaultdict(Counter)
    for day, code, _, count in rows:
        by_code[code][week_of(day)] += count
    by_lang = Counter()
    for _, _, lang, count in rows:
        by_lang[lang] += count
    totals = [sum(by_code[code][week] for code in by_code) for week in weeks]
    return render_template(
        "admin/scans.html", weeks=weeks, by_code=dict(sorted(by_code.items())), by_lang=by_lang.most_common(),
        totals=totals, codes=qr_codes.codes(),
    )  # fmt: skip


@bp.get("/scans.csv")
def export():
    """Every row: day,code,lang,scans."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["day", "code", "lang", "scans"])
    writer.writerows(scan_counts.rows())
    return out.getvalue(), {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": "attachment; filename=scans.csv",
    }
