"""Every language on a phone: the home page renders in its script without overflowing, and the
Exit button stays at the top right, where thumbs expect it, in right-to-left languages too."""

import pytest

from safernights import languages

from .conftest import assert_fits_phone


@pytest.mark.parametrize("code", languages.REGISTRY)
def test_home_page_fits_a_phone_in_every_language(page, live_server, code, tmp_path):
    page.goto(f"{live_server}/{code}/")
    assert_fits_phone(page, tmp_path / f"home-{code}.png")


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
