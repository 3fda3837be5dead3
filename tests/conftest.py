"""Fixtures, as in Flask's tutorial: app, client, runner. The client checks every response it gets.

Every page a test fetches is checked here, so no test can forget: the safety headers and no cookie
on every response; for HTML, that it parses without errors, has one h1 that the <title> starts
with, lang and dir set, no duplicate ids, the Exit link first in the tab order (but in the help
card partners embed), and every phone link kept left-to-right.
"""

import gzip
from collections import Counter
from pathlib import Path

import brotli
import html5lib
import pytest
from flask.testing import FlaskClient

from app import create_app
from safernights import content, security

ROOT = Path(__file__).resolve().parent.parent
XHTML = "{http://www.w3.org/1999/xhtml}"
PAGES, _ = content.read_all(ROOT / "content")  # to parametrize over: every page in every language


def path_of(page):
    """The URL path of a page."""
    return f"/{page.lang}/" if page.slug == content.HOME else f"/{page.lang}/{page.slug}"


def text_of(element):
    """The text of an element with its white space folded, as a reader sees it."""
    return " ".join("".join(element.itertext()).split())


def parse_html(body):
    """Parse as a browser would, but fail on any HTML parse error."""
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=True)
    return parser.parse(body)


def check_headers(response):
    path = response.request.path
    expected = dict(security.HEADERS)
    if path.startswith("/api/"):  # public data: the one place another site may read an answer
        expected |= security.PUBLIC_DATA
    # The help cards: the one place a site may frame (their errors are ordinary error pages).
    if path in ("/embed/help", "/embed/services") and response.status_code < 400:
        expected |= security.EMBEDDABLE
        assert "X-Frame-Options" not in response.headers
        del expected["X-Frame-Options"]
    for name, value in expected.items():
        assert response.headers.get(name) == value, f"{name} missing on {path}"
    assert "Set-Cookie" not in response.headers


def check_page(response):
    """The page checks every HTML page must pass."""
    body = response.get_data()
    if response.headers.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    elif response.headers.get("Content-Encoding") == "br":
        body = brotli.decompress(body)
    document = parse_html(body.decode("utf-8"))
    assert document.get("lang"), "html has no lang"
    assert document.get("dir") in ("ltr", "rtl"), "html has no dir"
    h1s = document.findall(f".//{XHTML}h1")
    assert len(h1s) == 1, f"{len(h1s)} h1 elements"
    title = text_of(document.find(f".//{XHTML}title"))
    assert title.startswith(text_of(h1s[0])), f"title {title!r} does not start with the h1"
    ids = Counter(element.get("id") for element in document.iter() if element.get("id"))
    assert not [name for name, count in ids.items() if count > 1], f"duplicate ids {ids}"
    if not response.request.path.startswith("/embed/"):  # a card inside a partner's page has no Exit
        focusable = document.find(f".//{XHTML}body//{XHTML}a[@href]")
        assert focusable.get("data-exit") is not None, "the Exit link is not first in the tab order"
        assert focusable.get("rel") == "noreferrer"
    for link in document.iterfind(f".//{XHTML}a[@href]"):
        if link.get("href").startswith("tel:"):
            ltr = link.get("dir") == "ltr" or link.find(".//*[@dir='ltr']") is not None
            assert ltr, f"phone link {text_of(link)!r} is not kept left-to-right"
    return document


class CheckedClient(FlaskClient):
    """A test client that runs the page checks on everything it fetches."""

    def open(self, *args, **kwargs):
        # Buffered, as a real server does: the response is read to the end and closed, which runs
        # its close callbacks (scan counting).
        kwargs.setdefault("buffered", True)
        response = super().open(*args, **kwargs)
        check_headers(response)
        if response.mimetype == "text/html" and not 300 <= response.status_code < 400 and response.get_data():
            response.document = check_page(response)
        return response


def checked_app(overrides=None):
    """An app built for tests: its test client runs the checks above on every response."""
    app = create_app({"TESTING": True, **(overrides or {})})
    app.test_client_class = CheckedClient
    return app


# The site, built once for the whole run: building it takes a tenth of a second or more, and most
# tests only read from it. A test that changes settings or content takes make_app.
APP = checked_app()


@pytest.fixture(scope="session")
def app():
    return APP


@pytest.fixture
def make_app():
    """A fresh app of the test's own: make_app(SETTING=value), for tests that change it."""
    return lambda **overrides: checked_app(overrides)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def served(app):
    """Each page fetched, gzipped, and checked once, for every per-page test to look at."""
    responses = {}
    client = app.test_client()

    def get(path):
        if path not in responses:
            responses[path] = client.get(path, headers={"Accept-Encoding": "gzip"})
        return responses[path]

    return get


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture(scope="session")
def postgres():
    """A real PostgreSQL server for the run, started only when a test asks for it."""
    from bench.postgres import TemporaryPostgres

    server = TemporaryPostgres()
    yield server
    server.stop()


TABLES = ("scans", "placements", "writes", "schema_version")


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """A fresh, empty database of each kind."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'scans.sqlite3'}"
    server = request.getfixturevalue("postgres")
    import psycopg

    with psycopg.connect(server.url, autocommit=True) as connection:
        for table in TABLES:
            connection.execute(f"DROP TABLE IF EXISTS {table}")
    return server.url
