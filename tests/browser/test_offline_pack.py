"""The pack in one answer, in real Chromium: one request on a first visit, only the changed files
after a deploy, and nothing kept from a download cut off or damaged on the way."""

import shutil

from werkzeug.test import run_wsgi_app

from app import create_app
from safernights import offline_pack

from ..conftest import APP, ROOT
from .test_offline import WAIT_FOR_OLD_CACHES_GONE, pack, save_pack

# Until the worker's install has ended, well or badly: then no worker is installing.
WAIT_FOR_INSTALL_TO_END = """async () => {
  const registration = await navigator.serviceWorker.getRegistration();
  while (registration && registration.installing) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}"""
CACHED_TITLE = """async (url) => {
  const saved = await caches.match(url);
  const page = saved && new DOMParser().parseFromString(await saved.text(), 'text/html');
  return page && page.querySelector('h1').textContent;
}"""


class Noted:
    """The site, noting every address it is asked for; `fault` spoils its pack answers: "cut" ends
    one halfway, "damaged" changes one byte of a page and leaves its hash as it was, "refused"
    gives the first page an address the phone's cache will not take (its hash still checks out)."""

    def __init__(self, app, fault=None):
        self.app, self.fault, self.asked = app, fault, []

    def __call__(self, environ, start_response):
        query = environ.get("QUERY_STRING")
        self.asked.append(environ["PATH_INFO"] + (f"?{query}" if query else ""))
        if not self.fault or not environ["PATH_INFO"].startswith("/pack/"):
            return self.app(environ, start_response)
        environ["HTTP_ACCEPT_ENCODING"] = "identity"
        body, status, headers = run_wsgi_app(self.app, environ, buffered=True)
        data = b"".join(body)
        data = {
            "cut": lambda: data[: len(data) // 2],
            "damaged": lambda: data.replace(b"<h1>", b"<h1> ", 1),
            "refused": lambda: data.replace(b'"url":"/', b'"url":"ftp://example.invalid/', 1),
        }[self.fault]()
        start_response(status, [(name, value) for name, value in headers if name != "Content-Length"])
        return [data]

    def packs_asked(self):
        return [path for path in self.asked if path.startswith("/pack/")]


def deployed_with_a_new_title(tmp_path, monkeypatch):
    """The site after a deploy that retitles the Polish consent page."""
    folder = tmp_path / "content"
    shutil.copytree(ROOT / "content", folder)
    changed = folder / "pl" / "consent.md"
    changed.write_text(changed.read_text().replace("title: ", "title: Nowe: ", 1))
    monkeypatch.setenv("CONTENT_DIR", str(folder))
    return create_app()


def index_of(app, lang):
    version = app.extensions["offline_version"]
    return app.test_client().get(f"/pack/{version}/{lang}.index.json").get_json()["files"]


def install_ended(page, noted):
    """Once the worker has asked for its pack, until its install has ended, well or badly."""
    for _ in range(100):
        if noted.packs_asked():
            return page.evaluate(WAIT_FOR_INSTALL_TO_END)
        page.wait_for_timeout(100)
    raise AssertionError("the worker never asked for its pack")


def test_a_first_visit_saves_the_whole_language_in_one_request(page, own_server):
    """A Polish clubber scans the poster: the page, its CSS and script, and one answer for the rest."""
    own_server.app = noted = Noted(own_server.app)
    save_pack(page, own_server.url, "pl", "/pl/consent")
    version = APP.extensions["offline_version"]
    assert noted.packs_asked() == [f"/pack/{version}/pl.json"]
    shell = offline_pack.shell(APP.extensions["assets"])
    assert {path for path in noted.asked if path in {*pack("pl"), *shell}} == {"/pl/consent", *shell}


def test_after_a_deploy_only_the_changed_files_travel(context, page, own_server, tmp_path, monkeypatch):
    old = save_pack(page, own_server.url, "pl", "/pl/")
    before = index_of(own_server.app, "pl")
    deployed = deployed_with_a_new_title(tmp_path, monkeypatch)
    own_server.app = noted = Noted(deployed)
    save_pack(page, own_server.url, "pl", "/pl/", old=old)
    page.evaluate(WAIT_FOR_OLD_CACHES_GONE, old)
    after = index_of(deployed, "pl")
    # The home page just visited is saved as it now is by that visit, so it does not travel again.
    changed = [i for i, entry in enumerate(after) if entry not in before and entry[0] != "/pl/"]
    assert 0 < len(changed) < len(after) - 1
    version = deployed.extensions["offline_version"]
    only = ",".join(map(str, changed))
    assert noted.packs_asked() == [f"/pack/{version}/pl.index.json", f"/pack/{version}/pl.json?only={only}"]
    context.set_offline(True)
    page.goto(own_server.url + "/pl/consent")
    assert page.locator("h1").inner_text().startswith("Nowe: ")
    page.goto(own_server.url + "/pl/services/samaritans")  # unchanged, copied from the old pack
    assert page.locator("html").get_attribute("lang") == "pl"


def test_a_download_cut_off_on_a_first_visit_keeps_nothing(page, own_server):
    """The signal goes halfway through the pack: nothing half-saved, and the next visit saves it."""
    own_server.app = noted = Noted(own_server.app, fault="cut")
    page.goto(own_server.url + "/pl/consent")
    install_ended(page, noted)
    assert page.evaluate("caches.keys()") == []
    noted.fault = None
    save_pack(page, own_server.url, "pl", "/pl/consent")


def test_a_file_the_phone_will_not_save_keeps_none_of_the_pages(page, own_server):
    """One page of the pack cannot be stored: no pages are kept, and the next visit saves them all."""
    own_server.app = noted = Noted(own_server.app, fault="refused")
    page.goto(own_server.url + "/pl/consent")
    install_ended(page, noted)
    assert [name for name in page.evaluate("caches.keys()") if name.startswith("pages-")] == []
    noted.fault = None
    save_pack(page, own_server.url, "pl", "/pl/consent")


def test_a_damaged_or_cut_update_leaves_the_saved_pack_as_it_was(
    context, page, own_server, tmp_path, monkeypatch
):
    old = save_pack(page, own_server.url, "pl", "/pl/")
    deployed = deployed_with_a_new_title(tmp_path, monkeypatch)
    for fault in ("damaged", "cut"):
        own_server.app = noted = Noted(deployed, fault=fault)
        page.goto(own_server.url + "/pl/")
        install_ended(page, noted)
        assert sorted(page.evaluate("caches.keys()")) == sorted(old), fault
        assert (
            page.evaluate(CACHED_TITLE, "/pl/consent") == APP.extensions["content"].get("pl", "consent").title
        )
    context.set_offline(True)
    page.goto(own_server.url + "/pl/consent")
    assert page.locator("h1").inner_text() == APP.extensions["content"].get("pl", "consent").title
