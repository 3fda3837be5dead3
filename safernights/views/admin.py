"""The campaign team's dashboard and placements, behind admin_door.py; English only, no JavaScript.

Without ADMIN_TOKEN the routes do not exist (404), so a deployment cannot expose them by accident.
"""

import csv
import io
from datetime import datetime
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for

from safernights import admin_door, languages, placements, qr_codes, scan_counts, scan_report
from safernights.opening_hours import LONDON

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.before_request(admin_door.check)


def origin(url):
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


@bp.before_request
def same_site_forms_only():
    """Refuse (403) a form sent from any other site: the browser sends the Basic password with it
    all the same. A browser says where a form comes from in Sec-Fetch-Site, which no page can
    forge, and in Origin: under our Referrer-Policy (no-referrer) Chromium sends `Origin: null`
    even from our own page, so where Sec-Fetch-Site is sent it decides; an older browser's Origin
    must name this site; a form with neither is refused."""
    if request.method != "POST":
        return None
    ours = {origin(request.host_url), origin(current_app.config["BASE_URL"])}
    sent_origin, site = request.headers.get("Origin"), request.headers.get("Sec-Fetch-Site")
    if site is not None and site == "same-origin" and sent_origin in (None, "null", *ours):
        return None
    if site is None and sent_origin in ours:
        return None
    return "Refused: this form did not come from this site.", 403, {"Content-Type": "text/plain"}


@bp.after_request
def never_stored(response):
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.before_request
def not_while_the_database_hangs():
    """503 at once while this worker's last write is stuck on the database: a query now would hang
    the worker until gunicorn kills it, and the scans it holds with it."""
    if scan_counts.state()["database"] == "stalled":
        message = "The database is not answering. Scans are kept meanwhile; try again in a minute."
        return message, 503, {"Content-Type": "text/plain; charset=utf-8", "Retry-After": "60"}
    return None


def figures():
    """The stored rows and what each code is, for scan_report."""
    return scan_counts.rows(), scan_report.describe(qr_codes.codes(), placements.every())


@bp.get("/scans")
def dashboard():
    """Scans by placement, venue, poster, language, week and month, ranked, with trends; no JavaScript."""
    today = datetime.now(LONDON).date()
    report = scan_report.report(*figures(), today)
    return render_template("admin/scans.html", report=report, not_counted=scan_counts.not_counted())


@bp.get("/scans.csv")
def export():
    """The dashboard's cells: week,code,placement,poster,poster_lang,lang,scans,suspect."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(scan_report.csv_rows(*figures()))
    return out.getvalue(), {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": "attachment; filename=scans.csv",
    }


def listing(form=None, errors=None, status=200):
    return render_template(
        "admin/placements.html", placements=placements.every(), form=form or {}, errors=errors or {},
        posters=placements.POSTERS, languages=languages.REGISTRY,
    ), status  # fmt: skip


@bp.get("/placements")
def placement_list():
    """Every placement, and the form to add one."""
    return listing()


@bp.post("/placements")
def add_placement():
    """Add a placement and open its page, with its new code; or the form again with what to fix."""
    values, errors = placements.read_new(request.form)
    if errors:
        return listing(values, errors, 400)
    return redirect(url_for(".placement", name=placements.add(values)), 303)


def page(placement, errors=None, status=200):
    return render_template(
        "admin/placement.html", placement=placement, errors=errors or {}, languages=languages.REGISTRY,
        short_url=qr_codes.short_url(current_app.config["BASE_URL"], placement.code),
    ), status  # fmt: skip


def found(name):
    placement = placements.find(name)
    if placement is None:
        abort(404)
    return placement


@bp.get("/placements/<code:name>")
def placement(name):
    """One placement: its code, short address, QR image, print links and the form to change it."""
    return page(found(name))


@bp.post("/placements/<code:name>")
def change_placement(name):
    """Change a placement's date down, note or retirement, then show it again."""
    errors = {}
    values = placements.read_changes(request.form, found(name).up, errors)
    if errors:
        return page(found(name), errors, 400)
    placements.change(name, values)
    return redirect(url_for(".placement", name=name), 303)
