"""Placements: added on the dashboard with a code of their own, validated, edited and retired
(never deleted), opened by /q/<code> on every worker within seconds; forms from other sites refused."""

import base64
import re
from datetime import date

import pytest

from safernights import placements, qr_codes

from .conftest import XHTML, text_of

TOKEN = "campaign-team-token-0123"
AUTH = {"Authorization": "Basic " + base64.b64encode(f"team:{TOKEN}".encode()).decode()}
SAME_SITE = {**AUTH, "Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"}
FORM = {
    "venue": "The Bar, Bedford Place",
    "poster": "help",
    "lang": "pl",
    "up": "2026-11-02",
    "note": "by the door",
}


@pytest.fixture
def team(make_app, tmp_path):
    return make_app(ADMIN_TOKEN=TOKEN, DATABASE_URL=f"sqlite:///{tmp_path / 'scans.sqlite3'}")


@pytest.fixture
def team_on_each(make_app, database_url):
    """The site on SQLite and on the real PostgreSQL."""
    return make_app(ADMIN_TOKEN=TOKEN, DATABASE_URL=database_url)


def add(client, **changes):
    response = client.post("/admin/placements", data={**FORM, **changes}, headers=SAME_SITE)
    assert response.status_code == 303, response.get_data(as_text=True)
    return response.headers["Location"].rsplit("/", 1)[1]


def test_a_placement_gets_its_own_short_code_and_page(team_on_each):
    client = team_on_each.test_client()
    code = add(client)
    assert re.fullmatch(f"[{placements.ALPHABET}]{{{placements.LENGTH}}}", code)
    assert qr_codes.CODE.fullmatch(code)
    page = client.get(f"/admin/placements/{code}", headers=AUTH)
    body = page.get_data(as_text=True)
    assert f"127.0.0.1:8000/q/{code}" in body
    assert f'src="/q/{code}.svg"' in body
    assert f"/print/poster/{code}?lang=pl&amp;size=a5" in body
    assert f"/print/cards?code={code}&amp;lang=pl" in body
    assert client.get(f"/q/{code}.svg").status_code == 200
    scanned = client.get(f"/q/{code}", headers={"Accept-Language": "ar"})
    assert scanned.headers["Location"] == "/ar/get-help"  # the languages poster opens get-help
    assert code in client.get("/admin/placements", headers=AUTH).get_data(as_text=True)


@pytest.mark.parametrize(
    ("poster", "path", "headline"),
    [
        ("help", "/print/poster/{code}", "Pomoc w twoim języku"),
        ("consent", "/print/poster/{code}", None),
        ("report", "/print/cards?code={code}", None),
    ],
)
def test_a_placements_posters_and_cards_carry_its_code_in_its_language(team, poster, path, headline):
    """The team prints what it just added: the sheet's QR code and short address are the placement's."""
    client = team.test_client()
    code = add(client, poster=poster, lang="pl")
    document = client.get(path.format(code=code)).document
    assert document.get("lang") == "pl"
    assert f"127.0.0.1:8000/q/{code}" in text_of(document)
    if headline:
        assert text_of(document.find(f".//{XHTML}h1")) == headline
    in_arabic = path.format(code=code) + ("&" if "?" in path else "?") + "lang=ar"
    assert client.get(in_arabic).document.get("dir") == "rtl"  # another language, when asked


def test_print_pages_of_an_unknown_code_are_not_found(team):
    client = team.test_client()
    for path in ["/print/poster/zzzzz", "/print/cards?code=zzzzz", "/print/help?code=zzzzz"]:
        assert client.get(path).status_code == 404


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"venue": "  "}, "venue"),
        ({"venue": "x" * 121}, "venue"),
        ({"venue": "bar\x00"}, "venue"),
        ({"poster": "card"}, "poster"),
        ({"lang": "de"}, "lang"),
        ({"up": ""}, "up"),
        ({"up": "2026-02-30"}, "up"),
        ({"up": "20261102"}, "up"),
        ({"down": "soon"}, "down"),
        ({"down": "2026-11-01"}, "down"),  # before the date up
        ({"note": "n" * 501}, "note"),
    ],
)
def test_a_bad_form_is_refused_with_a_clear_message(team, changes, field):
    client = team.test_client()
    response = client.post("/admin/placements", data={**FORM, **changes}, headers=SAME_SITE)
    assert response.status_code == 400
    assert response.document.find(f".//*[@id='{field}-error']") is not None
    assert 'role="alert"' in response.get_data(as_text=True)
    with team.app_context():
        assert placements.every() == []


def test_a_new_code_is_never_a_built_in_a_qr_toml_or_an_existing_one(team_on_each):
    with team_on_each.test_request_context():
        values, errors = placements.read_new(FORM)
        assert not errors
        first = placements.add(values, new_code=iter(["aaaaa"]).__next__)
        tried = iter(["staff", "k7", "card", "aaaaa", "bbbbb"])  # built in, qr.toml, built in, taken
        assert placements.add(values, new_code=tried.__next__) == "bbbbb"
        assert [placement.code for placement in placements.every()] == [first, "bbbbb"]
        with pytest.raises(RuntimeError, match="no free placement code"):
            placements.add(values, new_code=lambda: "aaaaa")


def test_a_placement_is_edited_and_retired_and_its_code_still_opens(team_on_each):
    client = team_on_each.test_client()
    code = add(client)
    changed = {"down": "2027-01-31", "note": "moved to the bar", "retired": "yes"}
    assert client.post(f"/admin/placements/{code}", data=changed, headers=SAME_SITE).status_code == 303
    with team_on_each.app_context():
        placement = placements.find(code)
    assert (placement.down, placement.note, placement.retired) == (
        date(2027, 1, 31),
        "moved to the bar",
        True,
    )
    assert client.get(f"/q/{code}", headers={"Accept-Language": "pl"}).headers["Location"] == "/pl/"
    bad = client.post(f"/admin/placements/{code}", data={"down": "2026-01-01"}, headers=SAME_SITE)
    assert bad.status_code == 400
    assert client.post("/admin/placements/zzzzz", data=changed, headers=SAME_SITE).status_code == 404


def test_a_placement_added_on_one_worker_opens_on_another_within_a_second(make_app, tmp_path):
    settings = {"ADMIN_TOKEN": TOKEN, "DATABASE_URL": f"sqlite:///{tmp_path / 'scans.sqlite3'}"}
    here, there = make_app(**settings), make_app(**settings)
    now = [100.0]
    cache = there.extensions["placements"] = placements.Cache(
        lambda: placements.every(there.extensions["database"]), clock=lambda: now[0]
    )
    cache.tick()  # as the background thread does, a quarter of a second at a time
    code = add(here.test_client())
    with there.test_request_context():
        assert qr_codes.lookup("card").target == "get-help"
        assert qr_codes.lookup(code) is None  # not yet read on this worker, and a scan never reads
        now[0] += placements.RELOAD
        cache.tick()
        found = qr_codes.lookup(code)
    assert (found.target, found.lang, found.label) == (
        "get-help",
        "pl",
        "The Bar, Bedford Place: Help is available (languages) poster",
    )


def test_the_cache_is_read_again_once_a_second_in_the_background_never_by_a_scan():
    loads, now = [], [0.0]
    cache = placements.Cache(lambda: loads.append(now[0]) or [], clock=lambda: now[0])
    for _ in range(20):
        for _ in range(5):
            cache.get("abcde")  # a reader's scan of an unknown code: no query
        cache.tick()
        now[0] += 0.25
    assert len(loads) == 5  # five seconds of ticks, once a second


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},  # another site under the same domain
        {"Origin": "http://localhost", "Sec-Fetch-Site": "cross-site"},
        {"Origin": "null", "Sec-Fetch-Site": "cross-site"},  # a sandboxed frame on another site
        {"Origin": "https://evil.example", "Sec-Fetch-Site": "same-origin"},
        {},  # neither: a browser always sends Origin with a form
    ],
)
@pytest.mark.parametrize("path", ["/admin/placements", "/admin/placements/abcde"])
def test_a_form_from_another_site_is_refused(team, headers, path):
    response = team.test_client().post(path, data=FORM, headers={**AUTH, **headers})
    assert response.status_code == 403
    with team.app_context():
        assert placements.every() == []


def test_a_form_from_this_site_is_taken_with_either_header(team):
    client = team.test_client()
    add(client)
    chromium = {**AUTH, "Origin": "null", "Sec-Fetch-Site": "same-origin"}  # under no-referrer
    assert client.post("/admin/placements", data=FORM, headers=chromium).status_code == 303
    assert (
        client.post(
            "/admin/placements", data=FORM, headers={**AUTH, "Origin": "http://localhost"}
        ).status_code
        == 303
    )
    assert (
        client.post(
            "/admin/placements", data=FORM, headers={**AUTH, "Sec-Fetch-Site": "same-origin"}
        ).status_code
        == 303
    )


def test_without_the_password_no_form_is_taken(team):
    assert (
        team.test_client()
        .post("/admin/placements", data=FORM, headers={"Origin": "http://localhost"})
        .status_code
        == 401
    )
