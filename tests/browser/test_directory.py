"""The directory in Chromium: filtering is instant with JavaScript and still works without it."""

import pytest

from .conftest import PHONE

CARDS = "li.service"


def shown(page):
    return page.locator(f"{CARDS}:visible h2").all_inner_texts()


def test_choosing_a_need_filters_at_once_without_a_reload(page, live_server):
    page.goto(live_server + "/en/services")
    everything = shown(page)
    page.evaluate("window.notReloaded = true")
    page.select_option("#need", "lgbt")
    assert shown(page) == ["Galop LGBT+ Rape and Sexual Abuse Helpline"]
    assert page.evaluate("window.notReloaded") is True
    assert page.url.endswith("/en/services?need=lgbt")
    assert page.locator("[data-count]").inner_text() == f"Showing 1 of {len(everything)}"
    page.select_option("#need", "")
    assert shown(page) == everything


def test_open_now_is_worked_out_on_the_phone(page, live_server):
    page.clock.set_fixed_time("2026-11-22T12:00:00Z")  # a Sunday: Galop is closed
    page.goto(live_server + "/en/services?need=lgbt")
    page.check("input[name=open]")
    assert shown(page) == []
    page.clock.set_fixed_time("2026-11-23T12:00:00Z")  # Monday noon: open
    page.uncheck("input[name=open]")
    page.check("input[name=open]")
    assert shown(page) == ["Galop LGBT+ Rape and Sexual Abuse Helpline"]
    assert page.locator(f"{CARDS}:visible .availability").inner_text() == "Open now"


@pytest.mark.parametrize("code", ["en", "ar"])
def test_filters_work_without_javascript(browser, live_server, code):
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server}/{code}/services")
    page.select_option("#need", "image-abuse")
    page.locator("form[data-filters] button").click()
    page.wait_for_url("**/services?need=image-abuse")
    assert shown(page) == ["Revenge Porn Helpline"]
    context.close()
