"""Print-ready PDFs of every poster, card sheet and staff checklist, made by Chromium's own printing.

Chromium because it is the engine that shows the preview, so the PDF is the page a partner sees;
the tests need it already; and it shapes complex scripts (Arabic, Persian, Devanagari, Chinese)
best of the engines that print HTML. The app is served on 127.0.0.1 in a thread while Chromium
prints each sheet at the paper size its stylesheet asks for (@page), backgrounds included.
"""

import os
import shutil
import threading
from contextlib import contextmanager
from dataclasses import dataclass

from werkzeug.serving import WSGIRequestHandler, make_server

from safernights import languages, qr_codes

# Chromium without its background traffic: printing must not call anywhere.
CHROMIUM_FLAGS = [
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
POSTER_SIZES = ("a4", "a3", "a5")


@dataclass(frozen=True)
class Sheet:
    path: str  # the print page on the site
    name: str  # its PDF's file name
    paper: str  # a4, a3 or a5
    code: str  # the QR code printed on it
    lang: str
    kind: str  # poster, help, cards or staff-checklist


def poster_codes(library):
    """The topic posters' codes: every topic whose English page has a poster headline."""
    return [page.slug for page in library.topics(languages.DEFAULT) if page.poster]


def sheets(app, langs=None):
    """Every sheet to print: each poster and the languages poster in each size, the card sheet
    and the staff checklist, in each language (or only those in langs)."""
    found = []
    for lang in langs or languages.REGISTRY:
        for size in POSTER_SIZES:
            for code in poster_codes(app.extensions["content"]):
                found.append(
                    Sheet(
                        f"/print/poster/{code}?lang={lang}&size={size}",
                        f"{lang}/poster-{code}-{size}.pdf",
                        size,
                        code,
                        lang,
                        "poster",
                    )
                )
            found.append(
                Sheet(
                    f"/print/help?lang={lang}&size={size}",
                    f"{lang}/help-{size}.pdf",
                    size,
                    "get-help",
                    lang,
                    "help",
                )
            )
        found.append(
            Sheet(f"/print/cards?lang={lang}", f"{lang}/cards.pdf", "a4", qr_codes.CARD, lang, "cards")
        )
        found.append(
            Sheet(
                f"/print/staff-checklist?lang={lang}",
                f"{lang}/staff-checklist.pdf",
                "a4",
                "staff",
                lang,
                "staff-checklist",
            )
        )
    return found


class Quiet(WSGIRequestHandler):
    """No line per request: the command prints the files it writes."""

    def log_request(self, *args):
        pass


@contextmanager
def serving(app):
    """The app on a free port of 127.0.0.1, in a thread, for as long as the block runs; its URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


def launch(playwright):
    """Debian's Chromium (never a downloaded one); without its sandbox only when run as root, which
    Chromium refuses otherwise."""
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    flags = CHROMIUM_FLAGS + (["--no-sandbox"] if os.geteuid() == 0 else [])
    return playwright.chromium.launch(executable_path=path, args=flags)


def pdf(page, url):
    """One sheet as Chromium prints it: the paper size from its @page rule, backgrounds included."""
    page.goto(url)
    page.emulate_media(media="print")
    return page.pdf(prefer_css_page_size=True, print_background=True)


def write_all(app, folder, langs=None):
    """Write every sheet's PDF under folder (one sub-folder per language); yield each path."""
    from playwright.sync_api import sync_playwright  # a test tool: only this command needs it

    with serving(app) as base, sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_context(service_workers="block").new_page()  # no worker saving the site
        for sheet in sheets(app, langs):
            target = folder / sheet.name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(pdf(page, base + sheet.path))
            yield target
        browser.close()
