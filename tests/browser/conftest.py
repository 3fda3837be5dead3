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
from safernights.print_pdf import CHROMIUM_FLAGS

from ..conftest import APP

PHONE = {"width": 360, "height": 740}
OVERFLOWING = """() => [...document.querySelectorAll('body *')]
  .map(e => [e, e.getBoundingClientRect()])
  .filter(([, r]) => r.width > 0 && (r.left < -0.5 || r.right > window.innerWidth + 0.5))
  .map(([e]) => e.tagName + ' ' + e.textContent.trim().slice(0, 30))"""


def assert_fits_phone(page, screenshot_path):
    """Screenshot the whole page; no element may stick out of the viewport, nothing scrolls sideways."""
    screenshot = page.screenshot(path=screenshot_path, full_page=True)
    assert len(screenshot) > 10_000
    assert page.evaluate(OVERFLOWING) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def chromium_path():
    path = os.environ.get("CHROMIUM") or shutil.which("chromium")
    if not path:
        pytest.fail("Chromium is missing: `make test` installs it as root, or run `apt-get install chromium`")
    return path


class Server:
    """A real HTTP server in a thread, whose app a test may swap (a deploy, for the update flow)."""

    def __init__(self, app):
        self.app = app
        self._server = make_server(
            "127.0.0.1", 0, lambda environ, start: self.app(environ, start), threaded=True
        )
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self._server.server_port}"

    def stop(self):
        self._server.shutdown()


@pytest.fixture(scope="session")
def live_server():
    """The site on 127.0.0.1 (the app the other tests use); yields its base URL."""
    server = Server(APP)
    yield server.url
    server.stop()


@pytest.fixture
def own_server():
    """A server of the test's own, for tests that change the site while it runs."""
    server = Server(create_app())
    yield server
    server.stop()


@pytest.fixture(scope="session")
def playwright():
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright):
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
