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


def test_no_hsts_while_the_site_is_not_on_https(client):
    assert "Strict-Transport-Security" not in client.get("/en/").headers


@pytest.fixture
def on_https(monkeypatch):
    """The site as deployed on https behind one proxy that ends TLS."""
    monkeypatch.setenv("BASE_URL", "https://safer.example")
    monkeypatch.setenv("PROXY_COUNT", "1")
    app = create_app()
    return app, app.test_client()


@pytest.mark.parametrize("path", ["/en/", "/en/nope", "/q/consent", "/api/services", "/healthz", "static"])
def test_on_https_every_answer_carries_hsts(on_https, path):
    app, client = on_https
    if path == "static":
        path = "/static/" + app.extensions["assets"]["css/site.css"]
    response = client.get(path, headers={"X-Forwarded-Proto": "https"})
    assert response.headers["Strict-Transport-Security"] == security.HSTS


@pytest.mark.parametrize(
    ("path", "to"),
    [("/en/consent", "/en/consent"), ("/en/services?need=lgbt", "/en/services?need=lgbt"), ("/", "/")],
)
def test_plain_http_through_the_proxy_is_sent_to_https(on_https, path, to):
    _, client = on_https
    response = client.get(path, headers={"X-Forwarded-Proto": "http", "Host": "evil.example"})
    assert response.status_code == 301
    assert response.headers["Location"] == "https://safer.example" + to  # never the Host sent


def test_the_health_check_is_answered_over_http_too(on_https):
    assert on_https[1].get("/healthz", headers={"X-Forwarded-Proto": "http"}).status_code == 200


def test_https_without_a_proxy_warns_and_trusts_no_forwarded_scheme(monkeypatch, caplog):
    monkeypatch.setenv("BASE_URL", "https://safer.example")
    monkeypatch.setenv("ADMIN_TOKEN", "campaign-team-token-0123")
    client = create_app().test_client()
    assert "BASE_URL is https but PROXY_COUNT is 0" in caplog.text
    response = client.get("/en/", headers={"X-Forwarded-Proto": "http"})
    assert response.status_code == 200  # no redirect: without a proxy it cannot tell
    forged = client.get("/admin/scans", headers={"X-Forwarded-Proto": "https"})
    assert forged.status_code == 403  # a forged X-Forwarded-Proto does not make http https


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
