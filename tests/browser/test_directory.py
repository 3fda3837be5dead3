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
    page.select_option("#need", "image-abuse")
    assert shown(page) == ["Revenge Porn Helpline"]
    assert page.evaluate("window.notReloaded") is True
    assert page.url.endswith("/en/services?need=image-abuse")
    assert page.locator("[data-count]").inner_text() == f"Showing 1 of {len(everything)}"
    page.select_option("#need", "")
    assert shown(page) == everything
    assert page.locator("form[data-filters] button").count() == 0  # nothing to press: it filters at once


GALOP = f"{CARDS}:has-text('Galop')"


def test_open_now_is_worked_out_on_the_phone(page, live_server):
    page.clock.set_fixed_time("2026-11-22T12:00:00Z")  # a Sunday: Galop is closed
    page.goto(live_server + "/en/services?need=lgbt")
    page.check("input[name=open]")
    assert "Galop LGBT+ Rape and Sexual Abuse Helpline" not in shown(page)
    assert "Rape Crisis 24/7 Support Line" in shown(page)  # never an empty list at any hour
    page.clock.set_fixed_time("2026-11-23T12:00:00Z")  # Monday noon: open
    page.uncheck("input[name=open]")
    page.check("input[name=open]")
    assert "Galop LGBT+ Rape and Sexual Abuse Helpline" in shown(page)
    assert page.locator(f"{GALOP} .availability").inner_text() == "Open now"


# Galop answers Monday to Thursday from 10:00 to 20:30, UK time: each instant is on the wrong side of
# a boundary if the phone forgets British Summer Time, or keeps it after the clocks go back.
@pytest.mark.parametrize(
    ("instant", "state"),
    [
        ("2026-07-06T09:30:00Z", "is-open"),  # Monday 10:30 BST
        ("2026-07-06T19:45:00Z", "is-closed"),  # Monday 20:45 BST
        ("2026-03-30T09:30:00Z", "is-open"),  # the day after the clocks go forward: 10:30 BST
        ("2026-10-26T09:30:00Z", "is-closed"),  # the day after they go back: 09:30 GMT
    ],
)
def test_open_now_follows_uk_summer_time(page, live_server, instant, state):
    page.clock.set_fixed_time(instant)
    page.goto(live_server + "/en/services?need=lgbt")
    assert state in page.locator(f"{GALOP} .availability").get_attribute("class").split()


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
