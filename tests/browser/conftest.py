"""Real-browser fixtures: the app served on 127.0.0.1, Debian's Chromium driven by Playwright.

Chromium is never downloaded: Playwright launches the system binary. A missing Chromium fails the
tests with what to install; it never skips them.
"""

import os
import shutil
import threading

import pytest
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from app import create_app

PHONE = {"width": 360, "height": 740}
CHROMIUM_FLAGS = [
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def chromium_path():
    path = os.environ.get("CHROMIUM") or shutil.which("chromium")
    if not path:
        pytest.fail("Chromium is missing: `make test` installs it as root, or run `apt-get install chromium`")
    return path


@pytest.fixture(scope="session")
def live_server():
    """The site, served by a real HTTP server in a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, create_app(), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def context(browser):
    """A fresh phone-sized browsing context; no request may leave 127.0.0.1 unless a test routes it."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def page(context):
    return context.new_page()
