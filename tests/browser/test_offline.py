"""Offline after one scan, in real Chromium: the pack, the time-out, updates, removal, install."""

import shutil
import time

import pytest
from flask_babel import force_locale, gettext

from app import create_app
from safernights import content, languages, offline_pack

from ..conftest import APP, ROOT
from .conftest import CHROMIUM_FLAGS, PHONE, Server, chromium_path

# Wait until the service worker has saved a language's whole pack in a cache not named in `old`;
# return the names of the caches then.
WAIT_FOR_PACK = """async ([lang, urls, old]) => {
  await navigator.serviceWorker.ready;
  for (let tries = 0; tries < 200; tries++) {
    for (const name of await caches.keys()) {
      if (name.startsWith('pages-') && name.endsWith('-' + lang) && !old.includes(name)) {
        const saved = (await (await caches.open(name)).keys()).map((r) => new URL(r.url).pathname);
        if (urls.every((url) => saved.includes(url))) return await caches.keys();
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the pack was not saved');
}"""


WAIT_FOR_OLD_CACHES_GONE = """async (old) => {
  while ((await caches.keys()).some((name) => old.includes(name))) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}"""


def pack(lang):
    with APP.test_request_context():
        return offline_pack.pack(APP.extensions["content"], APP.extensions["directory"], lang)


def translated(lang, message):
    with APP.test_request_context(), force_locale(languages.REGISTRY[lang].locale):
        return gettext(message)


def save_pack(page, base, lang, first_page, old=()):
    page.goto(base + first_page)
    return page.evaluate(WAIT_FOR_PACK, [lang, pack(lang), list(old)])


@pytest.mark.parametrize(("lang", "first_page"), [("pl", "/pl/consent"), ("ar", "/ar/get-help")])
def test_one_visit_saves_every_page_of_the_language(context, page, live_server, lang, first_page):
    save_pack(page, live_server, lang, first_page)
    context.set_offline(True)
    library = APP.extensions["content"]
    for url in pack(lang):
        page.goto(live_server + url)
        assert page.locator("html").get_attribute("lang") == lang
        if url.endswith("/offline"):
            continue
        slug = url.split("/")[2] or content.HOME
        if slug in library.slugs:
            assert page.locator("h1").inner_text() == library.get(lang, slug).title


def test_an_unvisited_language_offline_shows_the_offline_page(context, page, live_server):
    save_pack(page, live_server, "pl", "/pl/consent")
    context.set_offline(True)
    page.goto(live_server + "/el/staff")
    assert page.locator("h1").inner_text() == translated("pl", "No signal")
    saved = page.locator("main nav a")
    assert saved.count() == len(APP.extensions["content"].topics("pl"))
    assert saved.first.get_attribute("href").startswith("/pl/")


def test_a_poster_scanned_with_no_signal_shows_what_is_saved(context, page, live_server):
    save_pack(page, live_server, "pl", "/pl/consent")
    context.set_offline(True)
    page.goto(live_server + "/q/staff")
    assert page.locator("h1").inner_text() == translated("pl", "No signal")


def test_a_hanging_network_falls_back_within_the_time_out(context, page, live_server):
    save_pack(page, live_server, "pl", "/pl/")
    hanging = []
    context.route("**/pl/staff", lambda route: hanging.append(route))  # never answered: no signal
    context.route("**/es/staff", lambda route: hanging.append(route))
    started = time.monotonic()
    page.goto(live_server + "/pl/staff")
    assert page.locator("h1").inner_text() == APP.extensions["content"].get("pl", "staff").title
    page.goto(live_server + "/es/staff")  # not saved, not reachable
    assert page.locator("h1").inner_text() == translated("pl", "No signal")
    assert len(hanging) == 2
    # Two fall-backs, each after the service worker's 3 s time-out; the network never answered.
    assert time.monotonic() - started < 15


def test_a_content_change_reaches_the_phone_on_its_next_visit(
    context, page, own_server, tmp_path, monkeypatch
):
    old = save_pack(page, own_server.url, "pl", "/pl/consent")
    folder = tmp_path / "content"
    shutil.copytree(ROOT / "content", folder)
    changed = folder / "pl" / "consent.md"
    changed.write_text(changed.read_text().replace("title: ", "title: Nowe: ", 1))
    monkeypatch.setenv("CONTENT_DIR", str(folder))
    own_server.app = create_app()  # a deploy
    save_pack(page, own_server.url, "pl", "/pl/", old=old)
    page.evaluate(WAIT_FOR_OLD_CACHES_GONE, old)  # the new worker is active
    context.set_offline(True)
    page.goto(own_server.url + "/pl/consent")
    assert page.locator("h1").inner_text().startswith("Nowe: ")


def test_remove_this_site_leaves_no_worker_and_no_caches(page, live_server):
    save_pack(page, live_server, "en", "/en/staying-safe-online")
    page.get_by_role("link", name="Remove this site from this phone").click()
    page.wait_for_url("**/en/forget")
    page.wait_for_timeout(500)  # this page must not register the worker again
    assert page.evaluate("navigator.serviceWorker.getRegistrations().then((r) => r.length)") == 0
    assert page.evaluate("caches.keys()") == []
    assert page.locator("h1").inner_text() == "This site has been removed from this phone"
    # Going back into the site from here, in this tab, saves nothing again.
    page.locator(".brand").click()
    page.wait_for_url(live_server + "/en/")
    page.wait_for_timeout(500)
    assert page.evaluate("navigator.serviceWorker.getRegistrations().then((r) => r.length)") == 0
    assert page.evaluate("caches.keys()") == []


def test_the_filtered_directory_opens_offline_filtered_on_the_phone(context, page, live_server):
    """Polish reader, no signal in the toilets, opens the address the filter wrote earlier."""
    save_pack(page, live_server, "pl", "/pl/consent")
    context.set_offline(True)
    page.goto(live_server + "/pl/services?need=spiking&open=now")
    assert page.locator("h1").inner_text() == translated("pl", "Who to call")
    assert page.locator("[data-right-now='spiking']").is_visible()
    assert page.locator("#need").input_value() == "spiking"
    shown = page.locator(".services > li:not([hidden])")
    assert 1 <= shown.count() < page.locator(".services > li").count()
    for card in shown.all():
        assert "spiking" in card.get_attribute("data-needs").split()


def test_remove_without_javascript_answers_with_clear_site_data(browser, live_server):
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    page.goto(live_server + "/en/staying-safe-online")
    with page.expect_response("**/en/forget") as answer:
        page.locator("a[href='forget']").click()
    assert answer.value.all_headers()["clear-site-data"] == '"cache", "storage"'
    context.close()


def test_clear_site_data_alone_removes_the_worker_and_its_caches(page, live_server):
    save_pack(page, live_server, "en", "/en/")
    page.goto(live_server + "/en/forget")  # as the link does when no JavaScript runs
    page.wait_for_function("navigator.serviceWorker.getRegistrations().then((r) => r.length === 0)")
    assert page.evaluate("caches.keys()") == []


def test_nothing_but_pages_and_static_files_is_saved(page, live_server):
    save_pack(page, live_server, "en", "/en/")
    page.goto(live_server + "/en/forget?not-really")  # never saved, even when visited
    page.goto(live_server + "/en/consent")
    saved = page.evaluate(
        "(async () => (await Promise.all((await caches.keys()).map(async (n) =>"
        " (await (await caches.open(n)).keys()).map((r) => new URL(r.url).pathname)))).flat())()"
    )
    assert not [url for url in saved if "forget" in url]
    assert all(url.startswith(("/static/", "/en/")) for url in saved)


def test_the_dashboard_never_registers_the_service_worker(browser, tmp_path):
    """The campaign team signs in on a shared computer: nothing of the dashboard is kept on it."""
    app = create_app(
        {"ADMIN_TOKEN": "campaign-team-token-0123", "DATABASE_URL": f"sqlite:///{tmp_path}/s.db"}
    )
    server = Server(app)
    context = browser.new_context(
        http_credentials={"username": "team", "password": "campaign-team-token-0123"}
    )
    page = context.new_page()
    try:
        assert page.goto(server.url + "/admin/scans").status == 200
        page.wait_for_load_state("load")
        assert page.evaluate("navigator.serviceWorker.getRegistrations().then((all) => all.length)") == 0
        page.goto(server.url + "/en/")  # a reader's page on the same browser still registers it
        assert page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    finally:
        context.close()
        server.stop()


def test_without_a_service_worker_the_site_works_as_before(browser, live_server):
    context = browser.new_context(service_workers="block", viewport=PHONE)
    page = context.new_page()
    for url in pack("en"):
        assert page.goto(live_server + url).status == 200
    context.close()


def test_chromium_finds_the_site_installable(playwright, live_server, tmp_path):
    # getInstallabilityErrors needs a real profile on disk.
    context = playwright.chromium.launch_persistent_context(
        tmp_path / "profile", executable_path=chromium_path(), args=CHROMIUM_FLAGS, viewport=PHONE
    )
    page = context.new_page()
    save_pack(page, live_server, "fa", "/fa/")
    session = context.new_cdp_session(page)
    assert session.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
    manifest = session.send("Page.getAppManifest")
    assert manifest["errors"] == []
    context.close()
