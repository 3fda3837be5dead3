"""The web app's server side: manifests, the service worker script, the pack and its budget."""

import gzip
import json
import re
import shutil
import struct

import pytest

from app import create_app
from safernights import content, languages

from .conftest import ROOT, XHTML


def png_size(data):
    """(width, height) from a PNG's header."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize("code", languages.REGISTRY)
def test_manifest_in_every_language(client, code):
    response = client.get(f"/{code}/manifest.webmanifest")
    assert response.mimetype == "application/manifest+json"
    manifest = json.loads(response.get_data())
    home = client.application.extensions["content"].get(code, content.HOME)
    assert (manifest["name"], manifest["description"]) == (home.title, home.summary)
    assert manifest["short_name"] == client.application.config["SITE_NAME"]
    assert (manifest["lang"], manifest["dir"]) == (code, languages.REGISTRY[code].direction)
    assert (manifest["start_url"], manifest["scope"], manifest["display"]) == (f"/{code}/", "/", "standalone")
    css = client.get("/static/" + client.application.extensions["assets"]["css/site.css"]).get_data(
        as_text=True
    )
    background = re.search(r"--bg: (#[0-9a-f]{6})", css).group(1)
    assert manifest["background_color"] == manifest["theme_color"] == background


def test_manifest_icons_are_the_sizes_they_claim(client):
    manifest = json.loads(client.get("/en/manifest.webmanifest").get_data())
    purposes = set()
    for icon in manifest["icons"]:
        width, height = png_size(client.get(icon["src"]).get_data())
        assert icon["sizes"] == f"{width}x{height}"
        purposes.add((icon["purpose"], icon["sizes"]))
    assert {("any", "192x192"), ("any", "512x512"), ("maskable", "512x512")} <= purposes


def test_every_page_links_its_manifest(client):
    link = client.get("/ar/consent").document.find(f".//{XHTML}link[@rel='manifest']")
    assert link.get("href") == "/ar/manifest.webmanifest"


def test_service_worker_script(client, app):
    response = client.get("/sw.js")
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    script = response.get_data(as_text=True)
    packs = json.loads(re.search(r"const PACKS = (.*);", script).group(1))
    shell = json.loads(re.search(r"const SHELL = (.*);", script).group(1))
    assert (
        re.search(r'const VERSION = "([0-9a-f]{12})";', script).group(1) == app.extensions["offline_version"]
    )
    assert set(packs) == set(languages.REGISTRY)
    for code, urls in packs.items():
        expected = {f"/{code}/", f"/{code}/languages", f"/{code}/offline", f"/{code}/services"}
        expected |= {f"/{code}/services/{service.id}" for service in app.extensions["directory"].services}
        expected |= {f"/{code}/{slug}" for slug in app.extensions["content"].slugs if slug != content.HOME}
        assert set(urls) == expected
    assert all(client.get(url).status_code == 200 for url in shell)
    assert client.get("/sw.js", headers={"If-None-Match": response.headers["ETag"]}).status_code == 304


def test_version_changes_when_the_content_changes(tmp_path, monkeypatch, app):
    folder = tmp_path / "content"
    shutil.copytree(ROOT / "content", folder)
    monkeypatch.setenv("CONTENT_DIR", str(folder))
    assert create_app().extensions["offline_version"] == app.extensions["offline_version"]
    page = folder / "pl" / "staff.md"
    page.write_text(page.read_text() + "\n")
    assert create_app().extensions["offline_version"] != app.extensions["offline_version"]


@pytest.mark.parametrize("code", languages.REGISTRY)
def test_offline_page_lists_what_is_saved(client, code):
    document = client.get(f"/{code}/offline").document
    saved = [a.get("href") for a in document.iterfind(f".//{XHTML}main//{XHTML}a")]
    library = client.application.extensions["content"]
    assert saved == [f"/{code}/{topic.slug}" for topic in library.topics(code)]


def test_remove_this_site_clears_the_site_data(client):
    response = client.get("/pl/forget", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'
    assert response.headers["Cache-Control"] == "no-store"
    assert response.document.find(f".//{XHTML}body").get("data-forget") is not None
    assert gzip.decompress(response.get_data())


def test_staying_safe_page_offers_to_remove_the_site(client):
    document = client.get("/en/staying-safe-online").document
    assert [a for a in document.iter(f"{XHTML}a") if a.get("href") == "forget"]
