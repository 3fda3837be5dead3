"""The sources register: content/sources.toml, every fact a reader could act on, with where it comes from.

Each `[[fact]]` is one fact (a phone number, a law, a time window, opening hours, an age, "free")
with the addresses or documents it comes from, the day they were read, and the pages, services
and templates that use it. It is read and checked once at start-up; fact_check.py then refuses
any number, figure or opening hours shown anywhere that no fact here holds. Templates take their
phone numbers from it by id: `fact("rape-crisis-line")`.
"""

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import phonenumbers
from flask import current_app
from phonenumbers import shortnumberinfo

from safernights import opening_hours, page_markdown
from safernights.problems import ContentError, Problem, read_entries

FILE = "sources.toml"
ID = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
REQUIRED = ("id", "fact", "sources", "checked", "used_by")
OPTIONAL = ("number", "dial", "figures", "hours", "free")


@dataclass(frozen=True)
class Fact:
    id: str
    fact: str
    sources: tuple
    checked: date  # the day the sources were read
    used_by: tuple  # page slugs, "service:<id>" and template paths
    number: str | None = None  # a phone number, exactly as the site writes it
    dial: str | None = None  # what to dial, where it is not the number shown (55: dial 999)
    figures: tuple = ()  # every other figure a reader sees from this fact, as written
    hours: tuple = ()  # opening hours, as in services.toml
    free: bool = False  # the source says calls are free

    @property
    def href(self):
        return page_markdown.tel_href(self.dial or self.number)

    @property
    def dialled(self):
        """The digits a phone link to this fact dials."""
        return self.href[4:] if self.number else None

    @property
    def parsed_hours(self):
        return opening_hours.parse(self.hours)

    @property
    def shown(self):
        """Every text this fact lets the site show: its number and its figures."""
        return {*self.figures, *([self.number] if self.number else [])}


class Register:
    """Every fact, by id, and which facts a page, service or template may draw on."""

    def __init__(self, facts):
        self.facts = facts
        self._by_id = {fact.id: fact for fact in facts}

    def __getitem__(self, fact_id):
        return self._by_id[fact_id]

    def __contains__(self, fact_id):
        return fact_id in self._by_id

    def used_by(self, place):
        """The facts that say they are used by this page slug, service:<id> or template."""
        return [fact for fact in self.facts if place in fact.used_by]

    def dialled(self):
        """Every number a phone link may dial."""
        return {fact.dialled for fact in self.facts if fact.number}


def is_uk_number(number):
    """A UK phone number or short code, by Google's libphonenumber rules."""
    try:
        parsed = phonenumbers.parse(number, "GB")
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_valid_number(parsed) or shortnumberinfo.is_valid_short_number(parsed)


def _strings(raw, key):
    value = raw.get(key, [])
    return isinstance(value, list) and all(isinstance(item, str) and item.strip() for item in value)


def fact_problems(raw, today):
    """What is wrong with one entry, in words for the person editing the register."""
    found = [f"missing {key!r}" for key in REQUIRED if key not in raw]
    found += [f"unknown key {key!r}" for key in raw if key not in REQUIRED + OPTIONAL]
    if not ID.fullmatch(str(raw.get("id", ""))):
        found.append("id: a-z, 0-9 and single hyphens")
    if not str(raw.get("fact", "")).strip():
        found.append("'fact' says the fact in a sentence")
    for key in ("sources", "used_by", "figures", "hours"):
        if not _strings(raw, key) or (key == "sources" and not raw.get(key)):
            found.append(f"{key!r} is a list of text" + (", at least one" if key == "sources" else ""))
    checked = raw.get("checked", today)
    if not isinstance(checked, date) or checked > today:
        found.append("'checked' is the day the sources were read (YYYY-MM-DD), not in the future")
    if "dial" in raw and "number" not in raw:
        found.append("'dial' goes with the 'number' it is dialled for")
    phone = raw.get("dial", raw.get("number"))
    if phone is not None and not (isinstance(phone, str) and is_uk_number(phone)):
        found.append(f"{phone!r} is not a UK phone number")
    if not isinstance(raw.get("free", False), bool):
        found.append("'free' is true or false")
    if _strings(raw, "hours"):
        try:
            opening_hours.parse(raw.get("hours", []))
        except ValueError as error:
            found.append(f"hours: {error}")
    return found


def read(content_dir, today=None):
    """Read and check content/sources.toml; return (Register or None, problems)."""
    today, path = today or date.today(), Path(content_dir) / FILE
    raws, _, problems = read_entries(path, "fact", lambda raw: fact_problems(raw, today))
    if raws == [] and not problems:
        problems.append(Problem(path, 1, "no [[fact]] entries"))
    if problems:
        return None, problems
    return Register([_fact(raw) for raw in raws]), []


def _fact(raw):
    tuples = {key: tuple(raw[key]) for key in ("sources", "used_by", "figures", "hours") if key in raw}
    return Fact(**{**raw, **tuples})


def register():
    """The register loaded for the running app."""
    return current_app.extensions["sources"]


def fact(fact_id):
    """One fact, for templates: fact("rape-crisis-line").number. fact_check.py checks every id at start-up."""
    return register()[fact_id]


def load(content_dir):
    """Read and check the register; raise ContentError listing every problem."""
    loaded, problems = read(content_dir)
    if problems:
        raise ContentError(problems)
    return loaded


def init_app(app):
    app.extensions["sources"] = load(app.config["CONTENT_DIR"])
    app.jinja_env.globals["fact"] = fact
