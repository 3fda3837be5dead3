"""The campaign's pages: read from content/<lang>/<slug>.md once at start-up, checked, then looked up.

A page file starts with a metadata block of `key: value` lines, then a blank line, then Markdown:

    title: What consent is
    summary: One line, used for link previews and the topic list.
    order: 1
    reviewed: 2026-11-21

    ## The first heading

A topic that has a poster adds `poster`: its headline, a few words to read from three metres.

A translation adds two keys: `translated_from`, the version of the English page it was made from
(`flask content status` shows it), and `checked`, yes once a qualified translator has checked it.
"""

import hashlib
import re
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from flask import current_app
from markupsafe import Markup

from safernights import languages, page_markdown
from safernights.problems import ContentError, Problem, folder_problems, read_text

HOME = "home"
# Slugs are printed on posters that hang for years: each must always exist in English.
REQUIRED = (HOME, "consent", "drink-and-consent", "get-help", "staff", "look-out", "staying-safe-online")
SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
FIELDS = ("title", "summary", "order", "reviewed")
OPTIONAL_FIELDS = ("poster",)
TRANSLATION_FIELDS = ("translated_from", "checked")
VERSION = re.compile(r"[0-9a-f]{12}")
STATES = ("up to date", "outdated", "unchecked", "missing")
SUMMARY_MAX = 200  # characters; link previews cut longer text
POSTER_MAX = 60  # characters: at 3 m an A4 headline holds about that in three lines
# Addresses in every language that pages may link to besides each other (./ is the home page).
ROUTES = {"./", "languages", "forget", "services"}

# A phone number in the text that is not written as [[number]] would not be a tel: link.
BARE_NUMBER = re.compile(rf"(?<![\w/.\[-])({page_markdown.PHONE_SHAPED})(?![\w/\]-])")
HOW = "or [[sms:…]] to text it, [[=…]] to show it without a link"
BAD_TEL = re.compile(rf"\[\[(?!(sms:|=)?{page_markdown.NUMBER}\]\])")
LINK = re.compile(r"\]\(([^)\s]+)")
HEADING = re.compile(r"^(#{2,6}) ", re.M)


@dataclass(frozen=True)
class Page:
    lang: str
    slug: str
    title: str
    summary: str
    order: int
    reviewed: date
    html: Markup
    version: str  # changes whenever the title, summary or text changes
    translated_from: str | None = None  # the English version a translation was made from
    checked: bool = True  # by a qualified translator; English is the original
    poster: str = ""  # the poster's headline; empty: this page has no poster
    outdated: bool = False  # the English page has changed since this translation was made
    # Phone numbers and link targets (sorted: a translation may reorder a sentence) and heading
    # levels in order: what a translation must keep.
    shape: tuple = ()
    # Every phone number and figure the reader sees, as (line, "number" or "figure", text): each
    # must be held by the sources register (fact_check.py).
    shown: tuple = ()


class Library:
    """Every page, by language and slug, and the one rule for a page missing in a language."""

    def __init__(self, pages):
        english = {page.slug: page for page in pages if page.lang == languages.DEFAULT}
        self._pages = {
            (page.lang, page.slug): replace(
                page, outdated=page.translated_from not in (None, english[page.slug].version)
            )
            for page in pages
        }
        self._slugs = [page.slug for page in sorted(english.values(), key=lambda page: page.order)]

    def get(self, lang, slug):
        """The page in this language; if it is not translated yet, the English page."""
        return self._pages.get((lang, slug)) or self._pages.get((languages.DEFAULT, slug))

    def topics(self, lang):
        """The topic pages of a language (everything but the home page), in their set order."""
        return [self.get(lang, slug) for slug in self._slugs if slug != HOME]

    def is_topic(self, slug):
        return slug in self._slugs and slug != HOME

    def status(self, lang, slug):
        """One of: up to date, outdated, unchecked, missing."""
        page = self._pages.get((lang, slug))
        if page is None:
            return "missing"
        if page.outdated:
            return "outdated"
        return "up to date" if page.checked else "unchecked"

    @property
    def pages(self):
        """Every page in every language, as read (no English stand-ins)."""
        return list(self._pages.values())

    @property
    def slugs(self):
        """Every page's slug, home first, in the set order."""
        return list(self._slugs)


def _field(name, value, today):
    """Convert one metadata value, raising ValueError with a reader-friendly message."""
    if not value:
        raise ValueError(f"'{name}' is empty")
    if name == "order":
        return int(value)
    if name == "reviewed":
        reviewed = date.fromisoformat(value)
        if reviewed > today:
            raise ValueError(f"'reviewed' {value} is in the future")
        return reviewed
    if name == "checked":
        if value not in ("yes", "no"):
            raise ValueError("'checked' is yes or no")
        return value == "yes"
    if name == "translated_from" and not VERSION.fullmatch(value):
        raise ValueError("'translated_from' is the English page's version, 12 hex digits")
    if name == "summary" and len(value) > SUMMARY_MAX:
        raise ValueError(f"'summary' is {len(value)} characters; keep it under {SUMMARY_MAX}")
    if name == "poster" and len(value) > POSTER_MAX:
        raise ValueError(f"'poster' is {len(value)} characters; keep it under {POSTER_MAX}")
    if name == "poster" and re.search(r"\d", value):
        raise ValueError("a headline holds no figures: the register cannot check them there")
    return value


def _metadata(path, lines, today, expected):
    """Read the metadata block; return (fields, first body line index, problems)."""
    fields, seen, problems = {}, set(), []
    end = next((i for i, line in enumerate(lines) if not line.strip()), len(lines))
    for number, line in enumerate(lines[:end], 1):
        name, colon, value = (part.strip() for part in line.partition(":"))
        if not colon or name not in (*expected, *OPTIONAL_FIELDS):
            problems.append(Problem(path, number, f"expected 'key: value' with a known key, got {line!r}"))
        elif name in seen:
            problems.append(Problem(path, number, f"'{name}' is given twice"))
        else:
            seen.add(name)
            try:
                fields[name] = _field(name, value, today)
            except ValueError as error:
                problems.append(Problem(path, number, f"bad '{name}': {error}"))
    for name in expected:
        if name not in seen:
            problems.append(Problem(path, 1, f"metadata is missing '{name}'"))
    return fields, end + 1, problems


def _body_problems(path, lines, start, slugs):
    """Problems a reader would meet in the Markdown body: headings, numbers, broken links."""
    problems = []
    for number, line in enumerate(lines[start:], start + 1):
        if line.startswith("# "):
            problems.append(Problem(path, number, "use ## for headings: the title is the page's only h1"))
        if BAD_TEL.search(line):
            problems.append(Problem(path, number, "[[…]] must hold a phone number, digits and spaces"))
        for bare in BARE_NUMBER.findall(re.sub(page_markdown.TEL, "", line)):
            problems.append(
                Problem(path, number, f"write the number {bare} as [[{bare}]] so it dials ({HOW})")
            )
        for target in (link.partition("#")[0].partition("?")[0] for link in LINK.findall(line)):
            if target.startswith("/"):
                problems.append(Problem(path, number, f"link {target} must be relative, e.g. get-help"))
            elif target and ":" not in target and target not in slugs:
                known = f"a page slug or one of {', '.join(sorted(ROUTES))}"
                problems.append(Problem(path, number, f"link {target} is not {known}"))
    if not "".join(lines[start:]).strip():
        problems.append(Problem(path, len(lines), "the page has no text"))
    return problems


def read_page(path, lang, slugs, renderer, today):
    """Parse and check one file; return (Page or None, problems)."""
    text, problems = read_text(path)
    if text is None:
        return None, problems
    lines = text.splitlines()
    expected = FIELDS if lang == languages.DEFAULT else FIELDS + TRANSLATION_FIELDS
    fields, start, problems = _metadata(path, lines, today, expected)
    problems += _body_problems(path, lines, start, slugs)
    if problems:
        return None, problems
    body = "\n".join(lines[start:])
    html = Markup(renderer.reset().convert(body))
    # The version covers what readers see, not `reviewed` or `order`, so re-dating a page does not
    # mark every translation outdated.
    seen = [fields["title"], fields["summary"], body] + ([fields["poster"]] if "poster" in fields else [])
    version = hashlib.sha256("\n".join(seen).encode()).hexdigest()[:12]
    shape = (
        tuple(sorted(page_markdown.numbers_in(body))),
        tuple(sorted(LINK.findall(body))),
        tuple(len(marks) for marks in HEADING.findall(body)),
    )
    shown = tuple(
        (number, kind, text)
        for number, line in enumerate(lines[start:], start + 1)
        for kind, found in zip(("number", "figure"), page_markdown.numbers_shown(line), strict=True)
        for text in found
    )
    return Page(lang, path.stem, html=html, version=version, shape=shape, shown=shown, **fields), []


def _translation_problems(path, page, original):
    """A translation of the current English page must keep its numbers, links and headings."""
    if page.translated_from != original.version:
        return []  # outdated: `flask content status` reports it, and the page says so
    return [
        Problem(path, 0, f"{what} differ from the English page: {mine} here, {theirs} in English")
        for what, mine, theirs in zip(
            ("phone numbers", "links", "heading levels"), page.shape, original.shape, strict=True
        )
        if mine != theirs
    ]


def read_all(content_dir, today=None):
    """Read every page in every registered language; return (pages, problems)."""
    content_dir, today = Path(content_dir), today or date.today()
    problems = folder_problems(content_dir)
    if problems:
        return [], problems
    renderer, pages, originals = page_markdown.renderer(), [], {}
    english = content_dir / languages.DEFAULT  # first in the registry, so read before translations
    slugs = ROUTES | {path.stem for path in english.glob("*.md")}
    for slug in REQUIRED:
        if not (english / f"{slug}.md").is_file():
            problems.append(Problem(english / f"{slug}.md", 0, "missing: this page must exist"))
    for lang in languages.REGISTRY:
        if (content_dir / lang).exists() and not (content_dir / lang).is_dir():
            problems.append(Problem(content_dir / lang, 0, "is a file: this must be a folder"))
        for path in sorted((content_dir / lang).glob("*.md")):
            if not SLUG.fullmatch(path.stem):
                problems.append(Problem(path, 0, "file names are slugs: a-z, 0-9 and single hyphens"))
                continue
            if path.stem not in slugs:
                problems.append(Problem(path, 0, "there is no English page with this slug"))
                continue
            page, found = read_page(path, lang, slugs, renderer, today)
            if page and lang != languages.DEFAULT and path.stem in originals:
                found += _translation_problems(path, page, originals[path.stem])
            if page and lang == languages.DEFAULT:
                originals[page.slug] = page
            pages += [page] if page else []
            problems += found
    return pages, problems


def load(content_dir):
    """Read and check the content folder; raise ContentError listing every problem."""
    pages, problems = read_all(content_dir)
    if problems:
        raise ContentError(problems)
    return Library(pages)


def library():
    """The content loaded for the running app."""
    return current_app.extensions["content"]


def init_app(app):
    app.extensions["content"] = load(app.config["CONTENT_DIR"])
