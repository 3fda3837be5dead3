"""Posters, contact cards and the staff checklist to print, in every language, each with its QR code."""

from pathlib import Path

from flask import Blueprint, abort, current_app, render_template, request, send_from_directory
from flask_babel import force_locale, gettext
from markupsafe import Markup

from safernights import content, languages, placements, print_pdf, qr_codes

bp = Blueprint("printing", __name__, url_prefix="/print")
SIZES = ("a4", "a3", "a5")
LOGO_TYPES = (".svg", ".png")


def paper_size():
    """?size=a3, a4 or a5; anything else is A4."""
    return request.args.get("size") if request.args.get("size") in SIZES else "a4"


def headline(page):
    """A poster's headline and its language: until a translation has its own, the English one."""
    if page.poster:
        return page.poster, page.lang
    english = content.library().get(languages.DEFAULT, page.slug)
    return (english.poster, english.lang) if english.poster else (page.title, page.lang)


def posters(lang):
    """(page, headline, headline's language) for every topic with a poster, in this language."""
    codes = print_pdf.poster_codes(content.library())
    return [(page, *headline(page)) for page in content.library().topics(lang) if page.slug in codes]


@bp.app_template_global()
def poster_logos():
    """The partners' logo files directly in LOGO_DIR, by name; none while it is not set."""
    folder = current_app.config["LOGO_DIR"]
    if not folder or not Path(folder).is_dir():
        return []
    return sorted(f.name for f in Path(folder).iterdir() if f.is_file() and f.suffix.lower() in LOGO_TYPES)


@bp.app_template_global()
def qr_svg(name, poster=False):
    """A code's QR image to inline in a sheet, without the address beneath: the sheet prints it once."""
    error = qr_codes.POSTER_ERROR if poster else qr_codes.ERROR
    return Markup(qr_codes.svg(current_app.config["BASE_URL"], name, scale=1, label=False, error=error))


def printed_code(name):
    """The code a sheet carries, built in, from qr.toml or a placement's, in the language asked for
    or else the placement's; 404 when there is none."""
    code = qr_codes.lookup(name)
    if code is None:
        abort(404)
    languages.use(request.args.get("lang") or code.lang)
    return code


@bp.get("/poster/<code:name>")
def poster(name):
    """A poster for one code: its headline, one line, a big QR code, the emergency numbers."""
    code = printed_code(name)
    if code.lang and placements.poster_of(name) == "help":  # only a placement's code has a language
        return help_sheet(code)
    if code.target not in content.library().slugs:
        abort(404)
    page = content.library().get(languages.current(), code.target)
    text, lang = headline(page)
    return render_template(
        "print/poster.html", page=page, headline=text, headline_lang=lang, code=code, size=paper_size()
    )


@bp.get("/help")
def help_poster():
    """The languages poster: "help is available", in every language in its own script."""
    return help_sheet(printed_code(request.args.get("code", "get-help")))


def help_sheet(code):
    lines = []
    for language in languages.REGISTRY.values():
        with force_locale(language.locale):
            lines.append((language, gettext("Help is available. Scan the code: it opens in your language.")))
    return render_template("print/help.html", lines=lines, code=code, size=paper_size())


@bp.get("/cards")
def cards():
    """An A4 sheet of ten contact cards (85 × 55 mm) with crop marks, for `card` or ?code=."""
    return render_template("print/cards.html", code=printed_code(request.args.get("code", qr_codes.CARD)))


@bp.get("/staff-checklist")
def staff_checklist():
    """The staff page's checklist on one A4 sheet for the staff room, with its QR code."""
    languages.use(request.args.get("lang"))
    return render_template(
        "print/staff_checklist.html", page=content.library().get(languages.current(), "staff")
    )


@bp.get("/logos/<name>")
def logo(name):
    """One partner's logo from LOGO_DIR, for the foot of the posters; nothing else in or beyond it."""
    if name not in poster_logos():
        abort(404)
    return send_from_directory(Path(current_app.config["LOGO_DIR"]).resolve(), name, max_age=86400)
