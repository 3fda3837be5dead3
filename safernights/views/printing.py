"""Posters and contact cards to print, in every language, each with its QR code."""

from flask import Blueprint, abort, render_template, request
from flask_babel import force_locale, gettext

from safernights import content, languages, qr_codes

bp = Blueprint("printing", __name__, url_prefix="/print")
SIZES = ("a4", "a3")


def paper_size():
    """?size=a3 or a4; anything else is A4."""
    return request.args.get("size") if request.args.get("size") in SIZES else "a4"


@bp.get("/poster/<code:name>")
def poster(name):
    """A poster for one code: headline, three lines, QR code, short address, 999 · 55 · 18000."""
    languages.use(request.args.get("lang"))
    code = qr_codes.codes().get(name)
    if code is None or code.target not in content.library().slugs:
        abort(404)
    size = paper_size()
    page = content.library().get(languages.current(), code.target)
    return render_template("print/poster.html", page=page, code=code, size=size)


@bp.get("/help")
def help_poster():
    """The multilingual poster: "help is available", in every language in its own script."""
    languages.use(request.args.get("lang"))
    lines = []
    for language in languages.REGISTRY.values():
        with force_locale(language.locale):
            lines.append((language, gettext("Help is available. Scan the code: it opens in your language.")))
    size = paper_size()
    return render_template("print/help.html", lines=lines, size=size)


@bp.get("/cards")
def cards():
    """An A4 sheet of ten contact cards (85 × 55 mm) with crop marks."""
    languages.use(request.args.get("lang"))
    return render_template("print/cards.html", code=qr_codes.codes()["card"])
