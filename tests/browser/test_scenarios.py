"""Scenarios: a person, a moment, a language, and what must be on the first screen of their phone.

The phone's clock is Playwright's; the server's is directory.now, set by the test (the server runs
in this process). Every scenario is judged on a 390 × 844 screen, the first screen only.
"""

from datetime import datetime

import pytest

from safernights import directory, languages
from safernights.opening_hours import LONDON

from ..conftest import APP

FIRST_SCREEN = {"width": 390, "height": 844}
REGISTER = APP.extensions["sources"]


def dial(fact_id):
    return f"a[href='{REGISTER[fact_id].href}']"


def on_first_screen(page, selector):
    """Some element matching selector is visible, wholly within the first screen, without scrolling."""
    boxes = [box for box in (item.bounding_box() for item in page.locator(selector).all()) if box]
    return any(box["y"] >= 0 and box["y"] + box["height"] <= FIRST_SCREEN["height"] for box in boxes)


@pytest.fixture
def at(monkeypatch):
    """Set both clocks: at("2026-11-28 02:00") is that time in the UK, on the server and the phone."""

    def set_clocks(when, page=None):
        moment = datetime.fromisoformat(when).replace(tzinfo=LONDON)
        monkeypatch.setattr(directory, "now", lambda: moment)
        if page is not None:
            page.clock.set_fixed_time(moment)
        return moment

    return set_clocks


@pytest.fixture(params=[True, False], ids=["javascript", "no-javascript"])
def phone(request, browser):
    """A phone-sized page, with JavaScript on (the phone's clock decides) and off (the server's)."""
    context = browser.new_context(
        viewport=FIRST_SCREEN, is_mobile=True, has_touch=True, java_script_enabled=request.param
    )
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


SCENARIOS = [
    # (who and when, language, UK time, address, the line that must be on the first screen)
    ("spiked at a club, Saturday 02:00", "pl", "2026-11-28 02:00", "need=spiking&open=now", "police-101"),
    ("under 18, Sunday 04:00", "en", "2026-11-29 04:00", "need=young-people&open=now", "childline"),
    ("a man, Tuesday 03:00", "ar", "2026-12-01 03:00", "need=men&open=now", "rape-crisis-line"),
]


@pytest.mark.parametrize(("who", "lang", "when", "query", "line"), SCENARIOS, ids=[s[0] for s in SCENARIOS])
def test_the_directory_answers_who_to_call_now_on_the_first_screen(
    phone, live_server, at, who, lang, when, query, line
):
    at(when, phone)
    phone.goto(f"{live_server}/{lang}/services?{query}")
    assert on_first_screen(phone, dial(line)), f"{who}: {REGISTER[line].number} is not on the first screen"
    assert on_first_screen(phone, dial("emergency-999"))
    # And below it, never an empty list: at least one service is shown.
    assert phone.locator(".services > li:not([hidden])").count() >= 1


@pytest.mark.parametrize("lang", languages.REGISTRY)
def test_a_card_scan_shows_the_24_7_line_on_the_first_screen(phone, live_server, lang):
    phone.set_extra_http_headers({"Accept-Language": lang})
    phone.goto(f"{live_server}/q/card")
    assert phone.url == f"{live_server}/{lang}/get-help"
    assert on_first_screen(phone, dial("rape-crisis-line"))


@pytest.mark.parametrize("lang", languages.REGISTRY)
def test_the_pages_for_a_crisis_fit_320_pixels_and_double_text(browser, live_server, lang):
    context = browser.new_context(viewport={"width": 320, "height": 640}, is_mobile=True, has_touch=True)
    page = context.new_page()
    crisis = ("services", "services?need=changing-behaviour&open=now", "get-help", "report", "staff")
    for path in (f"/{lang}/{address}" for address in crisis):
        page.goto(live_server + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, path
        page.evaluate("document.documentElement.style.fontSize = '200%'")  # text zoom, as CSP allows
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, f"{path} at 200% text"
    context.close()


def test_the_filter_switches_the_right_now_answer_without_a_reload(browser, live_server, at):
    context = browser.new_context(viewport=FIRST_SCREEN, is_mobile=True, has_touch=True)
    page = context.new_page()
    at("2026-11-28 02:00", page)
    page.goto(f"{live_server}/en/services")
    page.select_option("#need", "spiking")
    assert page.url.endswith("/en/services?need=spiking")
    assert page.locator("[data-right-now='spiking']").is_visible()
    assert not page.locator("[data-right-now='']").is_visible()
    context.close()
