"""Every phone number, figure and opening hours a reader can see is held by the sources register.

- pages: each [[number]] and each figure in the text is held by a fact whose used_by names the page;
- the directory: each service is named by a fact, and its phones, "free", hours, ages and the
  figures in its description are held by those facts;
- templates (pages, posters, cards, help sheet, embed): no phone number is typed in; each
  fact("id") names a fact whose used_by lists the template;
- interface strings (translations/*.po): no phone number inside a sentence;
- and the other way: a fact's used_by names only places that exist and show it.

Run at start-up, once everything is loaded, and by `flask content check`.
"""

import re
from pathlib import Path

from safernights import languages, needs, page_markdown
from safernights.config import ROOT
from safernights.problems import ContentError, Problem, line_of, read_text
from safernights.sources import FILE

PHONE = re.compile(rf"(?<![\w/.#-])(?:{page_markdown.PHONE_SHAPED})(?![\w/-])")
TEMPLATE_FACT = re.compile(r"""\bfact\(\s*["']([^"']*)["']\s*\)""")
TEMPLATE_FILES = ("*.html", "*.js", "*.xml", "*.webmanifest")


def digits(number):
    return re.sub(r"\D", "", number)


def _held(facts):
    """(numbers as digits, every text shown) that these facts hold."""
    return {digits(fact.number) for fact in facts if fact.number}, set().union(
        *(fact.shown for fact in facts)
    )


def page_problems(pages, register, content_dir):
    for page in pages:
        numbers, shown = _held(register.used_by(page.slug))
        path = content_dir / page.lang / f"{page.slug}.md"
        for line, kind, text in page.shown:
            if not _is_held(kind, text, numbers, shown):
                what = "the number" if kind == "number" else "the figure"
                yield Problem(
                    path, line, f"{what} {text} is not held by a fact in {FILE} used by {page.slug!r}"
                )


def service_problems(directory, register, content_dir):
    path = content_dir / "services.toml"
    lines = (read_text(path)[0] or "").splitlines()
    for service in directory.services:
        place, at = f"service:{service.id}", line_of(lines, "id", service.id)
        facts = register.used_by(place)
        numbers, shown = _held(facts)
        free = {digits(fact.number) for fact in facts if fact.number and fact.free}
        found = [] if facts else [f"no fact in {FILE} is used by {place!r}: every service needs a source"]
        for phone in service.phones:
            if digits(phone.number) not in numbers:
                found.append(f"phone {phone.number} is not held by a fact used by {place!r}")
            elif phone.free and digits(phone.number) not in free:
                found.append(f"phone {phone.number} is marked free, but no fact with that number says so")
        if service.hours.known and service.hours not in {fact.parsed_hours for fact in facts}:
            found.append(f"its hours are not the hours of a fact used by {place!r}")
        ages = [str(age) for age in (service.min_age, service.max_age) if age is not None]
        found += [
            f"age {age} is not a figure of a fact used by {place!r}" for age in ages if age not in shown
        ]
        figures = page_markdown.numbers_shown(service.description)[1]
        found += [
            f"the figure {text} in its description is not held by a fact"
            for text in figures
            if text not in shown
        ]
        yield from (Problem(path, at, f"{service.id}: {message}") for message in found)


def template_problems(register, templates_dir):
    used = {}
    for path in sorted(p for pattern in TEMPLATE_FILES for p in templates_dir.rglob(pattern)):
        name = path.relative_to(templates_dir.parent).as_posix()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for typed in PHONE.findall(line):
                yield Problem(path, number, f"phone number {typed} typed in: take it from {FILE}, fact('…')")
            for fact_id in TEMPLATE_FACT.findall(line):
                used.setdefault(fact_id, set()).add(name)
                if fact_id not in register:
                    yield Problem(path, number, f"fact({fact_id!r}) is not in {FILE}")
                elif name not in register[fact_id].used_by:
                    yield Problem(path, number, f"{FILE}: fact {fact_id!r} does not list {name} in used_by")
    for fact in register.facts:
        for name in fact.used_by:
            if name.startswith("templates/") and name not in used.get(fact.id, ()):
                yield Problem(
                    templates_dir.parent / name, 0, f"does not use fact({fact.id!r}), as {FILE} says"
                )


def catalog_problems(translations_dir):
    for path in sorted(translations_dir.rglob("*.po*")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.startswith(("msgid", "msgstr", '"')):
                for typed in PHONE.findall(line):
                    yield Problem(
                        path, number, f"phone number {typed} inside a sentence: pass it in as %(…)s"
                    )


def right_now_problems(register):
    """Every fact a need's right-now answer names exists, and names that need in its used_by."""
    path = ROOT / "safernights" / "needs.py"
    lines = path.read_text(encoding="utf-8").splitlines()
    for need, answer in needs.RIGHT_NOW.items():
        key = f'"{need}": [' if need else "None: ["
        at = next((number for number, line in enumerate(lines, 1) if line.strip().startswith(key)), 0)
        for fact_id, _ in answer:
            if fact_id not in register:
                yield Problem(path, at, f"right now for {need}: no fact {fact_id!r} in {FILE}")
            elif need and f"need:{need}" not in register[fact_id].used_by:
                yield Problem(path, at, f"right now for {need}: fact {fact_id!r} does not list 'need:{need}'")


def used_by_problems(register, pages, directory, content_dir):
    """A fact's used_by may only name pages and services that exist and show one of its figures."""
    english = {page.slug: page for page in pages if page.lang == languages.DEFAULT}
    services = {f"service:{service.id}" for service in directory.services}
    right_now, path = needs.places(), content_dir / FILE
    lines = (read_text(path)[0] or "").splitlines()
    for fact in register.facts:
        at = line_of(lines, "id", fact.id)
        for place in fact.used_by:
            if place.startswith("templates/"):
                continue
            if place in right_now:
                if fact.id not in right_now[place]:
                    yield Problem(
                        path, at, f"{fact.id}: used_by names {place!r}, whose answer does not use it"
                    )
            elif place not in english and place not in services:
                yield Problem(path, at, f"{fact.id}: used_by names {place!r}: no such page or service:<id>")
            elif place in english and fact.shown and not _shows(english[place], fact):
                yield Problem(
                    path, at, f"{fact.id}: used_by names page {place!r}, which shows none of its figures"
                )


def _shows(page, fact):
    numbers, shown = _held([fact])
    return any(_is_held(kind, text, numbers, shown) for _, kind, text in page.shown)


def _is_held(kind, text, numbers, shown):
    """A phone number is held by its digits (spaces vary); any other figure exactly as written."""
    return digits(text) in numbers if kind == "number" else text in shown


def problems(pages, directory, register, content_dir, root=ROOT):
    """Everything shown that the register does not hold, and every used_by that is not true."""
    content_dir = Path(content_dir)
    return [
        *page_problems(pages, register, content_dir),
        *service_problems(directory, register, content_dir),
        *template_problems(register, root / "templates"),
        *catalog_problems(root / "translations"),
        *right_now_problems(register),
        *used_by_problems(register, pages, directory, content_dir),
    ]


def init_app(app):
    """Call once the pages, the directory and the register are loaded."""
    library, extensions = app.extensions["content"], app.extensions
    found = problems(library.pages, extensions["directory"], extensions["sources"], app.config["CONTENT_DIR"])
    if found:
        raise ContentError(found)
