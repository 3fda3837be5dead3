"""The campaign team, end to end in a real browser: it adds a placement for a poster at a bar, prints
the poster, five phones scan the code read from a photo of the printed PDF, and the dashboard shows
those scans by placement, language and week; none of the previews, bots, HEAD requests, embedded
copies or the flood sent alongside are counted, and the flood is shown apart as suspect."""

import http.client
import secrets
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from urllib.parse import urlsplit

import pytest

from app import create_app
from safernights import print_pdf
from safernights.opening_hours import LONDON
from safernights.scan_report import week_of

from .conftest import Server
from .test_print import codes_in_photo

BASE_URL = "http://safernights.example.org"  # public-looking, so no TEST PRINT mark covers the code
TOKEN = secrets.token_urlsafe(24)
PHONES = [
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131 Mobile",
    "Mozilla/5.0 (Linux; Android 13; SM-A536B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130 Mobile",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 Version/18.1 Mobile",
    "Mozilla/5.0 (Linux; Android 12; moto g22) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129 Mobile",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 Version/17.6 Mobile",
]
NOT_SCANS = [  # (method, headers) as the previews, bots and crawlers send them
    ("HEAD", {"User-Agent": PHONES[0]}),
    ("HEAD", {}),
    ("GET", {"User-Agent": PHONES[1], "Sec-Purpose": "prefetch"}),
    ("GET", {"User-Agent": PHONES[1], "Purpose": "prefetch"}),
    ("GET", {"User-Agent": "WhatsApp/2.24.22.79 A"}),
    ("GET", {"User-Agent": "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)"}),
    ("GET", {"User-Agent": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"}),
]
FLOOD = 60  # scans of the code from a script, in about a second


@pytest.fixture
def site(tmp_path):
    app = create_app(
        {"BASE_URL": BASE_URL, "ADMIN_TOKEN": TOKEN, "DATABASE_URL": f"sqlite:///{tmp_path / 'scans.db'}"}
    )
    server = Server(app)
    yield server.url
    server.stop()


@pytest.fixture
def team(browser):
    context = browser.new_context(
        http_credentials={"username": "team", "password": TOKEN}, service_workers="block"
    )
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def send(site, method, path, headers):
    """One request as a script, a bot or a preview sends it; its status."""
    address = urlsplit(site)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    connection.request(method, path, headers=headers)
    status = connection.getresponse().status
    connection.close()
    return status


def cells(page, caption):
    """{row heading: [cells]} of the dashboard's table with this caption."""
    table = page.locator("table", has=page.locator(f"caption:text-is('{caption}')"))
    return rows_of(table)


def rows_of(table):
    return {
        row.locator("th").inner_text(): [cell.inner_text() for cell in row.locator("td").all()]
        for row in table.locator("tbody tr").all()
    }


def placement_row(page, code):
    by_placement = page.locator("table", has=page.locator("th:text-is('Venue or place')")).first
    return rows_of(by_placement)[code]


def test_a_placement_is_printed_scanned_and_counted_and_nothing_else_is(site, team, browser, tmp_path):
    today = datetime.now(LONDON).date()
    team.goto(f"{site}/admin/placements")
    team.fill("#venue", "The Bar, Bedford Place")
    team.select_option("#poster", "consent")
    team.select_option("#lang", "pl")
    team.fill("#up", today.isoformat())
    team.fill("#note", "by the cloakroom")
    team.click("button[type=submit]")
    code = team.locator("h1").inner_text().removeprefix("Placement ")
    assert team.url == f"{site}/admin/placements/{code}"

    team.click("text=Poster, A4")
    assert urlsplit(team.url).path == f"/print/poster/{code}"
    pdf = print_pdf.pdf(team, team.url)
    [read] = codes_in_photo(pdf, 2000, tmp_path / "photo")  # a phone two metres from the A4 poster
    assert read == f"{BASE_URL}/q/{code}"
    scanned = read.replace(BASE_URL, site)

    for number, user_agent in enumerate(PHONES):
        phone = browser.new_context(user_agent=user_agent, locale="pl-PL", is_mobile=True, has_touch=True)
        page = phone.new_page()
        page.goto(scanned)
        assert urlsplit(page.url).path == "/pl/consent"  # the page, in the phone's language
        if number == 0:
            page.goto(scanned)  # the same phone again a minute later: one scan
        phone.close()

    elsewhere = browser.new_context()  # another site shows the code's address as an image and a frame
    elsewhere.route(
        "http://elsewhere.example/",
        lambda route: route.fulfill(
            content_type="text/html",
            body=f'<img src="{scanned}" alt=""><iframe src="{scanned}" title="copy"></iframe>',
        ),
    )
    elsewhere_page = elsewhere.new_page()
    with elsewhere_page.expect_request(scanned):
        elsewhere_page.goto("http://elsewhere.example/", wait_until="load")
    elsewhere.close()
    for method, headers in NOT_SCANS:
        assert send(site, method, f"/q/{code}", headers) == 302

    team.goto(f"{site}/admin/scans")
    assert placement_row(team, code)[:2] == ["The Bar, Bedford Place", "Consent"]
    assert placement_row(team, code)[3:5] == ["5", "0"]  # since the start; suspect
    assert cells(team, "By the language the phone was served")["Polish"] == ["5", "0"]
    assert cells(team, "By week")[f"Week of {week_of(today).strftime('%-d %b %Y')}"] == ["5", "0"]
    assert cells(team, "By venue or place")["The Bar, Bedford Place"] == ["5", "0"]

    flood = [{"User-Agent": f"{PHONES[0]} script/{n}", "Accept-Language": "pl"} for n in range(FLOOD)]
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda headers: send(site, "GET", f"/q/{code}", headers), flood))
    assert statuses == [302] * FLOOD
    team.goto(f"{site}/admin/scans")
    assert placement_row(team, code)[3:5] == ["5", str(FLOOD)]  # the flood apart, none of it counted
    assert cells(team, "By the language the phone was served")["Polish"] == ["5", str(FLOOD)]
