"""A first visit on a weak signal: Chromium behind bench/throttle.py, timed to its first paint and
until its service worker has saved the whole pack, with the limits the link alone allows; and the
bytes of each language's pack on the wire. Used by bench/run.py.
"""

import re
import shutil
import socket
import urllib.request

from playwright.sync_api import sync_playwright

from bench.throttle import ThrottlingProxy
from safernights import languages

WEAK_SIGNAL = {"bits_per_second": 400_000, "round_trip": 0.4}  # issue 4: 400 kbit/s, 400 ms


def on_the_wire(port, path, encodings="gzip, deflate, br"):
    """Every byte of the answer to one request, its status line and headers included."""
    with socket.create_connection(("127.0.0.1", port)) as connection:
        connection.sendall(
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Encoding: {encodings}\r\n"
            "Connection: close\r\n\r\n".encode()
        )
        return sum(len(chunk) for chunk in iter(lambda: connection.recv(65536), b""))


def text(port, path):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}") as response:  # not compressed
        return response.read().decode()


def offline_packs(port):
    """Bytes on the wire of each language's pack, in one answer as the worker asks for it."""
    version = re.search(r'const VERSION = "(\w+)";', text(port, "/sw.js")).group(1)
    return {lang: on_the_wire(port, f"/pack/{version}/{lang}.json") for lang in languages.REGISTRY}


# In the page's own clock (ms since the navigation began): its first paint, and when the worker is
# active, which is after its install step has saved the whole pack.
PAINTED = "performance.getEntriesByName('first-contentful-paint')[0].startTime"
SAVED = "navigator.serviceWorker.ready.then(() => performance.now())"


def time_to_save_pack(port, first_page="/pl/consent"):
    """Seconds from the start of a first visit on a weak signal to the first paint, and from the
    first paint until the pack is saved; the caches then."""
    proxy = ThrottlingProxy(port, **WEAK_SIGNAL)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=shutil.which("chromium"),
                args=["--disable-background-networking", "--disable-component-update", "--no-first-run"],
            )
            page = browser.new_page(viewport={"width": 360, "height": 740})
            page.goto(f"http://127.0.0.1:{proxy.port}{first_page}")
            saved = page.evaluate(SAVED) / 1000
            painted = page.evaluate(PAINTED) / 1000
            names = page.evaluate("caches.keys()")
            browser.close()
    finally:
        proxy.stop()
    return painted, saved - painted, names


def weak_signal_limits(port, first_page, pack_bytes):
    """What the link alone allows, as the proxy models it (a round trip and the bytes for each
    request, no TCP handshake): the page, then its CSS and script; then the worker's script, then
    the pack."""
    html = text(port, first_page)
    blocking = re.findall(r'(?:href|src)="(/static/[^"]+\.(?:css|js))"', html)
    round_trip, per_byte = WEAK_SIGNAL["round_trip"], 8 / WEAK_SIGNAL["bits_per_second"]
    shown = 2 * round_trip + per_byte * sum(on_the_wire(port, path) for path in [first_page, *blocking])
    saved = 2 * round_trip + per_byte * (on_the_wire(port, "/sw.js") + pack_bytes)
    return shown, saved
