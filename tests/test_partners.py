"""For partners: link previews on every page, the sitemap, the embeddable card, the share kit, and
the list of public addresses that must never break."""

import gzip
import struct
from urllib.parse import parse_qsl, urlsplit
from xml.etree import ElementTree

import pytest

from safernights import languages, security
from safernights.views.printing import SIZES

from .conftest import ROOT, XHTML, text_of

PUBLIC_URLS = [
    line
    for line in (ROOT / "tests" / "public_urls.txt").read_text().splitlines()
    if line and not line.startswith("#")
]
PREVIEWED = ["/{}/", "/{}/consent", "/{}/services", "/{}/services/galop", "/{}/partners", "/{}/languages"]
EMBED_BUDGET = 10 * 1024  # bytes gzipped, the card and its stylesheet


def meta(document, key):
    """A meta tag's content, by property (Open Graph) or name."""
    found = document.find(f".//{XHTML}meta[@property='{key}']")
    if found is None:
        found = document.find(f".//{XHTML}meta[@name='{key}']")
    return found.get("content")


@pytest.mark.parametrize("code", languages.REGISTRY)
@pytest.mark.parametrize("pattern", PREVIEWED)
def test_link_previews_on_every_page_and_language(served, app, code, pattern):
    path = pattern.format(code)
    document = served(path).document
    title = text_of(document.find(f".//{XHTML}title"))
    assert title.startswith(meta(document, "og:title"))
    assert meta(document, "twitter:title") == meta(document, "og:title")
    assert (
        meta(document, "og:description")
        == meta(document, "description")
        == meta(document, "twitter:description")
    )
    assert meta(document, "og:url") == app.config["BASE_URL"] + path
    assert document.find(f".//{XHTML}link[@rel='canonical']").get("href") == app.config["BASE_URL"] + path
    assert meta(document, "og:locale") == languages.og_locale(languages.REGISTRY[code])
    others = [m.get("content") for m in document.iterfind(f".//{XHTML}meta[@property='og:locale:alternate']")]
    assert len(others) == len(languages.REGISTRY) - 1
    assert meta(document, "twitter:card") == "summary_large_image"
    image = meta(document, "og:image")
    assert image.startswith(app.config["BASE_URL"] + "/static/")


def test_the_share_image_is_1200_by_630(client, app):
    document = client.get("/en/").document
    image = client.get(meta(document, "og:image").removeprefix(app.config["BASE_URL"])).get_data()
    assert image[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", image[16:24]) == (1200, 630)


def test_sitemap_lists_every_page_in_every_language(client, app):
    response = client.get("/sitemap.xml", headers={"Accept-Encoding": "gzip"})
    assert response.mimetype == "application/xml"
    root = ElementTree.fromstring(gzip.decompress(response.get_data()))
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    entries = root.findall("s:url", ns)
    locations = {entry.find("s:loc", ns).text for entry in entries}
    pages = [
        url
        for url in PUBLIC_URLS
        if url.startswith("/en/") and not url.endswith(("/offline", ".webmanifest"))
    ]
    expected = {
        app.config["BASE_URL"] + page.replace("/en/", f"/{code}/", 1)
        for page in pages
        for code in languages.REGISTRY
    }
    assert locations == expected
    for entry in entries:
        alternates = entry.findall("x:link", ns)
        assert {link.get("hreflang") for link in alternates} == {*languages.REGISTRY, "x-default"}


def test_robots_points_at_the_sitemap_and_keeps_crawlers_off_scans(client, app):
    lines = client.get("/robots.txt").get_data(as_text=True).splitlines()
    assert f"Sitemap: {app.config['BASE_URL']}/sitemap.xml" in lines
    assert "Disallow: /q/" in lines  # a crawler following a QR link would count as a reader
    assert "Disallow: /admin/" in lines


@pytest.mark.parametrize(
    "path", ["/embed/help?lang=en", "/embed/help?lang=ar", "/embed/services?lang=pl&need=lgbt"]
)
def test_the_embed_may_be_framed_is_small_and_leaves_for_a_new_tab(client, path):
    response = client.get(path, headers={"Accept-Encoding": "gzip"})
    assert "frame-ancestors *" in response.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in response.headers
    document = response.document
    assert document.find(f".//{XHTML}script") is None  # readable with no JavaScript
    stylesheet = document.find(f".//{XHTML}link[@rel='stylesheet']").get("href")
    size = len(response.get_data()) + len(gzip.compress(client.get(stylesheet).get_data()))
    assert size <= EMBED_BUDGET
    dialled = [a.get("href") for a in document.iter(f"{XHTML}a") if a.get("href").startswith("tel:")]
    assert dialled[:3] == ["tel:999", "tel:999", "tel:08085002222"]
    into_site = [a for a in document.iter(f"{XHTML}a") if a.get("href").startswith("http")]
    assert into_site
    assert all((a.get("target"), a.get("rel")) == ("_blank", "noopener noreferrer") for a in into_site)


@pytest.mark.parametrize("path", ["/en/", "/en/partners", "/en/services", "/api/services", "/print/cards"])
def test_every_other_page_still_refuses_framing(client, path):
    response = client.get(path)
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert security.EMBEDDABLE["Content-Security-Policy"] != response.headers["Content-Security-Policy"]


@pytest.mark.parametrize("code", languages.REGISTRY)
def test_share_kit_has_links_codes_sentences_and_the_embed(client, app, code):
    document = client.get(f"/{code}/partners").document
    sections = document.findall(f".//{XHTML}section[@class='share']")
    topics = app.extensions["content"].topics(code)
    assert len(sections) == len(topics) + 2  # the topics, the directory, the help card
    for section, topic in zip(sections, topics, strict=False):
        links = [a.get("href") for a in section.iter(f"{XHTML}a")]
        short = f"{app.config['BASE_URL']}/q/{topic.slug}"
        assert links[:2] == [f"{app.config['BASE_URL']}/{code}/{topic.slug}", short]
        assert {f"/q/{topic.slug}.svg", f"/q/{topic.slug}.png"} <= set(links)
        sentences = [text_of(p) for p in section.iterfind(f"{XHTML}p[@class='paste']")]
        assert len(sentences) == 2
        page = f"{app.config['BASE_URL']}/{code}/{topic.slug}"
        assert all(page in sentence and "/q/" not in sentence for sentence in sentences)  # only print counts
    snippet = text_of(sections[-1].find(f"{XHTML}pre"))
    assert f'src="{app.config["BASE_URL"]}/embed/help?lang={code}"' in snippet


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_no_public_address_ever_disappears(client, url):
    assert client.get(url).status_code in (200, 302), f"{url} is gone: add a redirect instead"


@pytest.mark.parametrize("code", languages.REGISTRY)
def test_share_kit_links_to_every_poster_card_and_checklist_in_its_language(client, app, code):
    """A partner finds every sheet to print from the kit, each with a preview, each opening in the kit's
    language: six topic posters and the languages poster in three sizes, the cards, the checklist."""
    kit = client.get(f"/{code}/partners").document.find(f".//{XHTML}section[@aria-labelledby='print']")
    items = kit.findall(f".//{XHTML}li[@class='print-item']")
    links = [a.get("href") for a in kit.iter(f"{XHTML}a")]
    posters = ["consent", "drink-and-consent", "get-help", "look-out", "report", "staff"]
    expected = [f"/print/poster/{slug}?lang={code}&size={size}" for slug in posters for size in SIZES]
    expected += [f"/print/help?lang={code}&size={size}" for size in SIZES]
    expected += [f"/print/cards?lang={code}", f"/print/staff-checklist?lang={code}"]
    assert sorted(map(as_parts, links)) == sorted(map(as_parts, expected))
    assert len(items) == len(posters) + 3
    assert all(item.find(f".//{XHTML}img").get("src").endswith(".svg") for item in items)  # a preview
    for link in links:
        assert client.get(link).document.get("lang") == code


def as_parts(url):
    """A link as its path and its set of query values, whatever their order."""
    parts = urlsplit(url)
    return parts.path, sorted(parse_qsl(parts.query))
