"""The language registry, the language part of every URL, and the choice of language."""

from dataclasses import dataclass

from flask import g, request
from werkzeug.routing import BaseConverter


@dataclass(frozen=True)
class Language:
    code: str
    english_name: str
    native_name: str
    direction: str  # "ltr" or "rtl"
    locale: str  # for formatting dates and numbers, e.g. en_GB writes "21 November 2026"


# The one place a language is added: a line here, a content folder and a gettext catalog.
REGISTRY = {language.code: language for language in [Language("en", "English", "English", "ltr", "en_GB")]}
DEFAULT = "en"


class LanguageConverter(BaseConverter):
    """Match only registered language codes, so /zz/... is a plain 404 and never a redirect."""

    regex = "|".join(REGISTRY)


def current():
    """The language of this request: the URL's, else the default."""
    return g.get("lang", DEFAULT)


def locale():
    """Flask-Babel's locale selector: the current language's locale."""
    return REGISTRY[current()].locale


def negotiate():
    """The registered language that best matches the browser's Accept-Language header."""
    return request.accept_languages.best_match(REGISTRY) or DEFAULT


def init_app(app):
    app.url_map.converters["lang"] = LanguageConverter
    app.context_processor(lambda: {"language": REGISTRY[current()]})
