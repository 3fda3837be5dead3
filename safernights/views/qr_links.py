"""QR entry points: /q/<code> counts one anonymous scan and opens the page in the phone's language."""

from flask import Blueprint, abort, current_app, request, url_for

from safernights import content, http_cache, languages, qr_codes, scan_counts, scan_guard

bp = Blueprint("qr", __name__)
bp.record_once(lambda state: state.app.extensions.setdefault("scan_targets", {}))


def target_url(code, lang):
    """The page a code opens in lang, made once per page and language and kept: url_for cost more
    than the rest of a scan's own work. Codes and languages are few, so the dict stays small."""
    known = current_app.extensions["scan_targets"]
    key = (code.target, code.retired, lang, request.script_root)
    if key not in known:
        known[key] = page_of(code, lang)
    return known[key]


def page_of(code, lang):
    if code.retired or code.target == content.HOME:
        return url_for("pages.home", lang=lang)
    if code.target == "services":
        return url_for("directory.listing", lang=lang)
    return url_for("pages.topic", lang=lang, slug=code.target)


def find(name):
    code = qr_codes.lookup(name)
    if code is None:
        abort(404)
    return code


@bp.get("/q/<code:name>")
def scan(name):
    """Count one scan (day, code, language: nothing else) and open the page in the phone's language."""
    code, lang = find(name), languages.negotiate()
    # A bare 302: werkzeug's redirect() also writes an HTML page no browser shows.
    response = current_app.response_class(status=302, headers={"Location": target_url(code, lang)})
    response.headers["Cache-Control"] = "no-store"  # every scan must reach us to be counted
    response.vary.add("Accept-Language")
    verdict = scan_guard.judge(request, code.code)
    if verdict not in (scan_guard.NOT_A_SCAN, scan_guard.REPEAT):  # a preview, a bot, the same phone
        scan_counts.hold(code.code, lang, suspect=verdict == scan_guard.SUSPECT)
    return response


@bp.get("/q/<code:name>.<any(svg, png):kind>")
@http_cache.cached()
def image(name, kind):
    """The QR code as SVG or PNG, with its short address beneath, for designers and partners."""
    find(name)
    base = current_app.config["BASE_URL"]
    if kind == "svg":
        return qr_codes.svg(base, name), {
            "Content-Type": "image/svg+xml; charset=utf-8",
            "Cache-Control": "public, max-age=86400",
        }
    return qr_codes.png(base, name), {"Content-Type": "image/png", "Cache-Control": "public, max-age=86400"}
