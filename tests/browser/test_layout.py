"""The layout on a small phone: nothing scrolls sideways, text is big enough, targets easy to hit."""

import pytest

from ..conftest import PAGES, path_of

PATHS = [path_of(page) for page in PAGES if page.lang == "en"] + ["/en/services", "/en/services/galop"]
SMALLEST_PHONE = {"width": 320, "height": 640}

# Every link and button on screen, with its size; the skip link is parked off screen until focused.
TARGETS = """() => [...document.querySelectorAll('a, button')]
  .map(e => [e.textContent.trim().slice(0, 40), e.getBoundingClientRect()])
  .filter(([, r]) => r.bottom > 0 && r.width > 0)
  .map(([text, r]) => [text, Math.round(r.width), Math.round(r.height)])"""
TEXT_SIZES = """() => [...document.querySelectorAll('body *')]
  .filter(e => [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()))
  .filter(e => e.getClientRects().length)
  .map(e => [e.tagName, e.textContent.trim().slice(0, 30), parseFloat(getComputedStyle(e).fontSize)])"""


@pytest.mark.parametrize("path", PATHS)
def test_nothing_scrolls_sideways_at_320_pixels(page, live_server, path):
    page.set_viewport_size(SMALLEST_PHONE)
    page.goto(live_server + path)
    assert page.evaluate("document.documentElement.scrollWidth") <= SMALLEST_PHONE["width"]


@pytest.mark.parametrize("path", PATHS)
def test_text_is_at_least_16_pixels(page, live_server, path):
    page.goto(live_server + path)
    small = [(tag, text, size) for tag, text, size in page.evaluate(TEXT_SIZES) if size < 16]
    assert small == []


@pytest.mark.parametrize("path", PATHS)
def test_tap_targets_are_at_least_44_pixels(page, live_server, path):
    page.goto(live_server + path)
    small = [(text, w, h) for text, w, h in page.evaluate(TARGETS) if w < 44 or h < 44]
    assert small == []


def test_staff_checklist_prints_without_the_site_furniture(page, live_server):
    page.goto(live_server + "/en/staff")
    page.emulate_media(media="print")
    assert not page.locator(".exit").is_visible()
    assert not page.locator(".strip").is_visible()
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(255, 255, 255)"
    assert page.locator("h1").is_visible()
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
