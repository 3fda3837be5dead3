"""Pages served like static files (prebuilt.py): the same page Flask makes, sent with precompressed
bytes and an ETag by the path that serves the CSS, rebuilt when the minute changes where it shows
the time."""

import gzip
from datetime import datetime

import brotli
import pytest

from safernights import directory, offline_pack, opening_hours, prebuilt, security

from .conftest import APP

SATURDAY_2AM = datetime(2026, 12, 5, 2, 0, tzinfo=opening_hours.LONDON)
MONDAY_10AM = datetime(2026, 12, 7, 10, 0, tzinfo=opening_hours.LONDON)
WANTED = prebuilt.paths(APP)


@pytest.fixture
def at_2am(monkeypatch):
    monkeypatch.setattr(directory, "now", lambda: SATURDAY_2AM)


def test_every_page_of_every_pack_is_built(app):
    with app.test_request_context():
        packs = offline_pack.packs(app.extensions["content"], app.extensions["directory"])
    every = {path for paths in packs.values() for path in paths}
    assert set(WANTED) == every
    assert WANTED["/en/services"]
    assert WANTED["/pl/services/samaritans"]
    assert not WANTED["/en/consent"]
    assert not WANTED["/ar/"]


@pytest.mark.parametrize("path", sorted(WANTED))
def test_the_built_page_is_what_flask_sends(client, at_2am, path):
    built = client.get(path, headers={"Accept-Encoding": "identity"})
    flask = client.get(path + "?from=flask", headers={"Accept-Encoding": "identity"})
    assert built.status_code == flask.status_code == 200
    assert built.data == flask.data
    assert built.headers["ETag"] != flask.headers["ETag"]  # the proof that each took its own path
    kept = {name for name, _ in flask.headers if name.lower() not in prebuilt.NOT_KEPT}
    assert {name: built.headers[name] for name in kept} == {name: flask.headers[name] for name in kept}


@pytest.mark.parametrize("path", ["/en/consent", "/ar/", "/pl/services"])
def test_brotli_and_gzip_are_the_same_page(client, at_2am, path):
    plain = client.get(path, headers={"Accept-Encoding": "identity"})
    br = client.get(path, headers={"Accept-Encoding": "gzip, deflate, br"})
    gz = client.get(path, headers={"Accept-Encoding": "gzip"})
    assert br.headers["Content-Encoding"] == "br"
    assert gz.headers["Content-Encoding"] == "gzip"
    assert brotli.decompress(br.data) == gzip.decompress(gz.data) == plain.data
    assert len(br.data) < len(gz.data) < len(plain.data)
    assert br.headers["Vary"] == "Accept-Encoding"
    assert br.headers["ETag"] == gz.headers["ETag"] == plain.headers["ETag"]


def test_a_phone_holding_the_page_gets_a_304_with_the_safety_headers(client):
    etag = client.get("/en/consent").headers["ETag"]
    again = client.get("/en/consent", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert not again.data
    assert again.headers["ETag"] == etag
    assert {name: again.headers[name] for name in security.HEADERS} == security.HEADERS


def test_what_a_built_page_cannot_answer_goes_to_flask(client):
    assert client.post("/en/consent").status_code == 405
    assert client.get("/en/no-such-topic").status_code == 404
    assert client.get("/en/services/no-such-service").status_code == 404
    head = client.head("/en/consent", headers={"Accept-Encoding": "br"})
    assert head.status_code == 200
    assert not head.data
    assert int(head.headers["Content-Length"]) == len(
        client.get("/en/consent", headers={"Accept-Encoding": "br"}).data
    )


def test_on_https_plain_http_is_still_sent_to_https(monkeypatch):
    monkeypatch.setenv("BASE_URL", "https://safer.example")
    monkeypatch.setenv("PROXY_COUNT", "1")
    from app import create_app

    client = create_app().test_client()
    plain = client.get("/en/consent", headers={"X-Forwarded-Proto": "http"})
    assert plain.status_code == 301
    assert plain.headers["Location"] == "https://safer.example/en/consent"
    secure = client.get("/en/consent", headers={"X-Forwarded-Proto": "https", "Accept-Encoding": "br"})
    assert secure.status_code == 200
    assert secure.headers["Content-Encoding"] == "br"
    assert secure.headers["Strict-Transport-Security"] == security.HSTS


def test_the_directory_is_built_again_when_the_minute_changes(client, monkeypatch):
    """At 2 a.m. on Saturday the open-now list is not Monday morning's: the built page follows the clock."""
    monkeypatch.setattr(directory, "now", lambda: SATURDAY_2AM)
    saturday = client.get("/en/services", headers={"Accept-Encoding": "identity"})
    assert client.get("/en/services", headers={"If-None-Match": saturday.headers["ETag"]}).status_code == 304
    monkeypatch.setattr(directory, "now", lambda: MONDAY_10AM)
    monday = client.get("/en/services", headers={"Accept-Encoding": "identity"})
    assert monday.data == client.get("/en/services?from=flask", headers={"Accept-Encoding": "identity"}).data
    assert monday.data != saturday.data
    assert monday.headers["ETag"] != saturday.headers["ETag"]
    assert client.get("/en/services", headers={"If-None-Match": saturday.headers["ETag"]}).status_code == 200
