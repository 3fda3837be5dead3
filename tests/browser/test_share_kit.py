"""The share kit on a phone, left-to-right and right-to-left: nothing overflows, Copy copies."""

import pytest

from .test_languages import OVERFLOWING


@pytest.mark.parametrize("code", ["en", "ar"])
def test_share_kit_fits_a_phone(page, live_server, code, tmp_path):
    page.goto(f"{live_server}/{code}/partners")
    screenshot = page.screenshot(path=tmp_path / f"partners-{code}.png", full_page=True)
    assert len(screenshot) > 10_000
    assert page.evaluate(OVERFLOWING) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def test_copy_puts_the_sentence_on_the_clipboard(context, page, live_server):
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    page.goto(f"{live_server}/en/partners")
    sentence = page.locator("p.paste").first
    page.locator("p.paste + button.copy").first.click()
    assert page.evaluate("navigator.clipboard.readText()") == sentence.inner_text()
    assert page.locator("p.paste + button.copy").first.inner_text() == "Copied"
