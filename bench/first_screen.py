"""What the directory's first screen shows for each need at a given moment (default: Saturday 02:00).

    .venv/bin/python bench/first_screen.py [lang] [YYYY-MM-DDTHH:MM, UK time]

Chromium (Debian's, through Playwright) at 390 × 844, with the phone's clock and the server's both
set to the moment. For each need, with "only open now": the right-now lines wholly on the first
screen, the services shown, and where the list of them ends, in screens. Prints a Markdown table.
"""

import sys
import threading
from datetime import datetime
from pathlib import Path

from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app
from safernights import directory, needs
from safernights.opening_hours import LONDON

SCREEN = {"width": 390, "height": 844}


def on_screen(box):
    return box is not None and box["y"] + box["height"] <= SCREEN["height"]


def row(page, base, lang, need):
    page.goto(f"{base}/{lang}/services?need={need}&open=now")
    lines = page.locator(f"[data-right-now='{need}'] a.tel-button").all()
    shown = [line.locator(".tel-number").inner_text() for line in lines if on_screen(line.bounding_box())]
    cards = page.locator(".services > li:not([hidden])").all()
    names = [card.locator("h2").inner_text() for card in cards]
    ends = max((card.bounding_box()["y"] + card.bounding_box()["height"] for card in cards), default=0)
    return (
        f"| {need} | {'; '.join(shown)} | {len(cards)}: {', '.join(names)} | {ends / SCREEN['height']:.1f} |"
    )


def main(lang="en", when="2026-11-28T02:00"):
    moment = datetime.fromisoformat(when).replace(tzinfo=LONDON)
    directory.now = lambda: moment  # the server's clock, in this process
    server = make_server("127.0.0.1", 0, create_app(), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    print(f"First screen of /{lang}/services?need=…&open=now at {moment:%a %d %b %Y %H:%M} UK time\n")
    print("| need | right now, on the first screen | shown under open now | list ends at (screens) |")
    print("|---|---|---|---|")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--disable-background-networking", "--no-first-run"]
        )
        page = browser.new_context(viewport=SCREEN, is_mobile=True, has_touch=True).new_page()
        page.clock.set_fixed_time(moment)
        for need in needs.NEEDS:
            print(row(page, base, lang, need))
        browser.close()
    server.shutdown()


if __name__ == "__main__":
    main(*sys.argv[1:])
