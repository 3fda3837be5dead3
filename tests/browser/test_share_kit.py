"""The share kit on a phone, left-to-right and right-to-left: nothing overflows, Copy copies."""

import pytest

from .conftest import assert_fits_phone


@pytest.mark.parametrize("code", ["en", "ar"])
def test_share_kit_fits_a_phone(page, live_server, code, tmp_path):
    page.goto(f"{live_server}/{code}/partners")
    assert_fits_phone(page, tmp_path / f"partners-{code}.png")


def test_copy_puts_the_sentence_on_the_clipboard(context, page, live_server):
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    page.goto(f"{live_server}/en/partners")
    sentence = page.locator("p.paste").first
    page.locator("p.paste + button.copy").first.click()
    assert page.evaluate("navigator.clipboard.readText()") == sentence.inner_text()
    assert page.locator("p.paste + button.copy").first.inner_text() == "Copied"
