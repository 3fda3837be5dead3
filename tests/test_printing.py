"""The print sheets as HTML: headlines, the short address printed once, the staff checklist in every
language, partners' logos from LOGO_DIR and nothing else. Chromium prints them in browser/test_print.py."""

import gzip
import shutil
from urllib.parse import parse_qsl, urlsplit

import pytest

from safernights import languages

from .conftest import APP, ROOT, XHTML, text_of
from .test_budget import HTML_BUDGET

POSTERS = ["consent", "drink-and-consent", "get-help", "look-out", "report", "staff"]


@pytest.mark.parametrize("code", POSTERS)
@pytest.mark.parametrize("lang", languages.REGISTRY)
def test_every_poster_has_a_headline_in_its_language_or_the_english_one(client, code, lang):
    document = client.get(f"/print/poster/{code}?lang={lang}").document
    headline = document.find(f".//{XHTML}h1")
    page = APP.extensions["content"].get(lang, code)
    english = APP.extensions["content"].get("en", code)
    assert text_of(headline) == (page.poster or english.poster)
    if not page.poster:
        assert headline.get("lang") == "en"


def test_a_translation_without_its_poster_headline_yet_shows_the_english_one(tmp_path, make_app):
    folder = tmp_path / "content"
    shutil.copytree(ROOT / "content", folder)
    page = folder / "pl" / "consent.md"
    page.write_text(
        "".join(line for line in page.read_text().splitlines(True) if not line.startswith("poster:"))
    )
    headline = make_app(CONTENT_DIR=str(folder)).test_client().get("/print/poster/consent?lang=pl").document
    headline = headline.find(f".//{XHTML}h1")
    assert text_of(headline) == APP.extensions["content"].get("en", "consent").poster
    assert (headline.get("lang"), headline.get("dir")) == ("en", "ltr")


def test_a_page_with_no_poster_headline_has_its_title(client):
    headline = client.get("/print/poster/staying-safe-online?lang=es").document.find(f".//{XHTML}h1")
    assert text_of(headline) == APP.extensions["content"].get("es", "staying-safe-online").title


@pytest.mark.parametrize("path", ["/print/poster/consent?size=a5", "/print/help?size=a3", "/print/cards"])
def test_the_short_address_is_printed_once_a_sheet_and_the_code_has_no_label(make_app, path):
    document = make_app(BASE_URL="https://safer.example").test_client().get(path).document
    copies = 10 if "cards" in path else 1
    assert text_of(document.find(f".//{XHTML}main")).count("safer.example/q/") == copies
    assert document.findall(".//{http://www.w3.org/2000/svg}text") == []
    assert len(document.findall(f".//{XHTML}div[@class='qr']/{{http://www.w3.org/2000/svg}}svg")) == copies


def test_a_poster_size_is_a4_a3_or_a5_and_anything_else_is_a4(client):
    for asked, given in [("a5", "a5"), ("a3", "a3"), ("a4", "a4"), ("b5", "a4"), ("", "a4")]:
        sheet = client.get(f"/print/poster/report?size={asked}").document.find(f".//{XHTML}section")
        assert sheet.get("class").split()[-1] == given


@pytest.mark.parametrize("lang", languages.REGISTRY)
def test_the_staff_checklist_prints_the_staff_page_in_every_language(client, lang):
    document = client.get(f"/print/staff-checklist?lang={lang}").document
    page = APP.extensions["content"].get(lang, "staff")
    assert text_of(document.find(f".//{XHTML}h1")) == page.title
    body = document.find(f".//{XHTML}div[@class='checklist-body']")
    assert len(body.findall(f".//{XHTML}li")) == page.html.count("<li>")
    assert document.find(".//{http://www.w3.org/2000/svg}svg") is not None


def logo_folder(tmp_path):
    folder = tmp_path / "logos"
    (folder / "inside").mkdir(parents=True)
    (folder / "council.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 2"/>')
    (folder / "university.PNG").write_bytes(b"\x89PNG\r\n\x1a\n")
    (folder / "notes.txt").write_text("not a logo")
    (folder / "inside" / "deeper.svg").write_text("<svg/>")
    (tmp_path / "secret.svg").write_text("<svg/>")
    return folder


def test_partners_logos_from_logo_dir_stand_at_the_foot_of_every_poster(tmp_path, make_app):
    client = make_app(LOGO_DIR=str(logo_folder(tmp_path))).test_client()
    for path in ("/print/poster/consent", "/print/help?size=a5"):
        foot = client.get(path).document.find(f".//{XHTML}footer[@class='poster-foot']")
        assert [img.get("src") for img in foot.iter(f"{XHTML}img")] == [
            "/print/logos/council.svg",
            "/print/logos/university.PNG",
        ]
    assert client.get("/print/logos/council.svg").mimetype == "image/svg+xml"
    assert client.get("/print/logos/university.PNG").status_code == 200


@pytest.mark.parametrize(
    "name",
    [
        "notes.txt",
        "inside/deeper.svg",
        "..%2Fsecret.svg",
        "../secret.svg",
        "%2e%2e/secret.svg",
        "missing.svg",
    ],
)
def test_nothing_but_a_logo_file_directly_in_logo_dir_is_served(tmp_path, make_app, name):
    client = make_app(LOGO_DIR=str(logo_folder(tmp_path))).test_client()
    assert client.get(f"/print/logos/{name}").status_code == 404


def test_without_logo_dir_the_foot_is_a_plain_band_and_no_logo_is_served(client):
    foot = client.get("/print/poster/consent").document.find(f".//{XHTML}footer[@class='poster-foot']")
    assert foot.find(f".//{XHTML}img") is None
    assert client.get("/print/logos/council.svg").status_code == 404


def kit_links(client, lang):
    """Every link of the partner kit's print section, as (path, query) without regard to order."""
    kit = client.get(f"/{lang}/partners").document.find(f".//{XHTML}section[@class='share print-kit']")
    links = [urlsplit(a.get("href")) for a in kit.iter(f"{XHTML}a")]
    return {(link.path, frozenset(parse_qsl(link.query))) for link in links}


@pytest.mark.parametrize("lang", languages.REGISTRY)
def test_the_partner_kit_links_every_sheet_to_print_in_its_language(client, lang):
    sizes = ("a4", "a3", "a5")
    expected = {
        (f"/print/poster/{code}", frozenset({("lang", lang), ("size", size)}))
        for code in POSTERS
        for size in sizes
    }
    expected |= {("/print/help", frozenset({("lang", lang), ("size", size)})) for size in sizes}
    expected |= {(path, frozenset({("lang", lang)})) for path in ("/print/cards", "/print/staff-checklist")}
    assert kit_links(client, lang) == expected


@pytest.mark.parametrize("lang", languages.REGISTRY)
def test_the_partner_kit_stays_in_the_first_round_trip(client, lang):
    assert len(gzip.compress(client.get(f"/{lang}/partners").get_data())) <= HTML_BUDGET
