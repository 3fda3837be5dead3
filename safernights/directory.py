"""The support services directory: content/services.toml, read and checked once at start-up.

Descriptions are translated in content/<lang>/services.toml, with the same `translated_from` and
`checked` keys as the pages; a description not translated yet is shown in English (the fallback
rule of the pages). Names stay as the services write them.
"""

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from urllib.parse import urlsplit

from babel.dates import format_skeleton, get_day_names
from flask import current_app
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from safernights import languages, needs, opening_hours, page_markdown
from safernights.content import VERSION
from safernights.problems import ContentError, Problem, line_of, read_entries, read_toml
from safernights.sources import is_uk_number

AREAS = {
    "southampton": _l("Southampton"),
    "hampshire-and-iow": _l("Hampshire and the Isle of Wight"),
    "england-and-wales": _l("England and Wales"),
    "uk": _l("The whole UK"),
}
KINDS = {"voice": _l("Call"), "text": _l("Text"), "textphone": _l("Textphone")}
STATUSES = ("active", "inactive", "defunct", "temporarily closed")
REQUIRED = ("id", "name", "status", "description", "needs", "checked")
OPTIONAL = (
    "phones", "hours", "by_appointment", "not_on_bill", "area", "min_age", "max_age", "gender",
    "languages", "website", "email",
)  # fmt: skip
PHONE_KEYS = ("number", "kind", "free", "purpose")
STALE_DAYS = 365  # details checked longer ago than this get a gentle warning
CHECKED = re.compile(r"(?P<year>\d{4})(?:-(?P<month>\d\d))?")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[a-z]{2,}")


@dataclass(frozen=True)
class Phone:
    number: str
    kind: str = "voice"
    free: bool = False
    purpose: str = ""

    @property
    def href(self):
        return page_markdown.tel_href(self.number)


@dataclass(frozen=True)
class Service:
    id: str
    name: str
    status: str
    description: str
    needs: tuple
    checked: str  # "2017" or "2026-11", as confirmed
    phones: tuple = ()
    hours: opening_hours.Hours = opening_hours.NOT_KNOWN
    by_appointment: bool = False
    not_on_bill: bool = False
    area: str | None = None
    min_age: int | None = None
    max_age: int | None = None
    gender: str | None = None
    languages: tuple = ()
    website: str | None = None
    email: str | None = None

    @property
    def checked_date(self):
        """The first day of the year or month the details were checked."""
        match = CHECKED.fullmatch(self.checked)
        return date(int(match["year"]), int(match["month"] or 1), 1)

    def is_stale(self, today):
        return (today - self.checked_date).days > STALE_DAYS

    def is_open(self, at):
        return opening_hours.is_open(self.hours, at)

    def next_opening(self, at):
        return opening_hours.next_opening(self.hours, at)


@dataclass(frozen=True)
class Translation:
    lang: str
    descriptions: dict
    translated_from: str
    checked: bool


class Directory:
    """Every service, looked up by id, filtered by need, with descriptions in every language."""

    def __init__(self, services, version, translations):
        self.services = services
        self.version = version  # of the English descriptions
        self._by_id = {service.id: service for service in services}
        self._translations = translations

    def get(self, service_id):
        return self._by_id.get(service_id)

    def description(self, service, lang):
        """(text, language of the text): the translation, else the English original."""
        translation = self._translations.get(lang)
        if translation and service.id in translation.descriptions:
            return translation.descriptions[service.id], lang
        return service.description, languages.DEFAULT

    def status(self, lang):
        """One of content.STATES for this language's descriptions."""
        if lang == languages.DEFAULT:
            return "up to date"
        translation = self._translations.get(lang)
        if translation is None:
            return "missing"
        if translation.translated_from != self.version:
            return "outdated"
        return "up to date" if translation.checked else "unchecked"

    def listing(self, at, need=None, open_now=False):
        """Services for a need: open now and 24/7 first, then by next opening, then those whose hours
        are not known; any whose details are years old after all the rest. Open now keeps those
        whose hours are not known (they may answer: never hide a way to get help)."""

        def rank(service):
            if service.hours.always:
                order = (0, 0)
            elif service.is_open(at):
                order = (1, 0)
            else:
                opens = service.next_opening(at)
                order = (2, opens.timestamp()) if opens else (3, 0)
            return (service.is_stale(at.date()), *order)

        chosen = [s for s in self.services if s.status == "active" and (need is None or need in s.needs)]
        if open_now:
            chosen = [s for s in chosen if s.is_open(at) is not False]
        return sorted(chosen, key=rank)  # sorted() is stable: the file's order within a rank


def _phone_problems(phone):
    if not isinstance(phone, dict) or set(phone) - set(PHONE_KEYS) or "number" not in phone:
        return [f"a phone is {{number, kind, free, purpose}}, got {phone!r}"]
    found = [] if is_uk_number(phone["number"]) else [f"{phone['number']!r} is not a UK phone number"]
    if phone.get("kind", "voice") not in KINDS:
        found.append(f"phone kind {phone.get('kind')!r} is not one of {', '.join(KINDS)}")
    return found


def _service_problems(raw, today):
    """What is wrong with one service's entry, in words for the person editing the file."""
    found = [f"missing {key!r}" for key in REQUIRED if key not in raw]
    found += [f"unknown key {key!r}" for key in raw if key not in REQUIRED + OPTIONAL]
    if raw.get("status", "active") not in STATUSES:
        found.append(f"status {raw['status']!r} is not one of {', '.join(STATUSES)}")
    found += [f"unknown need {need!r}" for need in raw.get("needs", []) if need not in needs.NEEDS]
    if raw.get("area", "uk") not in AREAS:
        found.append(f"area {raw['area']!r} is not one of {', '.join(AREAS)}")
    for phone in raw.get("phones", []):
        found += _phone_problems(phone)
    try:
        opening_hours.parse(raw.get("hours", []))
    except ValueError as error:
        found.append(f"hours: {error}")
    website = urlsplit(raw.get("website", "https://ok.example"))
    if website.scheme not in ("http", "https") or not website.netloc:
        found.append(f"website {raw['website']!r} is not a web address")
    if "email" in raw and not EMAIL.fullmatch(raw["email"]):
        found.append(f"email {raw['email']!r} is not an email address")
    match = CHECKED.fullmatch(str(raw.get("checked", "2000")))
    if not match or not 1 <= int(match["month"] or 1) <= 12:
        found.append(f"checked {raw['checked']!r} is not YYYY or YYYY-MM")
    elif date(int(match["year"]), int(match["month"] or 1), 1) > today:
        found.append(f"checked {raw['checked']!r} is in the future")
    return found


def _service(raw):
    phones = tuple(Phone(**phone) for phone in raw.get("phones", []))
    values = {
        **raw,
        "phones": phones,
        "needs": tuple(raw["needs"]),
        "hours": opening_hours.parse(raw.get("hours", [])),
    }
    values["languages"] = tuple(raw.get("languages", []))
    return Service(**values)


def _version(services):
    return hashlib.sha256("\n".join(s.id + "\t" + s.description for s in services).encode()).hexdigest()[:12]


def _read_translation(path, lang, english, version):
    data, _, problems = read_toml(path)
    if data is None:
        return None, problems
    words = set(data) - {"translated_from", "checked", "description"}
    problems += [Problem(path, 1, f"unknown key {word!r}") for word in sorted(words)]
    if not VERSION.fullmatch(str(data.get("translated_from", ""))) or not isinstance(
        data.get("checked"), bool
    ):
        problems.append(Problem(path, 1, "needs translated_from (12 hex digits) and checked (true or false)"))
    descriptions = data.get("description", {})
    for service_id, text in descriptions.items():
        original = english.get(service_id)
        if original is None:
            problems.append(Problem(path, 1, f"no service {service_id!r} in services.toml"))
        elif data.get("translated_from") == version and sorted(re.findall(r"\d+", text)) != sorted(
            re.findall(r"\d+", original.description)
        ):
            problems.append(Problem(path, 1, f"{service_id}: numbers differ from the English description"))
    if problems:
        return None, problems
    return Translation(lang, descriptions, data["translated_from"], data["checked"]), []


def read(content_dir, today=None):
    """Read the directory and its translations; return (Directory or None, problems and warnings)."""
    today = today or date.today()
    path = content_dir / "services.toml"
    raws, lines, problems = read_entries(path, "service", lambda raw: _service_problems(raw, today))
    if problems:
        return None, problems
    services = [_service(raw) for raw in raws]
    warnings = [
        Problem(
            path,
            line_of(lines, "id", s.id),
            f"{s.id}: details checked {s.checked}, over a year ago",
            warning=True,
        )
        for s in services
        if s.is_stale(today)
    ]
    english, version, translations = {s.id: s for s in services}, _version(services), {}
    for lang in languages.REGISTRY:
        translated = content_dir / lang / "services.toml"
        if lang != languages.DEFAULT and translated.exists():
            translation, found = _read_translation(translated, lang, english, version)
            problems += found
            if translation:
                translations[lang] = translation
    return (None if problems else Directory(services, version, translations)), problems + warnings


def load(content_dir):
    """Read and check the directory; raise ContentError on any problem (warnings are logged)."""
    directory, problems = read(content_dir)
    errors = [problem for problem in problems if not problem.warning]
    if errors:
        raise ContentError(errors)
    return directory, [problem for problem in problems if problem.warning]


def current():
    """The directory loaded for the running app."""
    return current_app.extensions["directory"]


def now():
    return datetime.now(opening_hours.LONDON)


def weekday_name(index):
    """Monday is 0; the day's name in the reader's language."""
    return get_day_names("wide", locale=get_locale())[index]


def clock(time_of_day):
    """A time of day in the reader's language, on the 24-hour clock that UK services use."""
    return format_skeleton("Hm", time_of_day, locale=get_locale())


def checked_on(service):
    """When a service was checked: "2017", or the month in the reader's language ("listopad 2026")."""
    if len(service.checked) == 4:
        return service.checked
    return format_skeleton("yMMMM", service.checked_date, locale=get_locale())


def init_app(app):
    app.jinja_env.filters.update(weekday_name=weekday_name, clock=clock, checked_on=checked_on)
    app.jinja_env.globals.update(
        needs=needs.NEEDS, right_now_answers=needs.RIGHT_NOW, areas=AREAS, phone_kinds=KINDS
    )
    app.context_processor(lambda: {"directory": app.extensions["directory"]})
    loaded, warnings = load(Path(app.config["CONTENT_DIR"]))
    for warning in warnings:
        app.logger.info("content warning: %s", warning)
    app.extensions["directory"] = loaded
