"""Exit this page, in a real browser: the link, Shift pressed three times, and what Back does."""

import pytest

from app import create_app

EXIT_URL = create_app().config["EXIT_URL"]


@pytest.fixture
def exit_requests(context):
    """Answer the exit target locally (no network) and record the requests that reach it."""
    seen = []

    def answer(route):
        seen.append(route.request)
        route.fulfill(status=200, content_type="text/html", body="<title>Weather</title><p>Weather")

    context.route(EXIT_URL + "**", answer)
    return seen


def browse_the_site(page, live_server, lang):
    """Arrive from somewhere else, as from a QR scanner, then read three pages by tapping links."""
    page.goto("about:blank")
    page.goto(f"{live_server}/{lang}/")
    for slug in ("get-help", "consent"):
        page.locator(f"main a[href='/{lang}/{slug}']").first.click()
        page.wait_for_url(f"{live_server}/{lang}/{slug}")


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_exit_link_leaves_and_back_shows_no_page_of_this_site(page, live_server, exit_requests, lang):
    browse_the_site(page, live_server, lang)
    page.locator("[data-exit]").click()
    page.wait_for_url(EXIT_URL)
    assert "referer" not in exit_requests[0].headers
    page.go_back()
    assert not page.url.startswith(live_server), page.url


def test_shift_three_times_leaves_and_back_shows_no_page_of_this_site(page, live_server, exit_requests):
    browse_the_site(page, live_server, "en")
    for _ in range(3):
        page.keyboard.press("Shift")
    page.wait_for_url(EXIT_URL)
    assert exit_requests
    page.go_back()
    assert not page.url.startswith(live_server), page.url


def test_shift_used_for_typing_does_not_leave(page, live_server, exit_requests):
    page.goto(live_server + "/en/get-help")
    page.keyboard.press("Shift")
    page.keyboard.press("Shift+A")
    page.keyboard.press("Shift")
    page.wait_for_timeout(300)
    assert page.url == live_server + "/en/get-help"
    assert not exit_requests


def test_exit_blanks_the_page_at_once(page, live_server, exit_requests):
    page.goto(live_server + "/en/get-help")
    click_then_look = "() => { document.querySelector('[data-exit]').click(); return document.body.hidden; }"
    hidden = page.evaluate(click_then_look)
    assert hidden is True
    page.wait_for_url(EXIT_URL)


def test_exit_link_works_without_javascript(browser, live_server):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 740})
    seen = []
    context.route(EXIT_URL + "**", lambda route: seen.append(route.request) or route.fulfill(body="ok"))
    page = context.new_page()
    page.goto(live_server + "/en/get-help")
    page.get_by_role("link", name="Exit this page", exact=True).click()
    page.wait_for_url(EXIT_URL)
    assert "referer" not in seen[0].headers
    context.close()


def test_exit_is_first_in_the_tab_order(page, live_server):
    page.goto(live_server + "/en/consent")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Exit this page"
