"""The language registry, the language part of every URL, and the choice of language."""

import functools
from dataclasses import dataclass

from babel import Locale
from babel.core import get_global
from flask import current_app, g, request
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header
from werkzeug.routing import BaseConverter


@dataclass(frozen=True)
class Language:
    code: str
    english_name: str
    native_name: str
    direction: str  # "ltr" or "rtl"
    locale: str  # for formatting dates and numbers, e.g. en_GB writes "21 November 2026"


# The one place a language is added: a line here, a content folder and a gettext catalog (README).
# Order: English, then by number of speakers in Southampton (Census 2021), then Nepali and Ukrainian.
REGISTRY = {
    language.code: language
    for language in [
        Language("en", "English", "English", "ltr", "en_GB"),
        Language("pl", "Polish", "Polski", "ltr", "pl"),
        Language("ro", "Romanian", "Română", "ltr", "ro"),
        Language("zh", "Chinese (Simplified)", "简体中文", "ltr", "zh_Hans_CN"),
        Language("pt", "Portuguese", "Português", "ltr", "pt_PT"),
        Language("es", "Spanish", "Español", "ltr", "es"),
        Language("fa", "Persian (Farsi)", "فارسی", "rtl", "fa"),
        Language("ar", "Arabic", "العربية", "rtl", "ar"),
        Language("el", "Greek", "Ελληνικά", "ltr", "el"),
        Language("bg", "Bulgarian", "Български", "ltr", "bg"),
        Language("ne", "Nepali", "नेपाली", "ltr", "ne"),
        Language("uk", "Ukrainian", "Українська", "ltr", "uk"),
    ]
}
DEFAULT = "en"


class LanguageConverter(BaseConverter):
    """Match only registered language codes, so /zz/... is a plain 404 and never a redirect."""

    regex = "|".join(REGISTRY)


def current():
    """The language of this request: the URL's, else the default."""
    return g.get("lang", DEFAULT)


def use(requested):
    """Serve a page outside /<lang>/ in ?lang= when it is a registered language, else the browser's."""
    g.lang = requested if requested in REGISTRY else negotiate()


def locale():
    """Flask-Babel's locale selector: the current language's locale."""
    return REGISTRY[current()].locale


def negotiate():
    """The registered language that best matches the browser's Accept-Language header."""
    return best_language(request.headers.get("Accept-Language", ""))


# Every scan and every visit to / negotiates, and phones send a few dozen different headers: each is
# worked out once, rather than werkzeug comparing every tag in it with each of ours every time.
@functools.lru_cache(maxsize=512)
def best_language(header):
    return parse_accept_header(header, LanguageAccept).best_match(REGISTRY) or DEFAULT


def og_locale(language):
    """The Open Graph form of a language's locale: pl -> pl_PL, en_GB -> en_GB, zh_Hans_CN -> zh_CN."""
    return open_graph_form(language.locale)


# Every page names all twelve, and babel takes a couple of milliseconds to parse each locale: worked
# out once, it is 3 ms a page less.
@functools.cache
def open_graph_form(identifier):
    locale = Locale.parse(identifier)
    territory = locale.territory or Locale.parse(get_global("likely_subtags")[locale.language]).territory
    return f"{locale.language}_{territory}"


def lowercased(path):
    """/PL/consent -> /pl/consent; None when the path does not start with a language in capitals."""
    first, slash, rest = path.lstrip("/").partition("/")
    if first.lower() in REGISTRY and first != first.lower():
        return f"/{first.lower()}{slash}{rest}"
    return None


def take_language(endpoint, values):
    """The language part of the URL becomes g.lang instead of a view argument."""
    if values and "lang" in values:
        g.lang = values.pop("lang")


def keep_language(endpoint, values):
    """url_for() links to the current language unless told otherwise."""
    if "lang" not in values and "lang" in g and current_app.url_map.is_endpoint_expecting(endpoint, "lang"):
        values["lang"] = g.lang


def init_app(app):
    app.url_map.converters["lang"] = LanguageConverter
    app.url_value_preprocessor(take_language)
    app.url_defaults(keep_language)
    app.context_processor(lambda: {"language": REGISTRY[current()], "languages": REGISTRY})
    app.jinja_env.filters["og_locale"] = og_locale
