"""Every language on a phone: the home page renders in its script without overflowing, and the
Exit button stays at the top right, where thumbs expect it, in right-to-left languages too."""

import pytest

from safernights import languages

OVERFLOWING = """() => [...document.querySelectorAll('body *')]
  .map(e => [e, e.getBoundingClientRect()])
  .filter(([, r]) => r.width > 0 && (r.left < -0.5 || r.right > window.innerWidth + 0.5))
  .map(([e]) => e.tagName + ' ' + e.textContent.trim().slice(0, 30))"""


@pytest.mark.parametrize("code", languages.REGISTRY)
def test_home_page_fits_a_phone_in_every_language(page, live_server, code, tmp_path):
    page.goto(f"{live_server}/{code}/")
    screenshot = page.screenshot(path=tmp_path / f"home-{code}.png", full_page=True)
    assert len(screenshot) > 10_000
    assert page.evaluate(OVERFLOWING) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


@pytest.mark.parametrize("code", ["en", "ar", "fa"])
def test_exit_button_stays_top_right(page, live_server, code):
    page.goto(f"{live_server}/{code}/get-help")
    box = page.locator("[data-exit]").bounding_box()
    assert box["y"] == 0
    assert abs(box["x"] + box["width"] - page.viewport_size["width"]) < 1
    page.mouse.wheel(0, 2000)
    page.wait_for_timeout(100)
    assert page.locator("[data-exit]").bounding_box()["y"] == 0  # sticky: still there after scrolling


def test_right_to_left_page_mirrors_the_layout(page, live_server):
    page.goto(f"{live_server}/ar/")
    brand = page.locator(".brand").bounding_box()
    language = page.locator(".language-link").bounding_box()
    assert brand["x"] > language["x"]  # the site name starts on the right
    number = page.locator(".strip .tel-number").first
    assert number.evaluate("e => getComputedStyle(e).direction") == "ltr"
