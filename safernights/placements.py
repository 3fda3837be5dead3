"""Placements: where the campaign team has hung which poster, each with its own short QR code.

Added and edited on the dashboard and kept in the database beside the counts. A placement is never
deleted, only retired, so its code keeps working on the wall and never comes to mean another one.
Scans look placements up in a per-worker cache (Cache), read again in the background, never with a
query of their own.
"""

import logging
import re
import secrets
import time
import unicodedata
from dataclasses import dataclass
from datetime import date

from flask import current_app

from safernights import background, languages, qr_codes

# poster -> (the page its code opens, its name on the dashboard)
POSTERS = {
    "consent": ("consent", "Consent"),
    "drink-and-consent": ("drink-and-consent", "Drink and consent"),
    "staff": ("staff", "Staff"),
    "get-help": ("get-help", "Get help"),
    "look-out": ("look-out", "Look out"),
    "report": ("report", "Report"),
    "help": ("get-help", "Help is available (languages)"),
}
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: someone may type it from the print
LENGTH = 5  # 31⁵ ≈ 28.6 million codes, and /q/ plus 5 characters keeps the QR code small
ATTEMPTS = 20  # new codes tried before giving up; a collision is one in millions
VENUE_LENGTH, NOTE_LENGTH = 120, 500  # characters
RELOAD = 1  # seconds: a new placement, an edit or a retirement reaches every worker within this
DAY = re.compile(r"\d{4}-\d{2}-\d{2}")  # what a browser's date field sends
COLUMNS = "code, venue, poster, lang, up, down, note, retired"


@dataclass(frozen=True)
class Placement:
    code: str
    venue: str
    poster: str
    lang: str
    up: date
    down: date | None
    note: str
    retired: bool

    @property
    def poster_name(self):
        return POSTERS[self.poster][1]

    @property
    def label(self):
        return f"{self.venue}: {self.poster_name} poster"

    def as_code(self):
        return qr_codes.Code(self.code, POSTERS[self.poster][0], self.label, self.retired, self.lang)


def from_row(code, venue, poster, lang, up, down, note, retired):
    # SQLite gives dates back as text, PostgreSQL as dates.
    day = date.fromisoformat if isinstance(up, str) else lambda value: value
    return Placement(code, venue, poster, lang, day(up), down and day(down), note, bool(retired))


def every(database=None):
    """Every placement, newest first, from the app's database (or the one given, outside a request)."""
    rows = (database or store()).execute(f"SELECT {COLUMNS} FROM placements ORDER BY up DESC, code")
    return [from_row(*row) for row in rows]


def find(code):
    """One placement, read afresh (the dashboard shows what is stored now); None if there is none."""
    rows = store().execute(f"SELECT {COLUMNS} FROM placements WHERE code = ?", (code,))
    return from_row(*rows[0]) if rows else None


def text(form, field, limit, errors, message):
    """A one-line text field, white space folded and control characters taken out (the form shows
    it again); a message in errors if it is too long or held any."""
    value = " ".join(form.get(field, "").split())
    clean = "".join(c for c in value if unicodedata.category(c) != "Cc")
    if len(clean) > limit or clean != value:
        errors[field] = message
    return clean


def day(form, field, errors, message):
    """A YYYY-MM-DD field as a date; None when it is empty; a message in errors if it is not a date."""
    value = form.get(field, "").strip()
    if not value:
        return None
    try:
        if DAY.fullmatch(value):
            return date.fromisoformat(value)
    except ValueError:
        pass
    errors[field] = message
    return None


def read_changes(form, up, errors):
    """The fields a placement's page can change: date down, note, retired."""
    down = day(form, "down", errors, "Date down: give a date such as 2027-03-31, or leave it empty.")
    if down and up and down < up:
        errors["down"] = "The date down cannot be before the date the poster went up."
    note = text(form, "note", NOTE_LENGTH, errors, f"Note: up to {NOTE_LENGTH} characters, plain text.")
    return {"down": down, "note": note, "retired": form.get("retired") == "yes"}


def read_new(form):
    """(values, errors) from the form adding a placement; errors by field, in plain words."""
    errors = {}
    message = f"Say where the poster hangs, in up to {VENUE_LENGTH} characters of plain text."
    venue = text(form, "venue", VENUE_LENGTH, errors, message)
    if not venue:
        errors["venue"] = message
    poster = form.get("poster", "")
    if poster not in POSTERS:
        errors["poster"] = "Choose which poster it is."
    lang = form.get("lang", "")
    if lang not in languages.REGISTRY:
        errors["lang"] = "Choose the language the poster is printed in."
    up = day(form, "up", errors, "Date up: give the date the poster went up, such as 2027-01-15.")
    if up is None:
        errors.setdefault("up", "Date up: give the date the poster went up, such as 2027-01-15.")
    values = {"venue": venue, "poster": poster, "lang": lang, "up": up, **read_changes(form, up, errors)}
    return values, errors


def random_code():
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def add(values, new_code=random_code):
    """Store a new placement under a code no other code has or had; return the code."""
    taken = qr_codes.codes()  # built in and qr.toml: a placement may never shadow one
    for _ in range(ATTEMPTS):
        code = new_code()
        if code in taken:
            continue
        # The primary key refuses a code any placement has (they are never deleted, so never reused).
        inserted = store().execute(
            f"INSERT INTO placements ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (code) DO NOTHING RETURNING code",
            (code, values["venue"], values["poster"], values["lang"], values["up"].isoformat(),
             values["down"] and values["down"].isoformat(), values["note"], int(values["retired"])),
        )  # fmt: skip
        if inserted:
            cache().refresh()
            return code
    raise RuntimeError(f"no free placement code in {ATTEMPTS} tries")


def change(code, values):
    """Change a placement's date down, note and whether it is retired."""
    store().execute(
        "UPDATE placements SET down = ?, note = ?, retired = ? WHERE code = ?",
        (values["down"] and values["down"].isoformat(), values["note"], int(values["retired"]), code),
    )
    cache().refresh()


class Cache:
    """This worker's copy of the placements by code, read again every RELOAD seconds by the
    background thread (background.py), never on a reader's request: a scan of a placement's code
    needs no query, and a stuck database never holds one up. This worker's own edits are in it at
    once (add and change refresh it)."""

    def __init__(self, load, clock=time.monotonic):
        self.load, self.clock = load, clock
        self.by_code = {}
        self.loaded_at = float("-inf")
        self.failed_at = float("-inf")  # last logged failure: one line a minute, not one a second
        background.jobs.add(self)

    def get(self, code):
        background.jobs.start()
        return self.by_code.get(code)

    def tick(self):
        if self.clock() - self.loaded_at >= RELOAD:
            self.refresh()

    def refresh(self):
        try:
            self.by_code = {placement.code: placement for placement in self.load()}
        except Exception:  # any database failure: keep what we had, so known posters still open
            if self.clock() - self.failed_at >= 60:
                self.failed_at = self.clock()
                logging.getLogger(__name__).exception("could not read the placements; will try again")
        self.loaded_at = self.clock()


def poster_of(code):
    """Which poster a placement's code was printed on; None for a code that is not a placement's."""
    placement = cache().get(code)
    return placement.poster if placement else None


def store():
    return current_app.extensions["database"]


def cache():
    return current_app.extensions["placements"]


def init_app(app):
    """Call after migrations.init_app. The cache is filled here, before gunicorn forks, so every
    worker starts with the placements; then each worker's background thread keeps it fresh."""
    database = app.extensions["database"]
    cache = app.extensions["placements"] = Cache(lambda: every(database))
    cache.refresh()
    database.close()  # no worker may inherit the connection that read them
