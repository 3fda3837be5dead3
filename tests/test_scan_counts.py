"""Anonymous scan counts in SQLite and in a real PostgreSQL, under concurrency, and the dashboard."""

import base64
import csv
import http.client
import io
import os
import signal
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import pytest

from app import create_app
from bench.postgres import TemporaryPostgres, wait_for_port
from safernights import scan_counts
from safernights.opening_hours import LONDON

from .conftest import ROOT, XHTML, CheckedClient

TODAY = datetime.now(LONDON).date().isoformat()  # scans are counted by UK day


@pytest.fixture(scope="session")
def postgres():
    server = TemporaryPostgres()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """A fresh, empty database of each kind."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'scans.sqlite3'}"
    server = request.getfixturevalue("postgres")
    import psycopg

    with psycopg.connect(server.url, autocommit=True) as connection:
        connection.execute("DROP TABLE IF EXISTS scans")
    return server.url


def client_with(**settings):
    app = create_app({"TESTING": True, "ADMIN_TOKEN": "", **settings})
    app.test_client_class = CheckedClient
    return app.test_client()


def basic(password):
    return {"Authorization": "Basic " + base64.b64encode(f"team:{password}".encode()).decode()}


def read_csv(client):
    response = client.get("/admin/scans.csv", headers=basic("campaign-team-token-0123"))
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_scans_are_counted_per_day_code_and_language(database_url):
    client = client_with(DATABASE_URL=database_url, ADMIN_TOKEN="campaign-team-token-0123")
    for header in ["pl", "pl-PL", "ar", "de"]:
        client.get("/q/consent", headers={"Accept-Language": header, "User-Agent": "Secret/1.0"})
    client.get("/q/card", headers={"Accept-Language": "pl"})
    assert read_csv(client) == [
        {"day": TODAY, "code": "card", "lang": "pl", "scans": "1"},
        {"day": TODAY, "code": "consent", "lang": "ar", "scans": "1"},
        {"day": TODAY, "code": "consent", "lang": "en", "scans": "1"},
        {"day": TODAY, "code": "consent", "lang": "pl", "scans": "2"},
    ]


def test_nothing_but_the_count_is_stored(tmp_path):
    client = client_with(DATABASE_URL=f"sqlite:///{tmp_path / 'scans.sqlite3'}")
    client.get("/q/staff", headers={"User-Agent": "Secret/1.0", "Referer": "https://x.example"})
    stored = (tmp_path / "scans.sqlite3").read_bytes()
    assert b"Secret" not in stored
    assert b"x.example" not in stored
    assert b"127.0.0.1" not in stored


def test_the_redirect_still_works_when_postgresql_is_down(caplog):
    client = client_with(DATABASE_URL="postgresql://nobody@127.0.0.1:1/none")
    response = client.get("/q/get-help", headers={"Accept-Language": "es"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/es/get-help"
    assert "could not count a scan of get-help" in caplog.text


def test_the_redirect_still_works_when_the_sqlite_file_breaks(tmp_path, caplog):
    database = tmp_path / "scans.sqlite3"
    client = client_with(DATABASE_URL=f"sqlite:///{database}")
    for stale in tmp_path.glob("scans.sqlite3*"):
        stale.unlink()
    database.mkdir()  # the file is gone and a folder stands in its way
    response = client.get("/q/get-help", headers={"Accept-Language": "es"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/es/get-help"
    assert "could not count a scan of get-help" in caplog.text


def test_an_unusable_sqlite_path_stops_start_up_with_a_clear_message():
    with pytest.raises(RuntimeError, match="DATABASE_URL: cannot keep scan counts in /proc/no/such"):
        client_with(DATABASE_URL="sqlite:////proc/no/such/scans.db")


def gunicorn(database_url, port):
    env = {**os.environ, "DATABASE_URL": database_url, "PORT": str(port), "WEB_CONCURRENCY": "4"}
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        "gunicorn.conf.py",
        "--bind",
        f"127.0.0.1:{port}",
        "app:create_app()",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.DEVNULL)
    wait_for_port(port)
    return server


def scan_once(port):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/q/look-out", headers={"Accept-Language": "bg"})
    status = connection.getresponse().status
    connection.close()
    return status


def test_200_concurrent_scans_across_four_workers_are_counted_exactly(database_url, unused_port):
    server = gunicorn(database_url, unused_port)
    try:
        with ThreadPoolExecutor(max_workers=50) as pool:
            statuses = list(pool.map(scan_once, [unused_port] * 200))
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    assert statuses == [302] * 200
    rows = read_csv(client_with(DATABASE_URL=database_url, ADMIN_TOKEN="campaign-team-token-0123"))
    assert rows == [{"day": TODAY, "code": "look-out", "lang": "bg", "scans": "200"}]


@pytest.fixture
def unused_port():
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("path", ["/admin/scans", "/admin/scans.csv"])
def test_without_admin_token_the_dashboard_does_not_exist(path):
    assert client_with().get(path, headers=basic("anything")).status_code == 404


@pytest.mark.parametrize("path", ["/admin/scans", "/admin/scans.csv"])
@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        (basic("wrong"), 401),
        ({"Authorization": "Basic !!!"}, 401),
        (basic("campaign-team-token-0123"), 200),
    ],
)
def test_dashboard_needs_the_password(tmp_path, path, headers, status):
    client = client_with(
        DATABASE_URL=f"sqlite:///{tmp_path / 'scans.sqlite3'}", ADMIN_TOKEN="campaign-team-token-0123"
    )
    response = client.get(path, headers=headers)
    assert response.status_code == status
    assert response.headers["Cache-Control"] == "no-store"
    if status == 401:
        assert response.headers["WWW-Authenticate"].startswith("Basic ")


def test_dashboard_shows_weeks_codes_languages_and_a_chart(tmp_path):
    client = client_with(
        DATABASE_URL=f"sqlite:///{tmp_path / 'scans.sqlite3'}", ADMIN_TOKEN="campaign-team-token-0123"
    )
    for lang in ["pl", "pl", "ro"]:
        client.get("/q/k7", headers={"Accept-Language": lang})
    document = client.get("/admin/scans", headers=basic("campaign-team-token-0123")).document
    rows = [[cell.text for cell in row] for row in document.iterfind(f".//{XHTML}tbody/{XHTML}tr")]
    assert rows[0][0] == "k7"
    assert rows[0][-1] == "3"
    assert ["Polish", "2"] in rows
    assert ["Romanian", "1"] in rows
    assert document.find(".//{http://www.w3.org/2000/svg}rect") is not None


def test_workers_first_scans_on_a_new_postgresql_database_are_all_counted(postgres):
    """Workers that start together all create the table on their first scan; none may lose it."""
    import psycopg

    for _ in range(5):
        with psycopg.connect(postgres.url, autocommit=True) as connection:
            connection.execute("DROP TABLE IF EXISTS scans")
        stores = [scan_counts.PostgreSQL(postgres.url) for _ in range(8)]
        together = [threading.Barrier(len(stores))] * len(stores)
        with ThreadPoolExecutor(max_workers=len(stores)) as pool:
            list(pool.map(first_scan, stores, together))  # re-raises any failure
        assert stores[0].execute(scan_counts.ROWS)[0][3] == len(stores)


def first_scan(store, together):
    together.wait()
    store.execute(scan_counts.COUNT.format(store.placeholder), (TODAY, "card", "en"))


PHONE = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126 Mobile"
NOT_SCANS = [
    ("HEAD", {}),
    ("GET", {"Sec-Purpose": "prefetch"}),
    ("GET", {"Sec-Purpose": "prefetch;prerender"}),
    ("GET", {"Purpose": "prefetch"}),
    ("GET", {"X-Moz": "prefetch"}),
    ("GET", {"Sec-Fetch-Dest": "image"}),  # the address as an <img> on someone else's page
    ("GET", {"Sec-Fetch-Dest": "iframe"}),
    ("GET", {"User-Agent": "WhatsApp/2.23.20.0 A"}),
    ("GET", {"User-Agent": "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)"}),
    ("GET", {"User-Agent": "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)"}),
    ("GET", {"User-Agent": "TelegramBot (like TwitterBot)"}),
    ("GET", {"User-Agent": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"}),
    ("GET", {"User-Agent": "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)"}),
]


def test_only_a_phone_opening_the_code_counts(tmp_path):
    client = client_with(
        DATABASE_URL=f"sqlite:///{tmp_path / 'scans.sqlite3'}", ADMIN_TOKEN="campaign-team-token-0123"
    )
    for method, headers in NOT_SCANS:
        response = client.open("/q/consent", method=method, headers={"User-Agent": PHONE, **headers})
        assert response.status_code == 302  # every one still gets the page
    assert read_csv(client) == []
    client.get(
        "/q/consent", headers={"User-Agent": PHONE, "Sec-Fetch-Dest": "document", "Accept-Language": "pl"}
    )
    assert read_csv(client) == [{"day": TODAY, "code": "consent", "lang": "pl", "scans": "1"}]
