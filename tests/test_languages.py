"""Languages: negotiation, every page in every language, the fallback rule, translation states."""

import shutil

import pytest
from babel.messages.pofile import read_po
from click.testing import CliRunner
from flask_babel import force_locale, gettext

from app import create_app
from safernights import cli, content, languages

from .conftest import APP, PAGES, ROOT, XHTML, CheckedClient, path_of, text_of


def translated(code, message, **variables):
    """An interface string as the catalogs translate it."""
    with APP.test_request_context(), force_locale(languages.REGISTRY[code].locale):
        return gettext(message, **variables)


# Accept-Language in -> Location out, as mozilla/bedrock tests it.
NEGOTIATION = [
    ("pl-PL,pl;q=0.9,en-US;q=0.8", "/pl/"),
    ("ro-RO", "/ro/"),
    ("zh-CN,zh;q=0.9", "/zh/"),
    ("zh-Hans", "/zh/"),
    ("zh-Hans-CN", "/zh/"),
    ("pt-BR,pt;q=0.9", "/pt/"),
    ("pt-PT", "/pt/"),
    ("es-419", "/es/"),
    ("fa-IR", "/fa/"),
    ("ar-SA,ar;q=0.8", "/ar/"),
    ("el-GR", "/el/"),
    ("bg-BG", "/bg/"),
    ("ne-NP", "/ne/"),
    ("uk-UA,uk;q=0.9,ru;q=0.8", "/uk/"),
    ("en-GB,en;q=0.9", "/en/"),
    ("fr-FR,fr;q=0.9,pl;q=0.5", "/pl/"),  # the first language we have, by q-value
    ("en;q=0.1,ar;q=0.9", "/ar/"),
    ("de-DE,fr;q=0.8", "/en/"),  # nothing we have
    ("", "/en/"),
    ("pl;q=nonsense,,;;", "/en/"),  # malformed
    ("*", "/en/"),
]


@pytest.mark.parametrize(("header", "location"), NEGOTIATION)
def test_root_picks_the_best_language(client, header, location):
    response = client.get("/", headers={"Accept-Language": header})
    assert response.status_code == 302
    assert response.headers["Location"] == location
    assert "Accept-Language" in response.headers["Vary"]


@pytest.mark.parametrize("code", languages.REGISTRY)
@pytest.mark.parametrize("page", [page for page in PAGES if page.lang == "en"], ids=path_of)
def test_every_page_in_every_language(served, code, page):
    path = path_of(page).replace("/en/", f"/{code}/", 1)
    document = served(path).document
    assert document.get("lang") == code
    assert document.get("dir") == languages.REGISTRY[code].direction
    assert text_of(document.find(f".//{XHTML}a[@data-exit]")) == translated(code, "Exit this page")


@pytest.mark.parametrize("code", [code for code in languages.REGISTRY if code != "en"])
def test_no_english_interface_text_in_other_languages(client, code):
    """Every interface word is the reader's: no English string shows on a translated page."""
    with (ROOT / "translations" / code / "LC_MESSAGES" / "messages.po").open("rb") as file:
        catalog = read_po(file)
    body = "".join(client.get(f"/{code}/{slug}").get_data(as_text=True) for slug in ("", "get-help", "nope"))
    leaked = [m.id for m in catalog if m.id and m.string != m.id and f">{m.id}<" in body.replace("\n", "")]
    assert leaked == []


def test_language_in_capitals_redirects_to_lower_case(client):
    response = client.get("/PL/consent")
    assert response.status_code == 301
    assert response.headers["Location"] == "/pl/consent"
    assert client.get("/Ar/").headers["Location"] == "/ar/"


@pytest.mark.parametrize("path", ["/fr/consent", "/xx/", "/english/consent"])
def test_unsupported_language_is_a_404_offering_every_language(client, path):
    response = client.get(path, headers={"Accept-Language": "pl"})
    assert response.status_code == 404
    document = response.document
    assert document.get("lang") == "pl"  # the reader's language, from the browser
    offered = {a.get("hreflang") for a in document.iterfind(f".//{XHTML}ul[@class='language-list']/*/*")}
    assert offered == set(languages.REGISTRY)


def test_every_page_names_its_other_languages(client, app):
    document = client.get("/ro/staff").document
    alternates = {
        link.get("hreflang"): link.get("href")
        for link in document.iterfind(f".//{XHTML}link[@rel='alternate']")
    }
    base = app.config["BASE_URL"]
    assert alternates == {code: f"{base}/{code}/staff" for code in languages.REGISTRY} | {
        "x-default": f"{base}/en/staff"
    }


def test_language_link_keeps_the_page(client):
    document = client.get("/uk/get-help").document
    link = document.find(f".//{XHTML}a[@class='language-link']")
    assert link.get("href") == "/uk/languages?page=get-help"
    chooser = client.get(link.get("href")).document
    choices = {
        a.get("lang"): (a.get("href"), text_of(a)) for a in chooser.iterfind(f".//{XHTML}main//{XHTML}a")
    }
    assert choices == {
        code: (f"/{code}/get-help", language.native_name) for code, language in languages.REGISTRY.items()
    }


def test_language_chooser_ignores_an_unknown_page(client):
    document = client.get("/en/languages?page=../../etc").document
    hrefs = {a.get("href") for a in document.iterfind(f".//{XHTML}main//{XHTML}a")}
    assert hrefs == {f"/{code}/" for code in languages.REGISTRY}


def test_dates_are_formatted_for_the_language(client):
    reviewed = APP.extensions["content"].get("en", "consent").reviewed
    assert f"{reviewed.day} listopada {reviewed.year}" in client.get("/pl/consent").get_data(as_text=True)
    assert f"{reviewed.year}年{reviewed.month}月{reviewed.day}日" in client.get("/zh/consent").get_data(
        as_text=True
    )
    assert f"{reviewed.day} November {reviewed.year}" in client.get("/en/consent").get_data(as_text=True)
    assert reviewed.month == 11  # the Polish month above; move both together


@pytest.fixture
def folder(tmp_path):
    shutil.copytree(ROOT / "content", tmp_path / "content")
    return tmp_path / "content"


def client_for(folder, monkeypatch):
    monkeypatch.setenv("CONTENT_DIR", str(folder))
    app = create_app({"TESTING": True})
    app.test_client_class = CheckedClient
    return app.test_client()


def set_metadata(path, name, value):
    lines = path.read_text().splitlines()
    lines = [f"{name}: {value}" if line.startswith(f"{name}:") else line for line in lines]
    path.write_text("\n".join(lines) + "\n")


def test_a_missing_translation_shows_english_inside_the_readers_interface(folder, monkeypatch):
    (folder / "pl" / "consent.md").unlink()
    response = client_for(folder, monkeypatch).get("/pl/consent")
    document = response.document
    assert document.get("lang") == "pl"
    article = document.find(f".//{XHTML}article")
    assert article.get("lang") == "en"
    assert text_of(article.find(f"{XHTML}h1")) == "What consent is"
    notice = text_of(document.find(f".//{XHTML}p[@class='notice']"))
    message = "This page is not translated into %(language)s yet. Here it is in English."
    assert notice == translated("pl", message, language="Polski")
    topic = document.find(f".//{XHTML}a[@href='/pl/consent']")
    assert topic.get("lang") == "en"


def test_an_rtl_page_falls_back_with_english_marked_left_to_right(folder, monkeypatch):
    (folder / "ar" / "staff.md").unlink()
    document = client_for(folder, monkeypatch).get("/ar/staff").document
    assert document.get("dir") == "rtl"
    article = document.find(f".//{XHTML}article")
    assert (article.get("lang"), article.get("dir")) == ("en", "ltr")


@pytest.mark.parametrize(("checked", "notice"), [("no", True), ("yes", False)])
def test_an_unchecked_translation_says_so_with_a_link_to_english(folder, monkeypatch, checked, notice):
    set_metadata(folder / "es" / "drink-and-consent.md", "checked", checked)
    document = client_for(folder, monkeypatch).get("/es/drink-and-consent").document
    found = document.find(f".//{XHTML}p[@class='notice']")
    assert (found is not None) is notice
    if notice:
        link = found.find(f"{XHTML}a")
        assert (link.get("href"), link.get("hreflang")) == ("/en/drink-and-consent", "en")


def test_changing_the_english_page_marks_its_translations_outdated(folder, monkeypatch):
    english = folder / "en" / "look-out.md"
    english.write_text(english.read_text().replace("Choose what feels safe.", "Choose what feels safest."))
    for code in ("pl", "el"):
        set_metadata(folder / code / "look-out.md", "checked", "yes")
    library = content.load(folder)
    assert {library.status(code, "look-out") for code in languages.REGISTRY if code != "en"} == {"outdated"}
    assert library.status("en", "look-out") == "up to date"
    assert library.status("pl", "consent") == "unchecked"
    page = client_for(folder, monkeypatch).get("/el/look-out").get_data(as_text=True)
    message = (
        "The English page has changed since this translation was made, so some of it may be out of date."
    )
    assert translated("el", message) in page


def test_status_command_prints_the_matrix(folder, monkeypatch):
    (folder / "bg" / "staff.md").unlink()
    set_metadata(folder / "ne" / "home.md", "checked", "yes")
    result = CliRunner().invoke(cli.content_commands, ["status"], env={"CONTENT_DIR": str(folder)})
    assert result.exit_code == 0, result.output
    rows = {line.split()[0]: line for line in result.output.splitlines()[1:-1]}
    assert set(rows) == set(languages.REGISTRY)
    assert "missing" in rows["bg"]
    assert rows["ne"].startswith("ne  up to date")
    assert rows["en"].count("up to date") == len(APP.extensions["content"].slugs) + 1  # pages, directory
    assert "1 missing" in result.output.splitlines()[-1]


def test_a_current_translation_must_keep_every_number(folder):
    path = folder / "pt" / "get-help.md"
    path.write_text(path.read_text().replace("[[0808 500 2222]]", "[[0808 500 2223]]"))
    _, problems = content.read_all(folder)
    assert [(problem.path, problem.message.split(":")[0]) for problem in problems] == [
        (path, "phone numbers differ from the English page")
    ]
