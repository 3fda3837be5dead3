import gzip

import brotli
import pytest

from safernights import content

from .conftest import PAGES, XHTML, path_of, text_of

TOPICS = [page for page in PAGES if page.lang == "en" and page.slug != content.HOME]


@pytest.mark.parametrize("page", PAGES, ids=path_of)
def test_every_page_is_served_with_its_title(served, page):
    response = served(path_of(page))
    assert response.status_code == 200
    assert text_of(response.document.find(f".//{XHTML}h1")) == page.title
    description = response.document.find(f".//{XHTML}meta[@name='description']")
    assert description.get("content") == page.summary


def test_all_required_pages_exist_in_english():
    assert {page.slug for page in PAGES if page.lang == "en"} >= set(content.REQUIRED)


@pytest.mark.parametrize("header", [None, "en-GB,en;q=0.9", "fr-FR", "*", "!!;q=nonsense,,"])
def test_root_redirects_to_a_language_home_page(client, header):
    response = client.get("/", headers={"Accept-Language": header} if header else {})
    assert response.status_code == 302
    assert response.headers["Location"] == "/en/"
    assert "Accept-Language" in response.headers["Vary"]


def test_home_page_puts_help_first_then_every_topic(client):
    document = client.get("/en/").document
    main = document.find(f".//{XHTML}main")
    sections = [element.get("class") for element in main if element.get("class")]
    assert sections[:2] == ["help-now", "topics"]
    help_now = main.find(f"{XHTML}section")
    assert "tel:999" in [a.get("href") for a in help_now.iter(f"{XHTML}a")]
    topic_links = [a.get("href") for a in main.find(f"{XHTML}nav").iter(f"{XHTML}a")]
    assert topic_links == [path_of(page) for page in sorted(TOPICS, key=lambda p: p.order)]


def test_emergency_strip_on_every_page_dials_the_right_numbers(client):
    document = client.get("/en/staff").document
    strip = document.find(f".//{XHTML}nav[@class='strip']")
    dialled = {text_of(a.find(f"{XHTML}span")): a.get("href") for a in strip.iter(f"{XHTML}a")}
    assert dialled == {"999": "tel:999", "55": "tel:999", "101": "tel:101"}
    # Text relay is shown, not dialled: it works from the Relay UK app or a textphone.
    shown = [text_of(span) for span in strip.iter(f"{XHTML}span") if span.get("class") == "tel-number"]
    assert shown == ["999", "55", "18000", "101"]


def test_phone_numbers_in_the_text_dial_what_they_show(client):
    document = client.get("/en/get-help").document
    links = [a for a in document.iter(f"{XHTML}a") if a.get("class") == "tel"]
    assert len(links) > 10
    for link in links:
        assert link.get("href") == "tel:" + text_of(link).replace(" ", "")


def test_page_shows_when_it_was_last_reviewed(client):
    page = next(page for page in PAGES if page.slug == "consent")
    body = client.get("/en/consent").get_data(as_text=True)
    assert f"Last reviewed {page.reviewed.day} {page.reviewed:%B %Y}" in body


@pytest.mark.parametrize(
    "path", ["/en/nope", "/en/home", "/zz/", "/zz/consent", "/en/consent/more", "/static/nope.css", "/x"]
)
def test_unknown_addresses_get_a_friendly_404_with_the_topics(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert text_of(response.document.find(f".//{XHTML}h1")) == "Page not found"
    links = {a.get("href") for a in response.document.iter(f"{XHTML}a")}
    assert {path_of(page) for page in TOPICS} <= links


def test_wrong_method_is_405_with_allow_header(client):
    response = client.post("/en/consent")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert response.document.find(f".//{XHTML}h1") is not None


def test_head_answers_like_get_without_a_body(client):
    get, head = client.get("/en/consent"), client.head("/en/consent")
    assert head.status_code == 200
    assert head.get_data() == b""
    assert head.headers["ETag"] == get.headers["ETag"]
    assert head.headers["Content-Length"] == get.headers["Content-Length"]


def test_server_error_is_a_friendly_page_without_a_trace(make_app):
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret detail")

    response = app.test_client().get("/boom")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Sorry, something went wrong" in body
    assert "secret detail" not in body
    assert "Traceback" not in body


def test_pages_answer_conditional_requests_with_304(client):
    first = client.get("/en/consent")
    assert first.headers["Cache-Control"] == "public, max-age=300"
    again = client.get("/en/consent", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.get_data() == b""


def test_pages_are_compressed_brotli_first_then_gzip(client):
    plain = client.get("/en/get-help")
    packed = client.get("/en/get-help", headers={"Accept-Encoding": "gzip, br"})
    assert packed.headers["Content-Encoding"] == "br"
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert brotli.decompress(packed.get_data()) == plain.get_data()
    assert packed.headers["ETag"] == plain.headers["ETag"]
    gzipped = client.get("/en/get-help", headers={"Accept-Encoding": "gzip"})
    assert gzip.decompress(gzipped.get_data()) == plain.get_data()


def test_health_check(client):
    answer = client.get("/healthz").get_json()
    assert answer["status"] == "ok"
    assert answer["scans"]["database"] == "ok"
