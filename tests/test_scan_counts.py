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
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import pytest

from app import create_app
from bench.postgres import wait_for_port
from safernights import database, migrations, scan_counts
from safernights.opening_hours import LONDON

from .conftest import ROOT, TABLES, XHTML, CheckedClient, text_of

TODAY = datetime.now(LONDON).date().isoformat()  # scans are counted by UK day


def client_with(**settings):
    app = create_app({"TESTING": True, "ADMIN_TOKEN": "", **settings})
    app.test_client_class = CheckedClient
    return app.test_client()


def basic(password):
    return {"Authorization": "Basic " + base64.b64encode(f"team:{password}".encode()).decode()}


def stored(client):
    """The rows as stored: (day, code, lang, scans, suspect), exact, as no page ever shows them."""
    with client.application.app_context():
        return scan_counts.rows()


def read_csv(client):
    response = client.get("/admin/scans.csv", headers=basic("campaign-team-token-0123"))
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_scans_are_counted_per_day_code_and_language(database_url):
    client = client_with(DATABASE_URL=database_url, ADMIN_TOKEN="campaign-team-token-0123")
    for header in ["pl", "pl-PL", "ar", "de"]:
        client.get("/q/consent", headers={"Accept-Language": header, "User-Agent": "Secret/1.0"})
    client.get("/q/card", headers={"Accept-Language": "pl"})
    assert stored(client) == [
        (TODAY, "card", "pl", 1, 0),
        (TODAY, "consent", "ar", 1, 0),
        (TODAY, "consent", "en", 1, 0),
        (TODAY, "consent", "pl", 2, 0),
    ]
    assert {row["scans"] for row in read_csv(client)} == {"fewer than 5"}


def test_suspect_scans_are_stored_apart_and_never_counted(database_url):
    client = client_with(DATABASE_URL=database_url)
    with client.application.app_context():
        for suspect in (True, True, False):
            scan_counts.hold("card", "pl", suspect)
    assert stored(client) == [(TODAY, "card", "pl", 1, 2)]


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
    client.application.extensions["scan_writer"].write()  # what the writing thread does a moment later
    assert "could not write 1 held scans, will try again" in caplog.text
    health = client.get("/healthz")  # the web tier is healthy; the body says the database is not
    assert (health.status_code, health.get_json()["scans"]["database"]) == (200, "failing")
    assert health.get_json()["scans"]["scans_held"] == 1


def test_the_redirect_still_works_when_the_sqlite_file_breaks(tmp_path, caplog):
    database = tmp_path / "scans.sqlite3"
    client = client_with(DATABASE_URL=f"sqlite:///{database}")
    for stale in tmp_path.glob("scans.sqlite3*"):
        stale.unlink()
    database.mkdir()  # the file is gone and a folder stands in its way
    response = client.get("/q/get-help", headers={"Accept-Language": "es"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/es/get-help"
    client.application.extensions["scan_writer"].write()  # what the writing thread does a moment later
    assert "could not write 1 held scans, will try again" in caplog.text


def test_a_sqlite_file_deleted_while_running_is_noticed_and_made_again(tmp_path, caplog):
    database = tmp_path / "data" / "scans.sqlite3"
    client = client_with(DATABASE_URL=f"sqlite:///{database}")
    client.get("/q/staff", headers={"Accept-Language": "pl"})
    assert stored(client) == [(TODAY, "staff", "pl", 1, 0)]
    for path in database.parent.iterdir():
        path.unlink()
    database.parent.rmdir()  # the whole folder, as an operator clearing "instance/" would
    client.get("/q/staff", headers={"Accept-Language": "uk"})
    assert stored(client) == [(TODAY, "staff", "uk", 1, 0)]  # written to a new file, with its tables
    assert f"the SQLite file {database} was deleted or replaced while in use" in caplog.text


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


def scan_once(port, phone):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request(
        "GET", "/q/look-out", headers={"Accept-Language": "bg", "User-Agent": f"{PHONE} {phone}"}
    )
    status = connection.getresponse().status
    connection.close()
    return status


def test_200_concurrent_scans_across_four_workers_are_counted_exactly(database_url, unused_port):
    server = gunicorn(database_url, unused_port)
    try:
        with ThreadPoolExecutor(max_workers=50) as pool:
            statuses = list(pool.map(scan_once, [unused_port] * 200, range(200)))
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    assert statuses == [302] * 200
    # 200 phones in a moment are a flood (scan_guard.py): held a second, even the first few that were
    # judged before the flood showed are written as suspect. Each worker wrote what it held as it
    # stopped: every scan is stored, once.
    assert stored(client_with(DATABASE_URL=database_url)) == [(TODAY, "look-out", "bg", 0, 200)]


@pytest.fixture
def unused_port():
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("path", ["/admin/scans", "/admin/scans.csv", "/admin/placements"])
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


def test_dashboard_shows_codes_languages_and_a_chart_with_no_count_below_5(tmp_path):
    client = client_with(
        DATABASE_URL=f"sqlite:///{tmp_path / 'scans.sqlite3'}", ADMIN_TOKEN="campaign-team-token-0123"
    )
    for phone, lang in enumerate(["pl"] * 6 + ["ro"]):  # seven phones: none is a repeat
        client.get("/q/k7", headers={"Accept-Language": lang, "User-Agent": f"{PHONE} {phone}"})
    document = client.get("/admin/scans", headers=basic("campaign-team-token-0123")).document
    rows = [[text_of(cell) for cell in row] for row in document.iterfind(f".//{XHTML}tbody/{XHTML}tr")]
    k7 = next(row for row in rows if row[0] == "k7")
    assert k7[1:6] == [qr_codes_label("k7"), "Topic: consent", "0", "7–10", "0"]  # 6 and fewer than 5
    assert ["Polish", "6", "0"] in rows
    assert ["Romanian", "fewer than 5", "0"] in rows
    chart = document.find(".//{http://www.w3.org/2000/svg}svg[@class='chart']")
    assert "7–10" in text_of(chart)  # the value is written on its bar


def qr_codes_label(name):
    return client_with().application.extensions["qr_codes"][name].label


def test_workers_first_scans_on_a_new_postgresql_database_are_all_counted(postgres):
    """Workers that start together all create the table on their first scan; none may lose it."""
    import psycopg

    for _ in range(5):
        with psycopg.connect(postgres.url, autocommit=True) as connection:
            for table in TABLES:
                connection.execute(f"DROP TABLE IF EXISTS {table}")
        stores = [database.PostgreSQL(postgres.url) for _ in range(8)]
        for store in stores:  # as for a server that was down when the app started
            store.on_connect = migrations.migrate_on_connect
        together = [threading.Barrier(len(stores))] * len(stores)
        with ThreadPoolExecutor(max_workers=len(stores)) as pool:
            list(pool.map(first_scan, stores, together))  # re-raises any failure
        assert stores[0].execute(scan_counts.ROWS)[0][3] == len(stores)


def first_scan(store, together):
    together.wait()
    store.execute(scan_counts.ADD, (TODAY, "card", "en", 1, 0, 0))


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
    assert stored(client) == []
    client.get(
        "/q/consent", headers={"User-Agent": PHONE, "Sec-Fetch-Dest": "document", "Accept-Language": "pl"}
    )
    assert stored(client) == [(TODAY, "consent", "pl", 1, 0)]


def test_the_dashboard_answers_503_at_once_while_the_database_hangs(tmp_path):
    """A write stuck on a database that does not answer: the dashboard must not queue behind it."""
    client = client_with(
        DATABASE_URL=f"sqlite:///{tmp_path / 'scans.sqlite3'}", ADMIN_TOKEN="campaign-team-token-0123"
    )
    writer, release, now = client.application.extensions["scan_writer"], threading.Event(), [time.time()]
    real_store = writer.store

    class Hanging:
        def transaction(self):
            release.wait(10)
            return real_store.transaction()

    writer.store, writer.clock = Hanging(), lambda: now[0]
    with client.application.app_context():
        scan_counts.hold("card", "en")
    stuck = threading.Thread(target=writer.write)
    stuck.start()
    while writer.writing_since is None:
        threading.Event().wait(0.01)
    now[0] += scan_counts.STALLED_SECONDS + 1
    response = client.get("/admin/scans", headers=basic("campaign-team-token-0123"))
    assert response.status_code == 503
    assert client.get("/healthz").get_json()["scans"]["database"] == "stalled"
    release.set()
    stuck.join()
    assert client.get("/admin/scans", headers=basic("campaign-team-token-0123")).status_code == 200
    assert stored(client) == [(TODAY, "card", "en", 1, 0)]  # written once the database answered
