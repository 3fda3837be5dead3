"""QR entry points: /q/<code> counts one anonymous scan and opens the page in the phone's language."""

from flask import Blueprint, abort, current_app, redirect, url_for
from werkzeug.routing import BaseConverter

from safernights import content, delivery, languages, qr, scans

bp = Blueprint("scan", __name__)


class CodeConverter(BaseConverter):
    """A QR code's name: a-z, 0-9 and hyphens, so /q/consent.png is the image, not a code."""

    regex = r"[a-z0-9]+(?:-[a-z0-9]+)*"


def target_url(code, lang):
    if code.retired or code.target == content.HOME:
        return url_for("pages.home", lang=lang)
    if code.target == "services":
        return url_for("directory.listing", lang=lang)
    return url_for("pages.topic", lang=lang, slug=code.target)


def find(name):
    code = current_app.extensions["qr_codes"].get(name)
    if code is None:
        abort(404)
    return code


@bp.get("/q/<code:name>")
def scan(name):
    """Count one scan (day, code, language: nothing else) and open the page in the phone's language."""
    code, lang = find(name), languages.negotiate()
    response = redirect(target_url(code, lang), 302)
    response.headers["Cache-Control"] = "no-store"  # every scan must reach us to be counted
    response.vary.add("Accept-Language")
    return scans.count_after(response, code.code, lang)


@bp.get("/q/<code:name>.<any(svg, png):kind>")
@delivery.cached()
def image(name, kind):
    """The QR code as SVG or PNG, with its short address beneath, for designers and partners."""
    find(name)
    base = current_app.config["BASE_URL"]
    if kind == "svg":
        return qr.svg(base, name), {
            "Content-Type": "image/svg+xml; charset=utf-8",
            "Cache-Control": "public, max-age=86400",
        }
    return qr.png(base, name), {"Content-Type": "image/png", "Cache-Control": "public, max-age=86400"}


def init_app(app):
    """Call after the content is loaded and before the blueprint is registered."""
    app.url_map.converters["code"] = CodeConverter
    app.extensions["qr_codes"] = qr.load(app.config["CONTENT_DIR"], app.extensions["content"])
    scans.init_app(app)
