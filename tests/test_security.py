import re

import pytest

from app import create_app
from safernights import security

from .conftest import XHTML

NOT_FETCHED = ("alternate", "canonical")
PATHS = ["/", "/en/", "/en/consent", "/en/nope", "/healthz"]


def test_csp_allows_nothing_inline_and_nothing_from_elsewhere():
    csp = dict(directive.split(" ", 1) for directive in security.CSP.split("; "))
    assert csp["default-src"] == "'self'"
    assert csp["frame-ancestors"] == "'none'"
    assert csp["base-uri"] == "'none'"
    assert csp["form-action"] == "'self'"
    assert "unsafe" not in security.CSP
    assert not re.search(r"https?:|\*", security.CSP)


@pytest.mark.parametrize("path", PATHS)
def test_safety_headers_on_every_kind_of_response(client, path):
    # The client fixture checks every header; this names the responses that must carry them.
    response = client.get(path)
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "Set-Cookie" not in response.headers


def test_static_files_carry_the_safety_headers(client, app):
    response = client.get("/static/" + app.extensions["assets"]["css/site.css"])
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"] == security.CSP


def test_errors_carry_the_safety_headers(client):
    assert client.post("/en/").headers["X-Frame-Options"] == "DENY"
    assert client.get("/en/nope").headers["Permissions-Policy"] == security.HEADERS["Permissions-Policy"]


def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/en/").headers
    secure = client.get("/en/", base_url="https://safer.example")
    assert secure.headers["Strict-Transport-Security"] == security.HSTS


@pytest.mark.parametrize(("proxies", "hsts"), [(0, False), (1, True)])
def test_forwarded_scheme_is_trusted_only_when_configured(monkeypatch, proxies, hsts):
    monkeypatch.setenv("PROXY_COUNT", str(proxies))
    client = create_app().test_client()
    response = client.get("/en/", headers={"X-Forwarded-Proto": "https"})
    assert ("Strict-Transport-Security" in response.headers) is hsts


@pytest.mark.parametrize("path", ["/en/", "/en/get-help", "/en/nope"])
def test_pages_load_nothing_from_other_sites_and_nothing_inline(app, client, path):
    document = client.get(path).document
    for element in document.iter():
        assert element.get("style") is None, "inline style"
        assert element.tag != f"{XHTML}style"
        if element.tag == f"{XHTML}script":
            assert element.get("src", "").startswith("/static/"), "inline or external script"
        if element.tag == f"{XHTML}img" or (
            element.tag == f"{XHTML}link" and element.get("rel") not in NOT_FETCHED
        ):
            address = element.get("href") or element.get("src")
            assert address.startswith("/"), "fetched from another site"
            assert not address.startswith("//"), "fetched from another site"
        if element.get("rel") in NOT_FETCHED:  # names this site's own pages, is not loaded
            assert element.get("href").startswith(app.config["BASE_URL"] + "/")
